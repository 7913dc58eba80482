import type { Config, Deployer } from '@podsync/domain';
import type { Lease } from '../leader/leader-elector';
import { SimulatedDeployer } from './simulated.deployer';

/**
 * The deployer the configuration names. The Kubernetes client is loaded only when used: it
 * takes seconds to load, and the embedded `npm start` never needs it. `currentLease` is the
 * lease of the replica's current term, under which alone pod calls may go out.
 */
export async function createDeployer(config: Config, currentLease: () => Lease | undefined): Promise<Deployer> {
  if (config.deployer.kind === 'simulated') {
    return new SimulatedDeployer({
      latencyMs: config.deployer.simulatedLatencyMs,
      failureRate: config.deployer.simulatedFailureRate,
      podFailureRate: config.deployer.simulatedPodFailureRate,
    });
  }
  const { KubernetesDeployer, kubeConfigFromEnvironment } = await import('./kubernetes.deployer.js');
  return new KubernetesDeployer(kubeConfigFromEnvironment(), {
    namespace: config.deployer.namespace,
    replicaId: config.replicaId,
    currentLease,
  });
}
