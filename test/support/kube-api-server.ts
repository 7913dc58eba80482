import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import type { KubeConfig } from '@kubernetes/client-node';

/**
 * A stand-in for the Kubernetes API server, limited to the pods endpoints podsync uses and
 * faithful to them: the paths, the JSON shapes (Pod, PodList, Status, watch events), the status
 * codes, equality label selectors, `limit` + `continue` pagination, watches from a
 * resourceVersion with bookmarks and 410 Gone once that version has left its bounded history,
 * `PATCH .../pods/{name}/status` (JSON merge patch, as a kubelet or a test sets a pod's state),
 * and graceful deletion. No API server runs on the test machines; the deployer's tests and the
 * cluster tests (as the one "cluster" every replica shares) run against this instead.
 *
 * A built-in kubelet plays the node: a created pod is bound and goes from Pending to Running and
 * ready after `startDelayMs`; deleting a bound pod marks it terminating (deletionTimestamp) and
 * removes it when its containers have stopped (`stopDelayMs`, at most the grace period), while
 * an unbound pod, or `gracePeriodSeconds=0`, goes at once, as on a real cluster.
 */

/** A pod as it travels on the wire. */
export interface KubePod {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    resourceVersion: string;
    creationTimestamp: string;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: unknown;
  status?: unknown;
}

/** A watch event as it travels on the wire, one JSON object per line. */
export interface KubeWatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: object;
}

/** The node stand-in; `false` leaves pods Pending and unbound, so a delete removes them at once. */
export interface KubeletOptions {
  /** From create to Running and ready. */
  startDelayMs: number;
  /** From a graceful delete until the pod is gone (its containers stopped), at most the grace period; 0 removes it at once. */
  stopDelayMs: number;
}

export interface KubeApiServerOptions {
  host?: string;
  port?: number;
  kubelet?: KubeletOptions | false;
  /** Changes kept for watches to resume from; a watch from an older version gets 410 Gone. */
  historySize?: number;
  /** How often an open watch that asked for bookmarks gets one. */
  bookmarkIntervalMs?: number;
}

export const DEFAULT_KUBELET: KubeletOptions = { startDelayMs: 100, stopDelayMs: 200 };
/** The node every pod is bound to. */
export const NODE_NAME = 'kube-node-1';

/** One request the server answered, with who sent it (the X-Podsync-Replica and X-Podsync-Epoch headers). */
export interface KubeApiCall {
  method: string;
  path: string;
  query: Record<string, string>;
  namespace: string | undefined;
  pod: string | undefined;
  replicaId: string | undefined;
  epoch: number | undefined;
  at: number;
  status: number;
}

export interface KubeApiServer {
  url: string;
  /** Every request to the pods endpoints, oldest first. */
  calls: KubeApiCall[];
  /** The pods stored now, by namespace then name. */
  pods(namespace?: string): KubePod[];
  /** Stores a pod as if created earlier, e.g. one still terminating; fills in what the server assigns. */
  addPod(
    namespace: string,
    pod: { metadata: Partial<KubePod['metadata']> & { name: string } } & Omit<Partial<KubePod>, 'metadata'>,
  ): KubePod;
  /** Answers the next `count` pods requests (of `method` only, when given) with `status` and a Status object. */
  failNext(status: number, count?: number, method?: string): void;
  /** Merges `status` into a pod's status, as `PATCH .../pods/{name}/status` does; returns the pod. */
  patchStatus(namespace: string, name: string, status: object): KubePod;
  /** The resourceVersion of the latest change. */
  resourceVersion(): string;
  /** Watches open now. */
  openWatches(): number;
  /** TCP connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

interface Failure {
  status: number;
  remaining: number;
  method: string | undefined;
}

interface Requirement {
  key: string;
  operator: '=' | '!=' | 'exists' | '!exists';
  value: string;
}

class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: { name?: string; kind?: string },
  ) {
    super(message);
  }
}

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Expired',
  413: 'RequestEntityTooLarge',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const LABEL_NAME =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const POD_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods(?:\/([^/]+)(\/status)?)?$/;
/** The API server's default when a watch names no timeout (its --min-request-timeout). */
const DEFAULT_WATCH_TIMEOUT_SECONDS = 1_800;
/** Kubernetes's default terminationGracePeriodSeconds. */
const DEFAULT_GRACE_SECONDS = 30;
const MAX_BODY_BYTES = 3 * 1024 * 1024;

function statusObject(error: ApiError): object {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: error.message,
    reason: error.reason,
    ...(error.details ? { details: error.details } : {}),
    code: error.code,
  };
}

function parseSelector(selector: string): Requirement[] {
  if (selector.trim() === '') return [];
  return selector.split(',').map((term) => {
    const text = term.trim();
    const match = /^([^!=\s]+)\s*(!=|==|=)\s*([^!=\s]*)$/.exec(text);
    if (match) {
      const [, key = '', operator, value = ''] = match;
      return { key, operator: operator === '!=' ? '!=' : '=', value };
    }
    if (/^![^!=\s(]+$/.test(text)) return { key: text.slice(1), operator: '!exists', value: '' };
    if (/^[^!=\s(]+$/.test(text)) return { key: text, operator: 'exists', value: '' };
    throw new ApiError(
      400,
      'BadRequest',
      `unable to parse requirement: "${text}" (this test server knows =, ==, != and existence)`,
    );
  });
}

function matches(labels: Record<string, string>, requirements: Requirement[]): boolean {
  return requirements.every(({ key, operator, value }) => {
    const actual = labels[key];
    switch (operator) {
      case '=':
        return actual === value;
      case '!=':
        return actual !== value;
      case 'exists':
        return actual !== undefined;
      case '!exists':
        return actual === undefined;
    }
  });
}

function encodeContinue(resourceVersion: number, after: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: resourceVersion, after })).toString('base64');
}

function decodeContinue(token: string): string {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && 'after' in parsed && typeof parsed.after === 'string')
      return parsed.after;
  } catch {
    // Falls through to the same answer as any other token this server did not hand out.
  }
  throw new ApiError(400, 'BadRequest', 'continue key is not valid: incorrect encoded start resourceVersion');
}

function byCodeUnits(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function isStringMap(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((item) => typeof item === 'string')
  );
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => {
      if (size > MAX_BODY_BYTES) reject(new ApiError(413, 'RequestEntityTooLarge', 'the request body is too large'));
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    request.on('error', reject);
  });
}

/** Checks a pod body the way the API server's decoding and validation would, for the fields podsync sends. */
function validatePod(
  body: unknown,
  namespace: string,
): { metadata: { name: string; namespace?: unknown; labels?: unknown; annotations?: unknown }; spec?: unknown } {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ApiError(400, 'BadRequest', 'the body must be a Pod object');
  const pod = body as { kind?: unknown; apiVersion?: unknown; metadata?: unknown; spec?: unknown };
  if (pod.kind !== undefined && pod.kind !== 'Pod')
    throw new ApiError(400, 'BadRequest', `the body is a ${String(pod.kind)}, expected a Pod`);
  if (pod.apiVersion !== undefined && pod.apiVersion !== 'v1')
    throw new ApiError(400, 'BadRequest', `apiVersion ${String(pod.apiVersion)} is not v1`);
  const metadata = (pod.metadata ?? {}) as { name?: unknown; namespace?: unknown; labels?: unknown; annotations?: unknown };
  const name = typeof metadata.name === 'string' ? metadata.name : '';
  const problems: string[] = [];
  if (!DNS_LABEL.test(name)) problems.push(`metadata.name: Invalid value: "${name}": must be a lowercase RFC 1123 label`);
  if (metadata.namespace !== undefined && metadata.namespace !== namespace) {
    throw new ApiError(
      400,
      'BadRequest',
      'the namespace of the provided object does not match the namespace sent on the request',
    );
  }
  for (const field of ['labels', 'annotations'] as const) {
    if (metadata[field] !== undefined && !isStringMap(metadata[field]))
      throw new ApiError(400, 'BadRequest', `metadata.${field} must map strings to strings`);
  }
  for (const [key, value] of Object.entries((metadata.labels ?? {}) as Record<string, string>)) {
    if (!LABEL_NAME.test(key)) problems.push(`metadata.labels: Invalid value: "${key}": not a qualified name`);
    if (!LABEL_VALUE.test(value)) problems.push(`metadata.labels: Invalid value: "${value}": not a valid label value`);
  }
  for (const key of Object.keys((metadata.annotations ?? {}) as Record<string, string>)) {
    if (!LABEL_NAME.test(key)) problems.push(`metadata.annotations: Invalid value: "${key}": not a qualified name`);
  }
  const containers = (pod.spec as { containers?: unknown } | undefined)?.containers;
  if (!Array.isArray(containers) || containers.length === 0) problems.push('spec.containers: Required value');
  else {
    containers.forEach((container: { name?: unknown; image?: unknown }, index) => {
      if (typeof container.name !== 'string' || !DNS_LABEL.test(container.name))
        problems.push(`spec.containers[${index}].name: Invalid value`);
      if (typeof container.image !== 'string' || container.image === '')
        problems.push(`spec.containers[${index}].image: Required value`);
    });
  }
  if (problems.length > 0)
    throw new ApiError(422, 'Invalid', `Pod "${name}" is invalid: ${problems.join(', ')}`, { name, kind: 'Pod' });
  return { metadata: { ...metadata, name }, spec: pod.spec };
}

/** RFC 7386 JSON merge patch: objects merge key by key, null removes, anything else (arrays too) replaces. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const merged: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = mergePatch(merged[key], value);
  }
  return merged;
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new ApiError(400, 'BadRequest', 'the body is not valid JSON');
  }
}

/** A whole number of seconds from the query or a DeleteOptions body, or undefined. */
function gracePeriodOf(query: URLSearchParams, body: string): number | undefined {
  let value: unknown = query.get('gracePeriodSeconds') ?? undefined;
  if (value === undefined && body.trim() !== '') {
    const options = parseJson(body) as { gracePeriodSeconds?: unknown } | null;
    value = options?.gracePeriodSeconds ?? undefined;
  }
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 0)
    throw new ApiError(400, 'BadRequest', `gracePeriodSeconds must be a whole number of seconds, not ${String(value)}`);
  return seconds;
}

const timestamp = (ms = Date.now()): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

/** The status the kubelet reports once every container of `pod` runs and passes its readiness check. */
function runningStatus(pod: KubePod): object {
  const now = timestamp();
  const containers = ((pod.spec as { containers?: { name?: string; image?: string }[] } | undefined)?.containers ?? []).map(
    (container) => ({
      name: container.name,
      image: container.image,
      imageID: `${container.image ?? ''}@sha256:${'0'.repeat(64)}`,
      containerID: `containerd://${randomUUID().replaceAll('-', '')}`,
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: now } },
      lastState: {},
    }),
  );
  const condition = (type: string): object => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: now });
  return {
    ...(pod.status as object),
    phase: 'Running',
    conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(condition),
    hostIP: '10.0.0.11',
    podIP: '10.244.0.17',
    startTime: now,
    containerStatuses: containers,
  };
}

interface OpenWatch {
  namespace: string;
  requirements: Requirement[];
  send(event: KubeWatchEvent): void;
}

export async function startKubeApiServer(options: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  const { host = '127.0.0.1', port = 0, historySize = 1_000, bookmarkIntervalMs = 1_000 } = options;
  const kubelet = options.kubelet ?? DEFAULT_KUBELET;
  const namespaces = new Map<string, Map<string, KubePod>>();
  const calls: KubeApiCall[] = [];
  const failures: Failure[] = [];
  /** The latest changes, oldest first, each with the resourceVersion it made. */
  const history: { namespace: string; version: number; event: KubeWatchEvent }[] = [];
  const watches = new Set<OpenWatch>();
  const timers = new Set<NodeJS.Timeout>();
  let resourceVersion = 1;

  const later = (delayMs: number, task: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      task();
    }, delayMs);
    timers.add(timer);
  };

  const podsOf = (namespace: string): Map<string, KubePod> => {
    let pods = namespaces.get(namespace);
    if (pods === undefined) {
      pods = new Map();
      namespaces.set(namespace, pods);
    }
    return pods;
  };

  /** Stamps `pod` with the next resourceVersion, stores (or drops) it, and tells the watches. */
  const change = (type: 'ADDED' | 'MODIFIED' | 'DELETED', namespace: string, pod: KubePod): KubePod => {
    resourceVersion += 1;
    pod.metadata.resourceVersion = String(resourceVersion);
    if (type === 'DELETED') podsOf(namespace).delete(pod.metadata.name);
    else podsOf(namespace).set(pod.metadata.name, pod);
    const event: KubeWatchEvent = { type, object: structuredClone(pod) };
    history.push({ namespace, version: resourceVersion, event });
    if (history.length > historySize) history.splice(0, history.length - historySize);
    for (const watch of watches) {
      if (watch.namespace === namespace && matches(pod.metadata.labels ?? {}, watch.requirements)) watch.send(event);
    }
    return pod;
  };

  const store = (namespace: string, input: Parameters<KubeApiServer['addPod']>[1]): KubePod =>
    change('ADDED', namespace, {
      ...input,
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        uid: randomUUID(),
        creationTimestamp: timestamp(),
        ...input.metadata,
        namespace,
        resourceVersion: '',
      },
      status: input.status ?? { phase: 'Pending', qosClass: 'Guaranteed' },
    });

  /** The pod of that name and uid, while it is still the same one and not terminating. */
  const stillThere = (namespace: string, name: string, uid: string): KubePod | undefined => {
    const pod = podsOf(namespace).get(name);
    return pod?.metadata.uid === uid && pod.metadata.deletionTimestamp === undefined ? pod : undefined;
  };

  /** Binds a new pod to the node and starts it, unless something else changed it first. */
  const startLater = (namespace: string, pod: KubePod, options: KubeletOptions): void => {
    const { name, uid } = pod.metadata;
    later(options.startDelayMs, () => {
      const current = stillThere(namespace, name, uid);
      const status = current?.status as { phase?: string; containerStatuses?: unknown } | undefined;
      if (current === undefined || status?.phase !== 'Pending' || status.containerStatuses !== undefined) return;
      change('MODIFIED', namespace, {
        ...current,
        spec: { ...(current.spec as object), nodeName: NODE_NAME },
        status: runningStatus(current),
      });
    });
  };

  const allPods = (namespace?: string): KubePod[] => {
    const sources = namespace === undefined ? [...namespaces.keys()].sort() : [namespace];
    // Ordered by name as code units, like the API server's storage keys, so `continue` can resume after a name.
    return sources.flatMap((name) => [...podsOf(name).values()].sort((a, b) => byCodeUnits(a.metadata.name, b.metadata.name)));
  };

  const takeFailure = (method: string): ApiError | undefined => {
    const failure = failures.find((candidate) => candidate.method === undefined || candidate.method === method);
    if (failure === undefined) return undefined;
    failure.remaining -= 1;
    if (failure.remaining <= 0) failures.splice(failures.indexOf(failure), 1);
    return new ApiError(failure.status, REASONS[failure.status] ?? 'Unknown', `injected failure: ${failure.status}`);
  };

  const failNext = (status: number, count = 1, method?: string): void => {
    if (!Number.isInteger(status) || status < 100 || status > 599) throw new RangeError(`${status} is not an HTTP status`);
    if (count > 0) failures.push({ status, remaining: count, method: method?.toUpperCase() });
  };

  const notFound = (name: string): ApiError => new ApiError(404, 'NotFound', `pods "${name}" not found`, { name, kind: 'pods' });

  const patchStatus = (namespace: string, name: string, patch: object): KubePod => {
    const pod = podsOf(namespace).get(name);
    if (pod === undefined) throw notFound(name);
    const status = (patch as { status?: unknown }).status;
    if (status !== undefined && (typeof status !== 'object' || status === null || Array.isArray(status)))
      throw new ApiError(400, 'BadRequest', 'status must be an object');
    // The status subresource changes the status only; whatever else the patch says is ignored.
    return change('MODIFIED', namespace, { ...pod, status: mergePatch(pod.status, status ?? {}) });
  };

  const remove = (namespace: string, pod: KubePod, grace: number | undefined): KubePod => {
    const bound = (pod.spec as { nodeName?: unknown } | undefined)?.nodeName !== undefined;
    const seconds = grace ?? (pod.spec as { terminationGracePeriodSeconds?: number } | undefined)?.terminationGracePeriodSeconds;
    // No kubelet runs an unbound pod, so there is nothing to wait for: it goes at once.
    // Nor when its containers stop at once, or the delete asks for no grace at all.
    if (!bound || seconds === 0 || kubelet === false || kubelet.stopDelayMs === 0)
      return change('DELETED', namespace, { ...pod });
    if (pod.metadata.deletionTimestamp !== undefined) return pod;
    const graceSeconds = seconds ?? DEFAULT_GRACE_SECONDS;
    const terminating = change('MODIFIED', namespace, {
      ...pod,
      metadata: {
        ...pod.metadata,
        deletionTimestamp: timestamp(Date.now() + graceSeconds * 1_000),
        deletionGracePeriodSeconds: graceSeconds,
      } as KubePod['metadata'],
    });
    const { name, uid } = pod.metadata;
    later(Math.min(kubelet.stopDelayMs, graceSeconds * 1_000), () => {
      const current = podsOf(namespace).get(name);
      if (current?.metadata.uid === uid) change('DELETED', namespace, { ...current });
    });
    return terminating;
  };

  /**
   * Serves `GET .../pods?watch=1`: from `resourceVersion` (what changed after it, or 410 Gone
   * when the history no longer reaches back that far), else the pods there are now as ADDED
   * events, then every change as it happens, bookmarks if asked for, until `timeoutSeconds`.
   */
  const serveWatch = (namespace: string, query: URLSearchParams, request: IncomingMessage, response: ServerResponse): void => {
    const requirements = parseSelector(query.get('labelSelector') ?? '');
    const timeoutText = query.get('timeoutSeconds');
    const timeoutSeconds = timeoutText === null || timeoutText === '' ? DEFAULT_WATCH_TIMEOUT_SECONDS : Number(timeoutText);
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 0)
      throw new ApiError(400, 'BadRequest', `timeoutSeconds must be a whole number, not ${timeoutText}`);
    const fromText = query.get('resourceVersion') ?? '';
    const from = fromText === '' || fromText === '0' ? undefined : Number(fromText);
    if (from !== undefined && !(Number.isInteger(from) && from > 0))
      throw new ApiError(400, 'BadRequest', `resourceVersion: Invalid value: "${fromText}": must be a resource version`);

    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
    response.flushHeaders();
    const selected = (pod: KubePod): boolean => matches(pod.metadata.labels ?? {}, requirements);
    const write = (event: KubeWatchEvent): void => {
      response.write(`${JSON.stringify(event)}\n`);
    };
    let closed = false;
    const watch: OpenWatch = { namespace, requirements, send: write };
    const close = (): void => {
      if (closed) return;
      closed = true;
      watches.delete(watch);
      clearInterval(bookmarks);
      clearTimeout(timeout);
      response.end();
    };

    const oldest = history[0]?.version;
    // The history holds every change after `from` only if it starts right after `from`, or later no change was dropped.
    const dropped = from !== undefined && from < resourceVersion && (oldest === undefined || oldest > from + 1);
    if (dropped) {
      write({
        type: 'ERROR',
        object: statusObject(
          new ApiError(410, 'Expired', `too old resource version: ${from} (${(oldest ?? resourceVersion + 1) - 1})`),
        ),
      });
      response.end();
      return;
    }
    if (from === undefined) {
      for (const pod of podsOf(namespace).values()) if (selected(pod)) write({ type: 'ADDED', object: structuredClone(pod) });
    } else {
      for (const entry of history) {
        if (entry.version > from && entry.namespace === namespace && selected(entry.event.object as KubePod)) write(entry.event);
      }
    }
    watches.add(watch);
    const bookmarks = setInterval(() => {
      if (query.get('allowWatchBookmarks') === 'true' || query.get('allowWatchBookmarks') === '1')
        write({
          type: 'BOOKMARK',
          object: { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: String(resourceVersion) } },
        });
    }, bookmarkIntervalMs);
    const timeout = setTimeout(close, timeoutSeconds * 1_000);
    request.once('close', close);
    response.once('close', close);
  };

  /** Serves one pods request; returns the status code and body, or throws an ApiError. */
  const servePods = async (
    method: string,
    namespace: string,
    name: string | undefined,
    subresource: string | undefined,
    query: URLSearchParams,
    body: string,
  ): Promise<[number, object]> => {
    const pods = podsOf(namespace);
    if (subresource !== undefined) {
      if (name === undefined || method !== 'PATCH')
        throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
      const patch = parseJson(body);
      if (typeof patch !== 'object' || patch === null || Array.isArray(patch))
        throw new ApiError(400, 'BadRequest', 'a merge patch must be a JSON object');
      return [200, patchStatus(namespace, name, patch)];
    }
    if (name === undefined && method === 'GET') {
      const requirements = parseSelector(query.get('labelSelector') ?? '');
      const limitText = query.get('limit');
      const limit = limitText === null || limitText === '' ? 0 : Number(limitText);
      if (!Number.isInteger(limit) || limit < 0)
        throw new ApiError(400, 'BadRequest', `limit must be a whole number, not ${limitText}`);
      const token = query.get('continue');
      const after = token === null || token === '' ? undefined : decodeContinue(token);
      const selected = allPods(namespace).filter(
        (pod) => (after === undefined || pod.metadata.name > after) && matches(pod.metadata.labels ?? {}, requirements),
      );
      const page = limit > 0 ? selected.slice(0, limit) : selected;
      const rest = selected.length - page.length;
      const last = page.at(-1);
      const metadata: Record<string, unknown> = { resourceVersion: String(resourceVersion) };
      if (rest > 0 && last !== undefined) {
        metadata.continue = encodeContinue(resourceVersion, last.metadata.name);
        // The real server cannot count what a selector would keep, so it sends the count only without one.
        if (requirements.length === 0) metadata.remainingItemCount = rest;
      }
      // Items of a list carry no kind and apiVersion of their own, as in the real API.
      const items = page.map((pod) => ({ metadata: pod.metadata, spec: pod.spec, status: pod.status }));
      return [200, { kind: 'PodList', apiVersion: 'v1', metadata, items }];
    }
    if (name === undefined && method === 'POST') {
      const parsed = parseJson(body);
      const pod = validatePod(parsed, namespace);
      const podName = pod.metadata.name;
      if (pods.has(podName))
        throw new ApiError(409, 'AlreadyExists', `pods "${podName}" already exists`, { name: podName, kind: 'pods' });
      const metadata: Partial<KubePod['metadata']> = { ...(parsed as { metadata: KubePod['metadata'] }).metadata };
      // The server, not the client, assigns these.
      for (const assigned of ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp'] as const)
        delete metadata[assigned];
      // A client cannot create a pod with a status of its own: it starts Pending.
      const input = { ...(parsed as Record<string, unknown>) };
      delete input.status;
      const created = store(namespace, { ...input, metadata: { ...metadata, name: podName } });
      if (kubelet !== false) startLater(namespace, created, kubelet);
      return [201, created];
    }
    if (name !== undefined && (method === 'GET' || method === 'DELETE')) {
      const pod = pods.get(name);
      if (pod === undefined) throw notFound(name);
      if (method === 'DELETE') return [200, remove(namespace, pod, gracePeriodOf(query, body))];
      return [200, pod];
    }
    throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', 'http://localhost');
    const reply = (status: number, body: object): void => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };

    if (url.pathname.startsWith('/_')) {
      // Test control endpoints, for tests that run this server in another process.
      if (method === 'GET' && url.pathname === '/_calls') return reply(200, calls);
      if (method === 'GET' && url.pathname === '/_pods')
        return reply(200, allPods(url.searchParams.get('namespace') ?? undefined));
      if (method === 'POST' && url.pathname === '/_fail') {
        failNext(
          Number(url.searchParams.get('status')),
          Number(url.searchParams.get('count') ?? '1'),
          url.searchParams.get('method') ?? undefined,
        );
        return reply(200, { status: 'ok' });
      }
      return reply(404, statusObject(new ApiError(404, 'NotFound', 'no such test control endpoint')));
    }

    const route = POD_PATH.exec(url.pathname);
    const namespace = route?.[1] === undefined ? undefined : decodeURIComponent(route[1]);
    const name = route?.[2] === undefined ? undefined : decodeURIComponent(route[2]);
    const subresource = route?.[3] === undefined ? undefined : 'status';
    const epochHeader = request.headers['x-podsync-epoch'];
    const replicaHeader = request.headers['x-podsync-replica'];
    const call: KubeApiCall = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      namespace,
      pod: name,
      replicaId: typeof replicaHeader === 'string' ? replicaHeader : undefined,
      epoch: typeof epochHeader === 'string' && epochHeader !== '' ? Number(epochHeader) : undefined,
      at: Date.now(),
      status: 0,
    };
    calls.push(call);

    let status: number;
    let body: object;
    try {
      const text = await readBody(request);
      if (call.pod === undefined && method === 'POST') {
        try {
          const posted = JSON.parse(text) as { metadata?: { name?: unknown } };
          if (typeof posted.metadata?.name === 'string') call.pod = posted.metadata.name;
        } catch {
          // servePods answers the bad JSON.
        }
      }
      if (namespace === undefined) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
      const injected = takeFailure(method);
      if (injected) throw injected;
      const watching = url.searchParams.get('watch');
      if (method === 'GET' && name === undefined && (watching === 'true' || watching === '1')) {
        serveWatch(namespace, url.searchParams, request, response);
        call.status = 200;
        return;
      }
      [status, body] = await servePods(method, namespace, name, subresource, url.searchParams, text);
    } catch (error) {
      const apiError = error instanceof ApiError ? error : new ApiError(500, 'InternalError', String(error));
      status = apiError.code;
      body = statusObject(apiError);
    }
    call.status = status;
    reply(status, body);
  };

  const server = createServer((request, response) => {
    void handle(request, response);
  });
  let connections = 0;
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostInUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${hostInUrl}:${address.port}`,
    calls,
    pods: allPods,
    addPod: store,
    failNext,
    patchStatus: (namespace, name, status) => patchStatus(namespace, name, { status }),
    resourceVersion: () => String(resourceVersion),
    openWatches: () => watches.size,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/**
 * A KubeConfig that points at `url` (plain HTTP, so TLS verification is off) with no credentials.
 * `kubeConfig.exportConfig()` is a valid kubeconfig file for a replica's KUBECONFIG. The client
 * library is loaded here rather than at the top so the server's own process starts in a blink.
 */
export async function kubeConfigFor(url: string, namespace = 'default'): Promise<KubeConfig> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'test', server: url, skipTLSVerify: true }],
    users: [{ name: 'test' }],
    contexts: [{ name: 'test', cluster: 'test', user: 'test', namespace }],
    currentContext: 'test',
  });
  return kubeConfig;
}

function millisecondsOption(values: Record<string, unknown>, name: string, fallback: number): number {
  const text = values[name];
  if (typeof text !== 'string') return fallback;
  const ms = Number(text);
  if (!Number.isInteger(ms) || ms < 0) throw new Error(`--${name} must be a whole number of milliseconds, not ${text}`);
  return ms;
}

/**
 * Runs the server as its own process, for the cluster tests and `npm run kube:dev`:
 * `tsx test/support/kube-api-server.ts [port] [--start-delay-ms N] [--stop-delay-ms N] [--no-kubelet]`.
 * The kubelet starts a pod after 1 s and stops a deleted one after 2 s unless told otherwise;
 * `--stop-delay-ms 0` removes a deleted pod at once. Prints `listening <url>` once it accepts
 * requests and serves until SIGTERM or SIGINT.
 */
export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'start-delay-ms': { type: 'string' },
      'stop-delay-ms': { type: 'string' },
      'no-kubelet': { type: 'boolean' },
    },
  });
  const port = positionals[0] === undefined ? 0 : Number(positionals[0]);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`the port must be a number from 0 to 65535, not ${positionals[0]}`);
  const kubelet =
    values['no-kubelet'] === true
      ? false
      : {
          startDelayMs: millisecondsOption(values, 'start-delay-ms', 1_000),
          stopDelayMs: millisecondsOption(values, 'stop-delay-ms', 2_000),
        };
  const server = await startKubeApiServer({ port, kubelet });
  process.stdout.write(`listening ${server.url}\n`);
  const stop = (): void => {
    void server.close().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

// Under vitest this module is not CommonJS, so `require` is undefined and nothing starts.
if (typeof require !== 'undefined' && typeof module !== 'undefined' && require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
