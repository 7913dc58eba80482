import { readEventStream, type EventStreamOptions, type StreamEvent } from '@podsync/api-client';
import { waitUntil } from './wait-until';

/** A client of GET /api/v1/events/stream that keeps what it receives, for a test to inspect. */
export interface EventStreamReader {
  readonly events: StreamEvent[];
  /** Resolves with the last event id once the stream ends; rejects when the gateway refused it. */
  readonly finished: Promise<string | undefined>;
  /** Waits until `count` events have arrived (bounded). */
  received(count: number): Promise<StreamEvent[]>;
  close(): Promise<string | undefined>;
}

/** Opens the stream and resolves once the gateway has accepted it (or rejects with its refusal). */
export async function openEventStream(
  options: Omit<EventStreamOptions, 'onEvent' | 'onOpen' | 'signal'>,
): Promise<EventStreamReader> {
  const events: StreamEvent[] = [];
  const abort = new AbortController();
  let opened!: () => void;
  const open = new Promise<void>((resolve) => {
    opened = resolve;
  });
  const finished = readEventStream({ ...options, signal: abort.signal, onOpen: opened, onEvent: (event) => events.push(event) });
  await Promise.race([open, finished]);
  return {
    events,
    finished,
    async received(count) {
      await waitUntil(() => events.length >= count, `${count} events (got ${events.length})`);
      return events.slice(0, count);
    },
    close() {
      abort.abort();
      return finished;
    },
  };
}
