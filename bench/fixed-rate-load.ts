import { Agent, request as httpRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { gatewayRequest, type IdRange, type RequestKind, requestHeaders } from './gateway-requests';
import { type LoadResult, ResponseTally } from './load-result';

export interface FixedRateOptions {
  baseUrl: string;
  token: string;
  ids: IdRange;
  requestsPerSecond: number;
  durationSeconds: number;
  /** Repeated in order: [create, status, read, read, read] is 20/20/60. */
  mix: readonly RequestKind[];
  /** Upper bound of connections; more requests than this in flight wait for one. */
  maxConnections: number;
}

const REQUEST_TIMEOUT_MS = 10_000;
const DRAIN_TIMEOUT_MS = 15_000;

/**
 * Open loop: request i is sent at start + i / rate whether or not earlier ones were answered, so a
 * slow answer cannot hold back the load (autocannon's rate limit instead releases each
 * connection's quota in one burst at the start of every second). Latency runs from the moment the
 * request was due, so time spent waiting in the generator counts too.
 */
export async function measureFixedRate(options: FixedRateOptions): Promise<LoadResult> {
  const target = new URL(options.baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxConnections });
  const tally = new ResponseTally();
  const total = Math.round(options.requestsPerSecond * options.durationSeconds);
  const intervalMs = 1000 / options.requestsPerSecond;
  let inFlight = 0;
  let closed = false;

  const send = (index: number, dueAt: number): void => {
    const kind = options.mix[index % options.mix.length] ?? 'read';
    const next = gatewayRequest(kind, options.ids);
    inFlight += 1;
    let settled = false;
    const settle = (statusCode: number | undefined): void => {
      if (settled || closed) return;
      settled = true;
      inFlight -= 1;
      if (statusCode === undefined) tally.recordErrors(1);
      else tally.record(statusCode, performance.now() - dueAt, kind);
    };
    const req = httpRequest(
      {
        agent,
        host: target.hostname,
        port: target.port,
        method: next.method,
        path: next.path,
        headers: requestHeaders(options.token, next),
        timeout: REQUEST_TIMEOUT_MS,
      },
      (res) => {
        res.on('end', () => settle(res.statusCode));
        res.on('error', () => settle(undefined));
        res.resume();
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', () => settle(undefined));
    req.end(next.body);
  };

  const startedAt = performance.now();
  for (let index = 0; index < total;) {
    const now = performance.now();
    for (; index < total && startedAt + index * intervalMs <= now; index += 1) send(index, startedAt + index * intervalMs);
    if (index < total) await sleep(Math.max(0, startedAt + index * intervalMs - performance.now()));
  }
  const drainDeadline = performance.now() + DRAIN_TIMEOUT_MS;
  while (inFlight > 0 && performance.now() < drainDeadline) await sleep(10);
  const durationSeconds = (performance.now() - startedAt) / 1000;
  closed = true;
  tally.recordErrors(inFlight);
  agent.destroy();
  return tally.finish('mixed', `${options.requestsPerSecond} req/s`, durationSeconds);
}
