import {
  ApiException,
  CoreV1Api,
  KubeConfig,
  Observable,
  Watch,
  type ConfigurationOptions,
  type ObservableMiddleware,
  type V1Pod,
} from '@kubernetes/client-node';
import {
  DeployerError,
  WatchExpiredError,
  type ActualPod,
  type Deployer,
  type PodChange,
  type PodListing,
  type PodToRun,
} from '@podsync/domain';
import { LeaseLostError, type Lease } from '../leader/leader-elector';
import { podHealth } from './kubernetes-pod-health';
import { LeasedKubeConfig, lossOf } from './leased-kube-config';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'podsync';
export const CLIENT_ID_LABEL = 'podsync/client-id';
export const ALGORITHM_LABEL = 'podsync/algorithm';
export const SPEC_HASH_ANNOTATION = 'podsync/spec-hash';
export const EPOCH_ANNOTATION = 'podsync/epoch';

const MANAGED_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY}`;

/**
 * Statuses a repeat of the same request can still get past: 401 once a rotated service
 * account token is re-read, 408/429/5xx once the server recovers, 409 once a conflicting
 * change lands, 410 once a list restarts without its expired `continue` token. Every other
 * 4xx (400 bad request, 403 forbidden, 404 missing namespace, 422 invalid spec, ...) needs
 * an operator to change something first, so it is terminal.
 */
const RETRYABLE_CLIENT_ERRORS = new Set([401, 408, 409, 410, 429]);

/** Timers longer than this fire at once in Node; a lease that far away needs no deadline. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

export interface KubernetesDeployerOptions {
  /** Where the pods live (PODSYNC_K8S_NAMESPACE). */
  namespace: string;
  replicaId: string;
  /**
   * The lease of the current term, or undefined while not leader; read on every request, which
   * goes out only while it holds and carries its epoch.
   */
  currentLease: () => Lease | undefined;
  /** Pods per list request; larger fleets are read over several pages. */
  pageSize?: number;
  /**
   * How long the API server keeps one watch open (`timeoutSeconds`); the watch then ends and the
   * caller watches again from the last version. Default 300, as client-go's 5 to 10 minutes.
   */
  watchTimeoutSeconds?: number;
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

/**
 * The Deployer over the Kubernetes API: one bare pod per client and enabled algorithm. Every
 * request, watches included, goes over one keep-alive connection pool and only under a valid
 * lease: checked when it is built and again right before it is written, and, for the calls
 * that change or list pods, aborted when the lease's validity ends (DESIGN §4).
 */
export class KubernetesDeployer implements Deployer {
  private readonly kubeConfig: LeasedKubeConfig;
  private readonly api: CoreV1Api;
  private readonly watcher: Watch;
  private readonly namespace: string;
  private readonly pageSize: number;
  private readonly watchTimeoutSeconds: number;

  constructor(kubeConfig: KubeConfig, options: KubernetesDeployerOptions) {
    this.watchTimeoutSeconds = options.watchTimeoutSeconds ?? 300;
    this.kubeConfig = new LeasedKubeConfig(kubeConfig, {
      replicaId: options.replicaId,
      currentLease: options.currentLease,
      // A watch stays quiet between events; the server ends it at its timeout, so wait past that.
      bodyTimeoutMs: (this.watchTimeoutSeconds + 60) * 1_000,
    });
    this.api = this.kubeConfig.makeApiClient(CoreV1Api);
    this.watcher = new Watch(this.kubeConfig);
    this.namespace = options.namespace;
    this.pageSize = options.pageSize ?? 500;
  }

  async list(signal: AbortSignal): Promise<PodListing> {
    const pods: ActualPod[] = [];
    let version: string | undefined;
    let token: string | undefined;
    do {
      const page = await this.call('list pods', signal, (options) =>
        this.api.listNamespacedPod(
          { namespace: this.namespace, labelSelector: MANAGED_SELECTOR, limit: this.pageSize, _continue: token },
          options,
        ),
      );
      for (const pod of page.items) {
        const actual = toActualPod(pod);
        if (actual !== undefined && pod.metadata?.deletionTimestamp === undefined) pods.push(actual);
      }
      // Every page of a list is read at the first page's version (the continue token keeps it).
      version ??= page.metadata?.resourceVersion;
      token = page.metadata?._continue || undefined;
    } while (token !== undefined);
    if (version === undefined)
      throw new DeployerError('list pods: the Kubernetes API sent no resourceVersion', { terminal: false });
    return { pods, version };
  }

  async *watch(from: string, signal: AbortSignal): AsyncIterable<PodChange> {
    signal.throwIfAborted();
    const changes = new ChangeQueue(signal);
    const started = this.watcher.watch(
      `/api/v1/namespaces/${encodeURIComponent(this.namespace)}/pods`,
      {
        labelSelector: MANAGED_SELECTOR,
        allowWatchBookmarks: true,
        resourceVersion: from,
        timeoutSeconds: this.watchTimeoutSeconds,
      },
      // The library swallows what this callback throws: a bad event must end the watch here.
      (type: string, object: unknown) => {
        try {
          const change = toPodChange(type, object);
          if (change !== undefined) changes.push(change);
        } catch (error) {
          changes.end(error);
        }
      },
      (error: unknown) => changes.end(watchEndError(error)),
    );
    let controller: AbortController | undefined;
    try {
      controller = await changes.until(started);
      for (;;) {
        const change = await changes.next();
        if (change === undefined) return;
        yield change;
      }
    } finally {
      // An abort or an early return of the consumer leaves the stream open otherwise.
      if (controller === undefined)
        void started.then(
          (late) => late.abort(),
          () => undefined,
        );
      else controller.abort();
      changes.close();
    }
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

  /** Closes the connections to the API server. */
  close(): Promise<void> {
    return this.kubeConfig.close();
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

  /**
   * Sends one request under the current lease, aborted with `signal` or when the lease's
   * validity ends, whichever comes first. A request refused or cut short for the lease rejects
   * with its LeaseLostError; other failures become DeployerErrors.
   */
  private async call<T>(what: string, signal: AbortSignal, request: (options: ConfigurationOptions) => Promise<T>): Promise<T> {
    signal.throwIfAborted();
    const lease = this.kubeConfig.validLease();
    const remainingMs = lease.remainingMs();
    const bounded =
      remainingMs < LONGEST_TIMER_MS
        ? AbortSignal.any([signal, AbortSignal.timeout(Math.max(1, Math.ceil(remainingMs)))])
        : signal;
    try {
      return await request(this.requestOptions(lease.epoch, bounded));
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      const lost = lossOf(lease) ?? leaseLostIn(error);
      if (lost !== undefined) throw lost;
      throw toDeployerError(what, error);
    }
  }

  /** The last hook of the generated API before sending: the lease check and the request's deadline. */
  private requestOptions(epoch: number, signal: AbortSignal): ConfigurationOptions {
    const guard: ObservableMiddleware = {
      pre: (context) =>
        new Observable(
          (async () => {
            this.kubeConfig.validLease(epoch);
            context.setSignal(signal);
            return context;
          })(),
        ),
      post: (context) => new Observable(Promise.resolve(context)),
    };
    // 'append' keeps the middleware of the client's own configuration; the default replaces it.
    return { middleware: [guard], middlewareMergeStrategy: 'append' };
  }
}

/**
 * The events of one watch, handed from the library's callbacks to an async iteration: pushed
 * as they arrive, taken in order, until the stream ends, fails or the signal aborts.
 */
class ChangeQueue {
  private readonly queued: PodChange[] = [];
  private ended = false;
  private failure: unknown;
  private wake: () => void = () => undefined;
  private readonly onAbort = (): void => this.wake();

  constructor(private readonly signal: AbortSignal) {
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  push(change: PodChange): void {
    if (this.ended) return;
    this.queued.push(change);
    this.wake();
  }

  /** Ends the iteration once what is queued is taken: normally without an error, else with it. */
  end(error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = error;
    this.wake();
  }

  /** Waits for `promise`, unless the signal aborts or the watch fails first. */
  async until<T>(promise: Promise<T>): Promise<T> {
    const interrupted = new Promise<never>((_, reject) => {
      const check = (): void => {
        if (this.signal.aborted) reject(this.signal.reason);
        else if (this.ended && this.failure !== undefined) reject(this.failure);
      };
      this.wake = check;
      check();
    });
    interrupted.catch(() => undefined);
    return Promise.race([promise, interrupted]);
  }

  /** The next change, or undefined when the stream ended normally. */
  async next(): Promise<PodChange | undefined> {
    for (;;) {
      this.signal.throwIfAborted();
      const change = this.queued.shift();
      if (change !== undefined) return change;
      if (this.ended) {
        if (this.failure !== undefined) throw this.failure;
        return undefined;
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  close(): void {
    this.signal.removeEventListener('abort', this.onAbort);
  }
}

/** One watch event as a PodChange; undefined for a pod that is not podsync's. */
function toPodChange(type: string, object: unknown): PodChange | undefined {
  if (type === 'ERROR') throw watchStatusError(object);
  const pod = object as V1Pod;
  const version = pod.metadata?.resourceVersion ?? '';
  if (type === 'BOOKMARK') return { type: 'bookmark', version };
  const actual = toActualPod(pod);
  if (actual === undefined) return undefined;
  // A pod being deleted is gone for podsync's purposes: a create of that name waits for it.
  if (type === 'DELETED' || pod.metadata?.deletionTimestamp !== undefined) return { type: 'deleted', pod: actual, version };
  if (type === 'ADDED') return { type: 'added', pod: actual, version };
  if (type === 'MODIFIED') return { type: 'modified', pod: actual, version };
  throw new DeployerError(`watch pods: an event of unknown type ${type}`, { terminal: false });
}

/** The Status object of an in-stream ERROR event as an error: 410 Gone means list again. */
function watchStatusError(object: unknown): Error {
  const status = (object ?? {}) as { code?: unknown; message?: unknown };
  const code = typeof status.code === 'number' ? status.code : undefined;
  const message = typeof status.message === 'string' ? status.message : 'no message';
  if (code === 410) return new WatchExpiredError(`watch pods: ${message}`);
  return new DeployerError(`watch pods: the Kubernetes API sent an error${code === undefined ? '' : ` ${code}`}: ${message}`, {
    terminal: false,
    status: code,
  });
}

/**
 * How the library reports the end of a watch, as the iteration's outcome: undefined for a
 * normal end (the server closed the stream, or the library's own no-data timer of 30 s, which
 * client-node 2.0 applies to every watch, cut it: either way the caller watches again), else
 * the error to throw.
 */
function watchEndError(error: unknown): unknown {
  if (error === null || error === undefined) return undefined;
  if (error instanceof Error && error.name === 'TimeoutError') return undefined;
  const leaseLost = leaseLostIn(error);
  if (leaseLost !== undefined) return leaseLost;
  const status = (error as { statusCode?: unknown }).statusCode;
  if (status === 410) return new WatchExpiredError('watch pods: the Kubernetes API answered 410 Gone', { cause: error });
  if (typeof status === 'number') {
    return new DeployerError(`watch pods: the Kubernetes API answered ${status}`, {
      terminal: status >= 400 && status < 500 && !RETRYABLE_CLIENT_ERRORS.has(status),
      status,
      cause: error,
    });
  }
  return toDeployerError('watch pods', error);
}

/** The LeaseLostError a request was refused with, wherever fetch wrapped it. */
function leaseLostIn(error: unknown): LeaseLostError | undefined {
  for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof LeaseLostError) return cause;
  }
  return undefined;
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
 * The pod as the deployer reports it, or undefined for one to leave alone: a pod wearing our
 * managed-by label without our other labels was not made by podsync.
 */
function toActualPod(pod: V1Pod): ActualPod | undefined {
  const metadata = pod.metadata;
  if (metadata?.name === undefined) return undefined;
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
