import { ApiError, readEventStream, type StreamEvent } from '@podsync/api-client';
import { signInRequired } from './api';
import { sessionToken } from './session-token';

export type StreamStatus = 'connecting' | 'live' | 'reconnecting';

export interface FollowOptions {
  onEvent: (event: StreamEvent) => void;
  onStatus: (status: StreamStatus) => void;
  signal: AbortSignal;
}

/** First wait after a dropped stream, and the longest: doubling in between, back to the first once connected. */
const RECONNECT_FIRST_MS = 1_000;
const RECONNECT_MAX_MS = 15_000;

/**
 * Follows the gateway's event stream until `signal` aborts: when it ends or drops, opens it
 * again with Last-Event-ID so that no event in between is lost, as EventSource would. It is
 * read with fetch (readEventStream of the API client) rather than EventSource so that the
 * bearer token travels in the Authorization header, never in the URL. A 401 asks for a token.
 */
export async function followEventStream({ onEvent, onStatus, signal }: FollowOptions): Promise<void> {
  let lastEventId: string | undefined;
  let waitMs = RECONNECT_FIRST_MS;
  onStatus('connecting');
  while (!signal.aborted) {
    try {
      await readEventStream({
        url: window.location.origin,
        token: sessionToken.read(),
        lastEventId,
        signal,
        onOpen: () => {
          onStatus('live');
          waitMs = RECONNECT_FIRST_MS;
        },
        onEvent: (event) => {
          lastEventId = event.id;
          onEvent(event);
        },
      });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        signInRequired();
        return;
      }
      // Refused otherwise, or dropped: try again after the wait below.
    }
    if (signal.aborted) return;
    onStatus('reconnecting');
    await sleep(waitMs, signal);
    waitMs = Math.min(waitMs * 2, RECONNECT_MAX_MS);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}
