import { Inject, Injectable, type OnModuleDestroy, ServiceUnavailableException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Gauge } from 'prom-client';
import type { Logger } from 'pino';
import type { EventBus, StoredMessage, StreamFollower } from '@podsync/bus';
import { EVENT_BUS, Loggers, MetricsRegistry } from '@podsync/platform';
import { type EventCursor, FOLLOWED_STREAMS, formatEventCursor } from './event-cursor';
import { type EventStreamQuery, type StreamEventType, streamEventTypeOf } from './event-stream.query';
import { SseConnection, type SseConnectionSettings } from './sse-connection';
import { sseEvent, sseIdOnly } from './sse-frame';

/** The provider of the SseConnectionSettings, so that a test can shorten the heartbeat. */
export const EVENT_STREAM_SETTINGS = Symbol('EVENT_STREAM_SETTINGS');

export const DEFAULT_EVENT_STREAM_SETTINGS: SseConnectionSettings = {
  // Most proxies close a response idle for 30 to 60 s; a comment every 15 s stays well inside.
  heartbeatMs: 15_000,
  maxBufferedBytes: 1024 * 1024,
};

/** What a browser's EventSource waits before reconnecting (with Last-Event-ID). */
const RECONNECT_MS = 2_000;

/**
 * Serves GET /api/v1/events/stream: follows the operations and events streams from the client's
 * cursor (or from now), filters, and writes each message as an SSE event whose id is the cursor
 * after it. Each connection holds one follower per stream; they are stopped when it closes.
 */
@Injectable()
export class EventStreamService implements OnModuleDestroy {
  private readonly connections = new Set<SseConnection>();
  private readonly log: Logger;
  private readonly connectedClients: Gauge;

  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(EVENT_STREAM_SETTINGS) private readonly settings: SseConnectionSettings,
    loggers: Loggers,
    metrics: MetricsRegistry,
  ) {
    this.log = loggers.component('gateway/events');
    this.connectedClients = new Gauge({
      name: 'podsync_event_stream_clients',
      help: 'Clients connected to GET /api/v1/events/stream',
      registers: [metrics.registry],
    });
  }

  async stream(query: EventStreamQuery, resumeFrom: EventCursor | undefined, reply: FastifyReply): Promise<void> {
    // Messages that arrive while the followers start wait here, so none is lost or reordered.
    const early: [streamIndex: number, message: StoredMessage][] = [];
    let deliver = (streamIndex: number, message: StoredMessage): void => {
      early.push([streamIndex, message]);
    };
    const followers = await this.follow(resumeFrom, (streamIndex, message) => deliver(streamIndex, message));

    const cursor = followers.map((follower) => follower.startedAfter);
    const connection = new SseConnection(reply, this.settings);
    const write = (streamIndex: number, message: StoredMessage): void => {
      if (message.sequence <= (cursor[streamIndex] ?? 0)) return;
      cursor[streamIndex] = message.sequence;
      const type = streamEventTypeOf(message.subject);
      if (type === undefined || !wanted(query, type, message.payload)) return;
      connection.send(sseEvent(formatEventCursor(cursor), type, message.payload));
    };
    // An id before any event: a client that reconnects before the first one still resumes from here.
    connection.send(sseIdOnly(formatEventCursor(cursor), RECONNECT_MS));
    for (const [streamIndex, message] of early) write(streamIndex, message);
    deliver = write;

    this.connections.add(connection);
    this.connectedClients.inc();
    // A follower the bus ended (NATS gave its consumer up, the bus closed) ends the response: the
    // client reconnects with its Last-Event-ID and follows afresh, rather than waiting in silence.
    void Promise.race(followers.map((follower) => follower.ended)).then(() => connection.end());
    void connection.closed.then(async () => {
      deliver = () => undefined;
      this.connections.delete(connection);
      this.connectedClients.dec();
      await stopAll(followers);
    });
  }

  /** Ends the open streams, so that the server can close; their clients reconnect elsewhere. */
  async onModuleDestroy(): Promise<void> {
    const closing = [...this.connections].map((connection) => {
      connection.end();
      return connection.closed;
    });
    await Promise.all(closing);
  }

  private async follow(
    resumeFrom: EventCursor | undefined,
    handler: (streamIndex: number, message: StoredMessage) => void,
  ): Promise<StreamFollower[]> {
    const followers: StreamFollower[] = [];
    try {
      for (const [streamIndex, stream] of FOLLOWED_STREAMS.entries()) {
        followers.push(await this.bus.follow(stream, resumeFrom?.[streamIndex], (message) => handler(streamIndex, message)));
      }
      return followers;
    } catch (error) {
      await stopAll(followers);
      this.log.warn({ err: error }, 'could not follow the event streams');
      throw new ServiceUnavailableException('the event bus is not reachable; retry shortly');
    }
  }
}

/** Operations and pod status are about one client; leader changes and rounds are about none, so `clientId` leaves them out. */
function wanted(query: EventStreamQuery, type: StreamEventType, payload: unknown): boolean {
  if (query.types !== undefined && !query.types.has(type)) return false;
  if (query.clientId === undefined) return true;
  return typeof payload === 'object' && payload !== null && 'clientId' in payload && payload.clientId === query.clientId;
}

async function stopAll(followers: StreamFollower[]): Promise<void> {
  await Promise.all(followers.map((follower) => follower.stop()));
}
