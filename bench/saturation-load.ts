import autocannon from 'autocannon';
import { gatewayRequest, type IdRange, type RequestKind, requestHeaders } from './gateway-requests';
import { type LoadResult, ResponseTally } from './load-result';

export interface SaturationOptions {
  baseUrl: string;
  token: string;
  ids: IdRange;
  connections: number;
  durationSeconds: number;
}

const REQUEST_TIMEOUT_SECONDS = 10;

/**
 * Closed loop: `connections` keep-alive connections each send the next request as soon as the
 * previous one is answered, for `durationSeconds`. Latencies are taken from autocannon's per-response
 * event, in fractions of a millisecond (its own histogram rounds to whole milliseconds).
 */
export async function measureSaturation(kind: RequestKind, options: SaturationOptions): Promise<LoadResult> {
  const tally = new ResponseTally();
  const template = gatewayRequest(kind, options.ids);
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.baseUrl,
        connections: options.connections,
        duration: options.durationSeconds,
        timeout: REQUEST_TIMEOUT_SECONDS,
        requests: [
          {
            method: template.method,
            headers: requestHeaders(options.token, template),
            setupRequest: (request) => {
              const next = gatewayRequest(kind, options.ids);
              return { ...request, path: next.path, ...(next.body === undefined ? {} : { body: next.body }) };
            },
          },
        ],
      },
      (error, finished) => (error === null ? resolve(finished) : reject(error)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => tally.record(statusCode, responseTimeMs));
  });
  tally.recordErrors(result.errors);
  return tally.finish(kind, `${options.connections} connections`, result.duration);
}
