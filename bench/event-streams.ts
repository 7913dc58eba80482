import { type ClientRequest, request as httpRequest } from 'node:http';

export interface OpenEventStreams {
  /** Streams that answered 200 and are still open. */
  readonly open: number;
  /** Events and heartbeat bytes received over all streams, to show they were being served. */
  readonly bytesReceived: number;
  close(): void;
}

const OPEN_TIMEOUT_MS = 10_000;

/**
 * Opens `count` GET /api/v1/events/stream connections, as dashboards and `podsync ops tail -f`
 * hold them, and keeps reading them until `close()`. Resolves once every one answered 200.
 */
export async function openEventStreams(baseUrl: string, token: string, count: number): Promise<OpenEventStreams> {
  const target = new URL('/api/v1/events/stream', baseUrl);
  const requests: ClientRequest[] = [];
  let open = 0;
  let bytesReceived = 0;
  const opening = Array.from(
    { length: count },
    () =>
      new Promise<void>((resolve, reject) => {
        const request = httpRequest(
          target,
          { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, timeout: OPEN_TIMEOUT_MS },
          (response) => {
            if (response.statusCode !== 200) {
              reject(new Error(`the event stream answered ${response.statusCode}`));
              response.resume();
              return;
            }
            open += 1;
            request.setTimeout(0);
            response.on('data', (chunk: Buffer) => {
              bytesReceived += chunk.length;
            });
            response.once('close', () => {
              open -= 1;
            });
            resolve();
          },
        );
        request.once('timeout', () => request.destroy(new Error('the event stream did not answer in time')));
        request.once('error', reject);
        request.end();
        requests.push(request);
      }),
  );
  const close = (): void => {
    for (const request of requests) request.destroy();
  };
  try {
    await Promise.all(opening);
  } catch (error) {
    close();
    throw error;
  }
  return {
    get open() {
      return open;
    },
    get bytesReceived() {
      return bytesReceived;
    },
    close,
  };
}
