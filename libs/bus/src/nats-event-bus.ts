import {
  DiscardPolicy,
  jetstream,
  JetStreamApiCodes,
  JetStreamApiError,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { type Context, context, propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import {
  ClosedConnectionError,
  connect,
  headers as natsHeaders,
  Match,
  type Msg,
  type MsgHdrs,
  nanos,
  type NatsConnection,
  NoRespondersError,
  RequestError,
  TimeoutError,
} from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { currentTraceCarrier } from '@podsync/domain';
import { BusUnavailableError, NoResponderError, PublishError, RequestTimeoutError } from './bus.errors';
import type {
  EventBus,
  MessageHandler,
  PublishOptions,
  RequestHandler,
  StoredMessageHandler,
  StreamFollower,
  Unsubscribe,
} from './event-bus';
import { BusPrefix, type StreamDefinition } from './streams';
import { decodePayload, decodeReply, encodeFailure, encodePayload, encodeResult } from './wire';
import { withTimeout } from './with-timeout';

export interface NatsEventBusOptions {
  /** NATS server URLs; a single string may list several, comma-separated. */
  servers: string | readonly string[];
  logger: Logger;
  /** Prefixes every subject and stream name, so installations (and tests) sharing a server do not collide. */
  prefix?: string;
  /** Shown by the server's monitoring, e.g. the replica id. */
  connectionName?: string;
  /**
   * How long a publish waits for its JetStream acknowledgement. While disconnected the client
   * buffers the message, so this is also what bounds a publish during an outage.
   */
  publishTimeoutMs?: number;
  /** Pause between reconnect attempts; attempts never stop. */
  reconnectWaitMs?: number;
  /** Bound of the first connection attempt. */
  connectTimeoutMs?: number;
}

/** Request/reply servers of a subject form this queue group, so each request is answered once. */
const SERVE_QUEUE = 'podsync';

/**
 * A follower's consumer that nobody pulls from for this long is removed by the server: the
 * safety net for a process that died without stopping it (stop() deletes it at once).
 */
const FOLLOWER_INACTIVE_THRESHOLD_MS = 60_000;

/** NATS core for live messages and request/reply, JetStream for durable publishes. */
export class NatsEventBus implements EventBus {
  private readonly statusWatch: Promise<void>;

  private constructor(
    private readonly connection: NatsConnection,
    private readonly jetStream: JetStreamClient,
    private readonly manager: JetStreamManager,
    private readonly prefix: BusPrefix,
    private readonly logger: Logger,
    private readonly publishTimeoutMs: number,
  ) {
    this.statusWatch = this.watchStatus();
  }

  /** Connects and creates or updates the streams; rejects when no server can be reached. */
  static async connect(options: NatsEventBusOptions): Promise<NatsEventBus> {
    const prefix = new BusPrefix(options.prefix);
    const publishTimeoutMs = options.publishTimeoutMs ?? 5_000;
    const servers = (typeof options.servers === 'string' ? [options.servers] : options.servers)
      .flatMap((entry) => entry.split(','))
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '');
    const connection = await connect({
      servers,
      name: options.connectionName,
      maxReconnectAttempts: -1,
      reconnectTimeWait: options.reconnectWaitMs ?? 1_000,
      timeout: options.connectTimeoutMs ?? 5_000,
    });
    try {
      const manager = await jetstreamManager(connection, { timeout: publishTimeoutMs });
      await ensureStreams(manager, prefix.streams());
      const bus = new NatsEventBus(connection, jetstream(connection), manager, prefix, options.logger, publishTimeoutMs);
      options.logger.info({ server: connection.getServer(), prefix: options.prefix }, 'connected to NATS');
      return bus;
    } catch (error) {
      await connection.close();
      throw error;
    }
  }

  async publish(subject: string, payload: unknown, options?: PublishOptions): Promise<void> {
    try {
      // A duplicate msgId is acknowledged with `duplicate: true`: the stream already holds it.
      await this.jetStream.publish(this.prefix.subject(subject), encodePayload(payload), {
        ...(options?.msgId === undefined ? {} : { msgID: options.msgId }),
        ...traceHeaders(),
        timeout: this.publishTimeoutMs,
      });
    } catch (error) {
      throw new PublishError(subject, { cause: error });
    }
  }

  subscribe(subjectPattern: string, handler: MessageHandler): Unsubscribe {
    const subscription = this.connection.subscribe(this.prefix.subject(subjectPattern), {
      callback: (error, message) => {
        if (error !== null) {
          this.logger.error({ err: error, subject: subjectPattern }, 'event bus subscription failed');
          return;
        }
        const subject = this.prefix.unprefixed(message.subject);
        // The handler continues the publisher's trace when the message carries one.
        void context.with(publisherContext(message.headers), () =>
          Promise.resolve()
            .then(() => handler(decodePayload(message.string()), subject))
            .catch((failure: unknown) => this.logger.error({ err: failure, subject }, 'event bus subscriber failed')),
        );
      },
    });
    return () => subscription.unsubscribe();
  }

  async follow(
    stream: StreamDefinition,
    afterSequence: number | undefined,
    handler: StoredMessageHandler,
  ): Promise<StreamFollower> {
    const name = this.prefix.stream(stream).name;
    const { state } = await this.manager.streams.info(name);
    const startedAfter = Math.min(afterSequence ?? state.last_seq, state.last_seq);
    // An ordered consumer: ephemeral, no acks, and the client recreates it from the last sequence
    // it saw when a message goes missing, so delivery stays gapless and in order.
    const consumer = await this.jetStream.consumers.get(name, {
      opt_start_seq: startedAfter + 1,
      inactive_threshold: FOLLOWER_INACTIVE_THRESHOLD_MS,
    });
    const messages = await consumer.consume();
    const delivery = (async () => {
      for await (const message of messages) {
        const subject = this.prefix.unprefixed(message.subject);
        try {
          handler({ sequence: message.seq, subject, payload: decodePayload(message.string()) });
        } catch (error) {
          this.logger.error({ err: error, stream: name, subject }, 'stream follower failed');
        }
      }
    })();
    return {
      startedAfter,
      ended: delivery,
      stop: async () => {
        await messages.close();
        await delivery;
        // The server would drop it after the inactive threshold; deleting it now leaves nothing behind.
        await consumer.delete().catch(() => false);
      },
    };
  }

  async request(subject: string, payload: unknown, timeoutMs: number): Promise<unknown> {
    let reply: Msg;
    try {
      reply = await this.connection.request(this.prefix.subject(subject), encodePayload(payload), { timeout: timeoutMs });
    } catch (error) {
      throw requestError(subject, timeoutMs, error);
    }
    return decodeReply(subject, reply.string());
  }

  serve(subject: string, handler: RequestHandler): Unsubscribe {
    const subscription = this.connection.subscribe(this.prefix.subject(subject), {
      queue: SERVE_QUEUE,
      callback: (error, message) => {
        if (error !== null) {
          this.logger.error({ err: error, subject }, 'request subscription failed');
          return;
        }
        void this.answer(subject, message, handler);
      },
    });
    return () => subscription.unsubscribe();
  }

  async ping(): Promise<void> {
    try {
      await withTimeout(
        this.connection.rtt(),
        this.publishTimeoutMs,
        () => new Error(`no answer within ${this.publishTimeoutMs} ms`),
      );
    } catch (error) {
      throw new BusUnavailableError(`NATS is not reachable: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
  }

  async close(): Promise<void> {
    if (!this.connection.isClosed()) {
      try {
        // Drain delivers what subscribers already received and flushes what was published.
        await withTimeout(this.connection.drain(), this.publishTimeoutMs, () => new Error('drain timed out'));
      } catch {
        // Disconnected, the drain cannot flush: close without it.
        await this.connection.close();
      }
    }
    await this.statusWatch;
  }

  private async answer(subject: string, message: Msg, handler: RequestHandler): Promise<void> {
    let reply: string;
    try {
      reply = encodeResult(await handler(decodePayload(message.string())));
    } catch (error) {
      this.logger.warn({ err: error, subject }, 'request handler failed');
      reply = encodeFailure(error);
    }
    // A requester that gave up, or a connection that dropped, leaves nobody to answer.
    message.respond(reply);
  }

  private async watchStatus(): Promise<void> {
    for await (const status of this.connection.status()) {
      switch (status.type) {
        case 'disconnect':
          this.logger.warn({ server: status.server }, 'disconnected from NATS; reconnecting');
          break;
        case 'reconnect':
          this.logger.info({ server: status.server }, 'reconnected to NATS');
          // A server restarted without its store lost the streams; publishing needs them back.
          ensureStreams(this.manager, this.prefix.streams()).catch((error: unknown) =>
            this.logger.error({ err: error }, 'could not restore the JetStream streams after reconnecting'),
          );
          break;
        case 'error':
          this.logger.error({ err: status.error }, 'NATS connection error');
          break;
        default:
          break;
      }
    }
  }
}

/**
 * The active trace context as W3C `traceparent` / `tracestate` headers, so that whoever consumes
 * the message continues the trace; none outside a trace or with tracing off.
 */
function traceHeaders(): { headers?: MsgHdrs } {
  const carrier = currentTraceCarrier();
  if (carrier === null) return {};
  const headers = natsHeaders();
  for (const [name, value] of Object.entries(carrier)) headers.set(name, value);
  return { headers };
}

/** The trace context a message's headers carry; NATS matches header names case-sensitively unless told. */
function publisherContext(headers: MsgHdrs | undefined): Context {
  if (headers === undefined) return context.active();
  return propagation.extract(ROOT_CONTEXT, headers, {
    keys: (carrier) => carrier.keys(),
    get: (carrier, key) => carrier.get(key, Match.IgnoreCase) || undefined,
  });
}

/** Creates each stream, or brings an existing one to this configuration. */
async function ensureStreams(manager: JetStreamManager, streams: StreamDefinition[]): Promise<void> {
  for (const stream of streams) {
    const config = {
      subjects: stream.subjects,
      duplicate_window: nanos(stream.duplicateWindowMs),
      max_age: nanos(stream.maxAgeMs),
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
    };
    try {
      await manager.streams.info(stream.name);
    } catch (error) {
      if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)) throw error;
      await manager.streams.add({ name: stream.name, ...config });
      continue;
    }
    await manager.streams.update(stream.name, config);
  }
}

function requestError(subject: string, timeoutMs: number, error: unknown): Error {
  if (error instanceof NoRespondersError || (error instanceof RequestError && error.isNoResponders())) {
    return new NoResponderError(subject);
  }
  if (error instanceof TimeoutError) return new RequestTimeoutError(subject, timeoutMs);
  if (error instanceof ClosedConnectionError || error instanceof RequestError) {
    return new BusUnavailableError(`request on ${subject} failed: ${error.message}`, { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}
