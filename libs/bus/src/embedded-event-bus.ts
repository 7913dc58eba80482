import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
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
import { STREAMS, type StreamDefinition } from './streams';
import { subjectMatches } from './subject-matches';
import { decodePayload, decodeReply, encodeFailure, encodePayload, encodeResult } from './wire';
import { withTimeout } from './with-timeout';

export interface EmbeddedEventBusOptions {
  logger: Logger;
  /** Milliseconds clock of the duplicate windows. */
  now?: () => number;
  /** Messages each stream keeps for followers that resume; default EMBEDDED_STREAM_HISTORY. */
  streamHistory?: number;
}

/**
 * Messages each in-process stream keeps, so that a follower that reconnects (an event stream
 * client sending Last-Event-ID) resumes without a gap. JetStream keeps days; one process
 * keeps what a short reconnect needs, in bounded memory.
 */
export const EMBEDDED_STREAM_HISTORY = 1_000;

/** A stored message still encoded, so that every follower decodes a copy of its own. */
interface EncodedMessage {
  sequence: number;
  subject: string;
  text: string;
}

/** A stream's recent messages, oldest first, and the sequence of the last one stored. */
interface StreamHistory {
  lastSequence: number;
  messages: EncodedMessage[];
}

interface Server {
  pattern: string;
  handler: RequestHandler;
}

/**
 * The in-process bus of `npm start`: the same contract as NATS within one process. Only
 * subjects a stream stores are accepted, and message ids are remembered for their stream's
 * duplicate window, so code that works here behaves the same against JetStream.
 */
export class EmbeddedEventBus implements EventBus {
  private readonly emitter = new EventEmitter();
  /** Per stream, message id to the time it leaves the window; insertion order is expiry order. */
  private readonly seenIds = new Map<string, Map<string, number>>();
  private readonly histories = new Map<string, StreamHistory>();
  private readonly streamHistory: number;
  private servers: Server[] = [];
  private nextServer = 0;
  private closed = false;
  private readonly logger: Logger;
  private readonly now: () => number;

  constructor(options: EmbeddedEventBusOptions) {
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
    this.streamHistory = options.streamHistory ?? EMBEDDED_STREAM_HISTORY;
    // Every subscription is one listener; their number is the callers' business.
    this.emitter.setMaxListeners(0);
  }

  async publish(subject: string, payload: unknown, options?: PublishOptions): Promise<void> {
    if (this.closed) throw new PublishError(subject, { cause: new BusUnavailableError('the event bus is closed') });
    const stream = STREAMS.find((definition) => definition.subjects.some((pattern) => subjectMatches(pattern, subject)));
    if (stream === undefined) throw new PublishError(subject, { cause: new Error('no stream stores this subject') });
    if (options?.msgId !== undefined && this.isDuplicate(stream, options.msgId)) return;
    const text = encodePayload(payload);
    this.store(stream, subject, text);
    this.emitter.emit('message', subject, text);
  }

  subscribe(subjectPattern: string, handler: MessageHandler): Unsubscribe {
    const listener = (subject: string, text: string): void => {
      if (!subjectMatches(subjectPattern, subject)) return;
      // Delivered after publish returns, as over the network, and isolated from the publisher's errors.
      void Promise.resolve()
        .then(() => handler(decodePayload(text), subject))
        .catch((error: unknown) => this.logger.error({ err: error, subject }, 'event bus subscriber failed'));
    };
    this.emitter.on('message', listener);
    return () => this.emitter.off('message', listener);
  }

  async follow(
    stream: StreamDefinition,
    afterSequence: number | undefined,
    handler: StoredMessageHandler,
  ): Promise<StreamFollower> {
    if (this.closed) throw new BusUnavailableError('the event bus is closed');
    const history = this.history(stream.name);
    const startedAfter = Math.min(afterSequence ?? history.lastSequence, history.lastSequence);
    // Each delivery is a microtask queued in stream order: the backlog first, then what publish stores.
    const deliver = ({ sequence, subject, text }: EncodedMessage): void => {
      void Promise.resolve()
        .then(() => handler({ sequence, subject, payload: decodePayload(text) }))
        .catch((error: unknown) => this.logger.error({ err: error, stream: stream.name }, 'stream follower failed'));
    };
    for (const message of history.messages) if (message.sequence > startedAfter) deliver(message);
    const listener = (streamName: string, message: EncodedMessage): void => {
      if (streamName === stream.name) deliver(message);
    };
    this.emitter.on('stored', listener);
    let end = (): void => undefined;
    const ended = new Promise<void>((resolve) => {
      end = resolve;
    });
    // close() removes every listener: the follower ends with the bus.
    const onClose = (): void => end();
    this.emitter.once('close', onClose);
    return {
      startedAfter,
      ended,
      stop: async () => {
        this.emitter.off('stored', listener);
        this.emitter.off('close', onClose);
        end();
      },
    };
  }

  /** Followers currently attached, all streams together: what a stopped follower must give back. */
  followerCount(): number {
    return this.emitter.listenerCount('stored');
  }

  async request(subject: string, payload: unknown, timeoutMs: number): Promise<unknown> {
    if (this.closed) throw new BusUnavailableError('the event bus is closed');
    const candidates = this.servers.filter((server) => subjectMatches(server.pattern, subject));
    // Round robin stands in for the NATS queue group: one server answers each request.
    const server = candidates[this.nextServer++ % Math.max(candidates.length, 1)];
    if (server === undefined) throw new NoResponderError(subject);
    const answer = Promise.resolve()
      .then(() => server.handler(decodePayload(encodePayload(payload))))
      .then(encodeResult, (error: unknown) => {
        this.logger.warn({ err: error, subject }, 'request handler failed');
        return encodeFailure(error);
      });
    return decodeReply(subject, await withTimeout(answer, timeoutMs, () => new RequestTimeoutError(subject, timeoutMs)));
  }

  serve(subject: string, handler: RequestHandler): Unsubscribe {
    const server: Server = { pattern: subject, handler };
    this.servers.push(server);
    return () => {
      this.servers = this.servers.filter((registered) => registered !== server);
    };
  }

  async ping(): Promise<void> {
    if (this.closed) throw new BusUnavailableError('the event bus is closed');
  }

  async close(): Promise<void> {
    this.closed = true;
    this.emitter.emit('close');
    this.emitter.removeAllListeners();
    this.servers = [];
  }

  private history(streamName: string): StreamHistory {
    let history = this.histories.get(streamName);
    if (history === undefined) {
      history = { lastSequence: 0, messages: [] };
      this.histories.set(streamName, history);
    }
    return history;
  }

  private store(stream: StreamDefinition, subject: string, text: string): void {
    const history = this.history(stream.name);
    history.lastSequence += 1;
    const message: EncodedMessage = { sequence: history.lastSequence, subject, text };
    history.messages.push(message);
    if (history.messages.length > this.streamHistory) history.messages.shift();
    this.emitter.emit('stored', stream.name, message);
  }

  private isDuplicate(stream: StreamDefinition, msgId: string): boolean {
    let seen = this.seenIds.get(stream.name);
    if (seen === undefined) {
      seen = new Map();
      this.seenIds.set(stream.name, seen);
    }
    const now = this.now();
    for (const [id, expiresAt] of seen) {
      if (expiresAt > now) break;
      seen.delete(id);
    }
    if (seen.has(msgId)) return true;
    seen.set(msgId, now + stream.duplicateWindowMs);
    return false;
  }
}
