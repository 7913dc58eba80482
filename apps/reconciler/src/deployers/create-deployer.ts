import type { Config, Deployer } from '@podsync/domain';
import { SimulatedDeployer } from './simulated.deployer';

/**
 * The deployer the configuration names. The Kubernetes client is loaded only when used: it
 * takes seconds to load, and the embedded `npm start` never needs it.
 */
export async function createDeployer(config: Config, currentEpoch: () => number): Promise<Deployer> {
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
    currentEpoch,
  });
}
