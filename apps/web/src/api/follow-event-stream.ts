import { type ServerSentEvent, ServerSentEventParser } from './server-sent-events';

export type StreamStatus = 'connecting' | 'live' | 'reconnecting';

export interface FollowOptions {
  /** Opens the stream, resuming after `lastEventId` when there is one; throws when the API refuses. */
  open: (lastEventId: string | undefined, signal: AbortSignal) => Promise<ReadableStream<Uint8Array>>;
  onEvent: (event: ServerSentEvent) => void;
  onStatus: (status: StreamStatus) => void;
  signal: AbortSignal;
}

/** First wait after a dropped stream, and the longest: doubling in between, back to the first once connected. */
const RECONNECT_FIRST_MS = 1_000;
const RECONNECT_MAX_MS = 15_000;

/**
 * Follows the event stream until `signal` aborts: reads it, and when it ends or fails,
 * reconnects with Last-Event-ID so that no event in between is lost (what EventSource
 * does, here over fetch so the request can carry the bearer token in a header).
 */
export async function followEventStream({ open, onEvent, onStatus, signal }: FollowOptions): Promise<void> {
  let lastEventId: string | undefined;
  let waitMs = RECONNECT_FIRST_MS;
  onStatus('connecting');
  while (!signal.aborted) {
    const parser = new ServerSentEventParser();
    const decoder = new TextDecoder();
    try {
      const reader = (await open(lastEventId, signal)).getReader();
      onStatus('live');
      waitMs = RECONNECT_FIRST_MS;
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        // stream: a character split between two chunks is decoded once both arrived.
        for (const event of parser.push(decoder.decode(chunk.value, { stream: true }))) {
          if (event.id !== '') lastEventId = event.id;
          onEvent(event);
        }
      }
    } catch {
      // Refused, dropped or aborted: the loop's condition and the wait below tell which.
    }
    if (signal.aborted) return;
    onStatus('reconnecting');
    await sleep(parser.retryMs ?? waitMs, signal);
    waitMs = Math.min(waitMs * 2, RECONNECT_MAX_MS);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}
