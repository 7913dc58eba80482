import { ApiError, apiErrorMessage } from './envelope';
import { SseParser } from './sse-parser';

/** The event types of GET /api/v1/events/stream. */
export type StreamEventType = 'operation' | 'pod-status' | 'leader' | 'round';

export interface StreamEvent {
  /** The resume point: send it back as Last-Event-ID to continue after this event. */
  id: string;
  type: StreamEventType;
  /** The message as published: an operation, a pod status, a leader change, a finished round. */
  data: unknown;
}

export interface EventStreamOptions {
  url: string;
  token?: string;
  clientId?: number;
  types?: readonly StreamEventType[];
  /** Resume after this event id. */
  lastEventId?: string;
  /** Aborting it ends the stream: the promise then resolves. */
  signal?: AbortSignal;
  onEvent(event: StreamEvent): void;
  /** Called once the stream is open (the gateway accepted the request). */
  onOpen?(): void;
  fetch?: typeof globalThis.fetch;
}

/**
 * Reads the gateway's event stream until the server ends it or the signal aborts; resolves with
 * the last event id seen, to resume from. Rejects with ApiError when the gateway refuses it
 * (401, 403, 400), or with the network error.
 */
export async function readEventStream(options: EventStreamOptions): Promise<string | undefined> {
  const query = new URLSearchParams();
  if (options.clientId !== undefined) query.set('clientId', String(options.clientId));
  if (options.types !== undefined && options.types.length > 0) query.set('types', options.types.join(','));
  const search = query.size > 0 ? `?${query.toString()}` : '';
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  if (options.token !== undefined && options.token !== '') headers.authorization = `Bearer ${options.token}`;
  if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId;

  const parser = new SseParser();
  parser.lastEventId = options.lastEventId ?? '';
  try {
    const response = await (options.fetch ?? globalThis.fetch)(
      `${options.url.replace(/\/+$/, '')}/api/v1/events/stream${search}`,
      {
        headers,
        signal: options.signal,
      },
    );
    if (!response.ok || response.body === null) {
      const body: unknown = await response.json().catch(() => undefined);
      throw new ApiError(response.status, apiErrorMessage(body, response));
    }
    options.onOpen?.();
    const decoder = new TextDecoder();
    for await (const chunk of response.body) {
      for (const message of parser.push(decoder.decode(chunk, { stream: true }))) {
        options.onEvent({ id: message.id, type: message.event as StreamEventType, data: JSON.parse(message.data) });
      }
    }
  } catch (error) {
    if (!(options.signal?.aborted ?? false)) throw error;
  }
  return parser.lastEventId === '' ? undefined : parser.lastEventId;
}
