import { KubeConfig, type RequestContext } from '@kubernetes/client-node';
import { Agent, type Dispatcher } from 'undici';
import { LeaseLostError, type Lease } from '../leader/leader-elector';

/** Sent on every API request so the API server's audit log names the replica and the epoch behind it. */
export const REPLICA_HEADER = 'X-Podsync-Replica';
export const EPOCH_HEADER = 'X-Podsync-Epoch';

export interface LeaseGate {
  replicaId: string;
  /** The lease of the current term, or undefined while this replica is not leader. */
  currentLease: () => Lease | undefined;
  /** How long a response body may stay silent; above the watch timeout, so a quiet watch is not cut. */
  bodyTimeoutMs: number;
}

/** Why `lease` no longer holds, or undefined while it does. */
export function lossOf(lease: Lease): LeaseLostError | undefined {
  try {
    lease.assertValid();
    return undefined;
  } catch (error) {
    return error instanceof LeaseLostError ? error : new LeaseLostError('expired', { cause: error });
  }
}

/** Why a request must not go out under `lease` now, or undefined when the lease it was made under still holds. */
function refusal(lease: Lease | undefined, epoch: number | undefined): LeaseLostError | undefined {
  if (lease === undefined) return new LeaseLostError('not-leader');
  const lost = lossOf(lease);
  if (lost !== undefined) return lost;
  // The lease of another term: the request was made under one that has ended since.
  if (epoch !== undefined && epoch !== lease.epoch) return new LeaseLostError('expired');
  return undefined;
}

function epochHeaderOf(headers: Dispatcher.DispatchOptions['headers']): number | undefined {
  const name = EPOCH_HEADER.toLowerCase();
  let value: unknown;
  if (Array.isArray(headers)) {
    const flat = headers.flat() as unknown[];
    const index = flat.findIndex((item) => typeof item === 'string' && item.toLowerCase() === name);
    value = index >= 0 ? flat[index + 1] : undefined;
  } else if (headers !== null && typeof headers === 'object' && !(Symbol.iterator in headers)) {
    value = Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
  }
  return typeof value === 'string' && value !== '' ? Number(value) : undefined;
}

function isAsyncIterable(body: unknown): body is AsyncIterable<Uint8Array | string> {
  return typeof body === 'object' && body !== null && Symbol.asyncIterator in body && !(body instanceof Uint8Array);
}

async function bodyBytes(body: AsyncIterable<Uint8Array | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** The controller of a request that failed before it was dispatched. */
function failedController(reason: unknown): Dispatcher.DispatchController {
  return {
    aborted: true,
    paused: false,
    reason: reason instanceof Error ? reason : null,
    abort: () => undefined,
    pause: () => undefined,
    resume: () => undefined,
  };
}

/**
 * Passes every callback through, except that it refuses the request at the last moment undici
 * gives: `onRequestStart` runs on the connected socket right before the request line is
 * written, so a request held up by a pause (in a queue, in a TCP connect) is dropped here if
 * the lease lapsed meanwhile, before a byte of it leaves.
 */
class LeaseCheckedHandler implements Dispatcher.DispatchHandler {
  constructor(
    private readonly inner: Dispatcher.DispatchHandler,
    private readonly check: () => LeaseLostError | undefined,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.inner.onRequestStart?.(controller, context);
    // Checked after the inner handler's own work, so that as little as possible runs between the
    // check and the write: a pause that lands in between still lets the request out on waking.
    const refused = this.check();
    if (refused !== undefined) controller.abort(refused);
  }

  onRequestUpgrade(...args: Parameters<NonNullable<Dispatcher.DispatchHandler['onRequestUpgrade']>>): void {
    this.inner.onRequestUpgrade?.(...args);
  }

  onResponseStart(...args: Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseStart']>>): void {
    this.inner.onResponseStart?.(...args);
  }

  onResponseData(...args: Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseData']>>): void {
    this.inner.onResponseData?.(...args);
  }

  onResponseEnd(...args: Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseEnd']>>): void {
    this.inner.onResponseEnd?.(...args);
  }

  onResponseError(...args: Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseError']>>): void {
    this.inner.onResponseError?.(...args);
  }

  onResponseStarted(): void {
    this.inner.onResponseStarted?.();
  }

  onBodySent(chunk: Buffer): void {
    this.inner.onBodySent?.(chunk);
  }

  onRequestSent(): void {
    this.inner.onRequestSent?.();
  }
}

/**
 * The KubeConfig of one API server, for a replica whose pod calls may go out only under a valid
 * lease (DESIGN §4). The client library builds a new connection pool per request (a fresh TCP
 * connection, so a call begun just before a pause can leave after the wake); here every request
 * — the generated API's and the Watch's, both of which end in applySecurityAuthentication — gets
 * one shared keep-alive dispatcher, the replica and epoch headers, and the lease check right
 * before the request is written.
 */
export class LeasedKubeConfig extends KubeConfig {
  private pool: Dispatcher | undefined;
  private dispatcher: Dispatcher | undefined;

  constructor(
    source: KubeConfig,
    private readonly gate: LeaseGate,
  ) {
    super();
    this.loadFromOptions({
      clusters: source.clusters,
      users: source.users,
      contexts: source.contexts,
      currentContext: source.currentContext,
    });
  }

  /**
   * The current lease, checked: the one a request about to be made belongs to. Throws the
   * reason a request must not go out now: no lease, a lapsed one, or one of another term than
   * `epoch`, the term the request was made in.
   */
  validLease(epoch?: number): Lease {
    const lease = this.gate.currentLease();
    const refused = refusal(lease, epoch);
    if (refused !== undefined) throw refused;
    return lease as Lease;
  }

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    const lease = this.validLease();
    // Sets the credentials' headers, and with TLS material a new dispatcher we replace.
    await super.applySecurityAuthentication(context);
    context.setHeaderParam(REPLICA_HEADER, this.gate.replicaId);
    context.setHeaderParam(EPOCH_HEADER, String(lease.epoch));
    this.dispatcher ??= this.sharedDispatcher(context.getDispatcher());
    context.setDispatcher(this.dispatcher);
  }

  /** Closes the shared connections, cutting any watch still open. */
  async close(): Promise<void> {
    await this.pool?.destroy();
  }

  /**
   * One pool for this API server: the library's TLS-configured agent when it made one (its
   * socket options already keep connections alive), else a plain one; every request through it
   * passes the lease check.
   */
  private sharedDispatcher(made: Dispatcher | undefined): Dispatcher {
    const pool = made ?? new Agent();
    this.pool = pool;
    const gate = this.gate;
    const bodyTimeout = gate.bodyTimeoutMs;
    return pool.compose((dispatch) => (options, handler) => {
      const checked = new LeaseCheckedHandler(handler, () => refusal(gate.currentLease(), epochHeaderOf(options.headers)));
      const send = (body: Dispatcher.DispatchOptions['body']): boolean => dispatch({ ...options, body, bodyTimeout }, checked);
      if (!isAsyncIterable(options.body)) return send(options.body);
      // fetch hands a request body over as an async iterable, which undici writes only after
      // awaiting its first chunk: the request would leave some ticks after the lease check, and
      // after the wake if the process is paused in between. Read whole (a pod manifest is a few
      // kB), it is written in the same synchronous step as the check.
      bodyBytes(options.body).then(send, (error: unknown) =>
        checked.onResponseError(failedController(error), error instanceof Error ? error : new Error(String(error))),
      );
      return true;
    });
  }
}
