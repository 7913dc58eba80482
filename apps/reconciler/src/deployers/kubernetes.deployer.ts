import {
  ApiException,
  CoreV1Api,
  KubeConfig,
  Observable,
  type ConfigurationOptions,
  type ObservableMiddleware,
  type V1Pod,
} from '@kubernetes/client-node';
import {
  type ActualPod,
  type Deployer,
  DeployerError,
  POD_PHASES,
  type PodChange,
  type PodHealth,
  type PodListing,
  type PodPhase,
  type PodToRun,
} from '@podsync/domain';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'podsync';
export const CLIENT_ID_LABEL = 'podsync/client-id';
export const ALGORITHM_LABEL = 'podsync/algorithm';
export const SPEC_HASH_ANNOTATION = 'podsync/spec-hash';
export const EPOCH_ANNOTATION = 'podsync/epoch';

/** Sent on every API request so the API server's audit log names the replica and the epoch behind it. */
export const REPLICA_HEADER = 'X-Podsync-Replica';
export const EPOCH_HEADER = 'X-Podsync-Epoch';

const MANAGED_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY}`;

/**
 * Statuses a repeat of the same request can still get past: 401 once a rotated service
 * account token is re-read, 408/429/5xx once the server recovers, 409 once a conflicting
 * change lands, 410 once a list restarts without its expired `continue` token. Every other
 * 4xx (400 bad request, 403 forbidden, 404 missing namespace, 422 invalid spec, ...) needs
 * an operator to change something first, so it is terminal.
 */
const RETRYABLE_CLIENT_ERRORS = new Set([401, 408, 409, 410, 429]);

export interface KubernetesDeployerOptions {
  /** Where the pods live (PODSYNC_K8S_NAMESPACE). */
  namespace: string;
  replicaId: string;
  /** The current leader epoch; read on every request, since it changes when leadership does. */
  currentEpoch: () => number;
  /** Pods per list request; larger fleets are read over several pages. */
  pageSize?: number;
}

/**
 * In-cluster credentials when running in a pod, else KUBECONFIG (or ~/.kube/config). It reads
 * the process environment because the client library's loaders do; call it where the app is
 * composed and hand the result to the deployer.
 */
export function kubeConfigFromEnvironment(): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (process.env.KUBERNETES_SERVICE_HOST) kubeConfig.loadFromCluster();
  else kubeConfig.loadFromDefault();
  return kubeConfig;
}

/** The Deployer over the Kubernetes API: one bare pod per client and enabled algorithm. */
export class KubernetesDeployer implements Deployer {
  private readonly api: CoreV1Api;
  private readonly namespace: string;
  private readonly replicaId: string;
  private readonly currentEpoch: () => number;
  private readonly pageSize: number;

  constructor(kubeConfig: KubeConfig, options: KubernetesDeployerOptions) {
    this.api = kubeConfig.makeApiClient(CoreV1Api);
    this.namespace = options.namespace;
    this.replicaId = options.replicaId;
    this.currentEpoch = options.currentEpoch;
    this.pageSize = options.pageSize ?? 500;
  }

  async list(signal: AbortSignal): Promise<PodListing> {
    const pods: ActualPod[] = [];
    let token: string | undefined;
    let version = '';
    do {
      const page = await this.call('list pods', signal, (options) =>
        this.api.listNamespacedPod(
          { namespace: this.namespace, labelSelector: MANAGED_SELECTOR, limit: this.pageSize, _continue: token },
          options,
        ),
      );
      for (const pod of page.items) {
        const actual = toActualPod(pod);
        if (actual !== undefined) pods.push(actual);
      }
      token = page.metadata?._continue || undefined;
      // Every page of one list carries the resourceVersion of the snapshot it was read from.
      version = page.metadata?.resourceVersion ?? version;
    } while (token !== undefined);
    return { pods, version };
  }

  watch(): AsyncIterable<PodChange> {
    return {
      [Symbol.asyncIterator]: () => ({
        next: () => Promise.reject(new DeployerError('watch pods: not supported by this deployer yet', { terminal: true })),
      }),
    };
  }

  async create(pod: PodToRun, signal: AbortSignal): Promise<void> {
    try {
      await this.call(`create pod ${pod.name}`, signal, (options) =>
        this.api.createNamespacedPod({ namespace: this.namespace, body: podManifest(pod) }, options),
      );
    } catch (error) {
      if (!(error instanceof DeployerError && error.status === 409)) throw error;
      await this.ensureNotTerminating(pod.name, signal);
    }
  }

  async delete(name: string, signal: AbortSignal): Promise<void> {
    try {
      await this.call(`delete pod ${name}`, signal, (options) =>
        this.api.deleteNamespacedPod({ name, namespace: this.namespace }, options),
      );
    } catch (error) {
      if (error instanceof DeployerError && error.status === 404) return;
      throw error;
    }
  }

  /**
   * A pod that already exists counts as created, unless it is still shutting down after a
   * delete (a restart is a delete then a create): that one vanishes soon, so the create must
   * be retried rather than reported done.
   */
  private async ensureNotTerminating(name: string, signal: AbortSignal): Promise<void> {
    let existing: V1Pod;
    try {
      existing = await this.call(`read pod ${name}`, signal, (options) =>
        this.api.readNamespacedPod({ name, namespace: this.namespace }, options),
      );
    } catch (error) {
      if (error instanceof DeployerError && error.status === 404) {
        throw new DeployerError(`create pod ${name}: it existed, then went away; try again`, { terminal: false, status: 409 });
      }
      throw error;
    }
    if (existing.metadata?.deletionTimestamp !== undefined) {
      throw new DeployerError(`create pod ${name}: the previous pod of that name is still terminating`, {
        terminal: false,
        status: 409,
      });
    }
  }

  /** Sends one request identified by replica and epoch, aborted with `signal`; failures become DeployerErrors. */
  private async call<T>(what: string, signal: AbortSignal, request: (options: ConfigurationOptions) => Promise<T>): Promise<T> {
    signal.throwIfAborted();
    try {
      return await request(this.requestOptions(signal));
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw toDeployerError(what, error);
    }
  }

  private requestOptions(signal: AbortSignal): ConfigurationOptions {
    const identify: ObservableMiddleware = {
      pre: (context) => {
        context.setHeaderParam(REPLICA_HEADER, this.replicaId);
        context.setHeaderParam(EPOCH_HEADER, String(this.currentEpoch()));
        context.setSignal(signal);
        return new Observable(Promise.resolve(context));
      },
      post: (context) => new Observable(Promise.resolve(context)),
    };
    // 'append' keeps the middleware of the client's own configuration; the default replaces it.
    return { middleware: [identify], middlewareMergeStrategy: 'append' };
  }
}

function podManifest(pod: PodToRun): V1Pod {
  const resources = { cpu: pod.cpu, memory: pod.mem };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: pod.name,
      labels: {
        [MANAGED_BY_LABEL]: MANAGED_BY,
        [CLIENT_ID_LABEL]: String(pod.clientId),
        [ALGORITHM_LABEL]: pod.algorithm,
      },
      annotations: {
        [SPEC_HASH_ANNOTATION]: pod.specHash,
        [EPOCH_ANNOTATION]: String(pod.epoch),
      },
    },
    spec: {
      restartPolicy: 'Always',
      containers: [
        {
          name: pod.algorithm.toLowerCase(),
          image: pod.image,
          env: [
            { name: 'PODSYNC_CLIENT_ID', value: String(pod.clientId) },
            { name: 'PODSYNC_ALGORITHM', value: pod.algorithm },
            { name: 'PODSYNC_CLIENT_VERSION', value: String(pod.version) },
          ],
          // Requests equal to limits: the Guaranteed QoS class, so a trading pod is evicted last.
          resources: { requests: resources, limits: resources },
        },
      ],
    },
  };
}

const WHOLE_NUMBER = /^(0|[1-9][0-9]{0,15})$/;

/**
 * The pod as the deployer reports it, or undefined for one to leave alone: a pod that is
 * already terminating is on its way out (a create of the same name waits for it), and a
 * pod wearing our managed-by label without our other labels was not made by podsync.
 */
function toActualPod(pod: V1Pod): ActualPod | undefined {
  const metadata = pod.metadata;
  if (metadata?.name === undefined || metadata.deletionTimestamp !== undefined) return undefined;
  const clientId = metadata.labels?.[CLIENT_ID_LABEL];
  const algorithm = metadata.labels?.[ALGORITHM_LABEL];
  const specHash = metadata.annotations?.[SPEC_HASH_ANNOTATION];
  const epoch = metadata.annotations?.[EPOCH_ANNOTATION];
  if (clientId === undefined || !WHOLE_NUMBER.test(clientId) || algorithm === undefined || specHash === undefined)
    return undefined;
  return {
    name: metadata.name,
    clientId: Number(clientId),
    algorithm,
    specHash,
    epoch: epoch !== undefined && WHOLE_NUMBER.test(epoch) ? Number(epoch) : 0,
    health: podHealth(pod),
  };
}

/** The pod's health in the words of its status, as PodHealth describes them. */
function podHealth(pod: V1Pod): PodHealth {
  const status = pod.status;
  const phase = POD_PHASES.find((known) => known === status?.phase) ?? ('Unknown' satisfies PodPhase);
  const containers = status?.containerStatuses ?? [];
  const first = containers[0];
  const containerProblem = first?.state?.waiting ?? first?.lastState?.terminated;
  const unscheduled = status?.conditions?.find((condition) => condition.type === 'PodScheduled' && condition.status === 'False');
  const [reason, message] =
    status?.reason !== undefined
      ? [status.reason, status.message]
      : containerProblem?.reason !== undefined
        ? [containerProblem.reason, containerProblem.message]
        : [unscheduled?.reason, unscheduled?.message];
  return {
    phase,
    ready: status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') ?? false,
    restarts: containers.reduce((sum, container) => sum + container.restartCount, 0),
    reason: reason ?? null,
    message: message ?? null,
    node: pod.spec?.nodeName ?? null,
  };
}

function toDeployerError(what: string, error: unknown): DeployerError {
  if (error instanceof ApiException) {
    const status = error.code;
    const terminal = status >= 400 && status < 500 && !RETRYABLE_CLIENT_ERRORS.has(status);
    return new DeployerError(`${what}: the Kubernetes API answered ${status}${statusMessage(error.body)}`, {
      terminal,
      status,
      cause: error,
    });
  }
  const reason = error instanceof Error ? error.message : String(error);
  // No answer at all (refused, reset, timed out): the server may be back on the next try.
  return new DeployerError(`${what}: the Kubernetes API could not be reached: ${reason}`, { terminal: false, cause: error });
}

/** The `message` of the Status object the API server sends with an error, when there is one. */
function statusMessage(body: unknown): string {
  let status: unknown = body;
  if (typeof body === 'string') {
    try {
      status = JSON.parse(body);
    } catch {
      return body === '' ? '' : `: ${body.slice(0, 300)}`;
    }
  }
  if (typeof status === 'object' && status !== null && 'message' in status && typeof status.message === 'string') {
    return `: ${status.message}`;
  }
  return '';
}
