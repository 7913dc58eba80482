import type { StreamDefinition } from './streams';

export type Unsubscribe = () => void;

export interface PublishOptions {
  /**
   * Deduplication key: a second publish with the same id within the stream's duplicate
   * window is acknowledged but not stored again.
   */
  msgId?: string;
}

/** Receives a live message; a failure is logged and does not stop the subscription. */
export type MessageHandler = (payload: unknown, subject: string) => void | Promise<void>;

/** A message as a stream stores it: its place in the stream, its subject (as callers know it) and payload. */
export interface StoredMessage {
  sequence: number;
  subject: string;
  payload: unknown;
}

/** Receives a stream's messages in stream order, one at a time. */
export type StoredMessageHandler = (message: StoredMessage) => void;

export interface StreamFollower {
  /** The sequence the follower started after: every message it delivers has a larger one. */
  readonly startedAfter: number;
  /**
   * Resolves once delivery has ended, whether stop() ended it or the bus did (closed, or the
   * server gave the consumer up): a caller that still wants messages follows again.
   */
  readonly ended: Promise<void>;
  /** Stops the delivery and releases what the follower holds on the server. */
  stop(): Promise<void>;
}

/** Answers a request; a rejection reaches the requester as a RequestFailedError. */
export type RequestHandler = (payload: unknown) => Promise<unknown>;

/**
 * Messages between the apps: durable events and operations (JetStream in cluster mode), live
 * subscriptions, and request/reply for the gateway to reach the leader. Payloads travel as
 * JSON, so a Date arrives as its ISO string on every adapter.
 */
export interface EventBus {
  /**
   * Resolves once the message is durably accepted; a duplicate msgId also resolves.
   * Rejects with PublishError when the message was not acknowledged in bounded time.
   */
  publish(subject: string, payload: unknown, options?: PublishOptions): Promise<void>;

  /** Live messages on subjects matching the pattern (`*` one token, `>` the rest). */
  subscribe(subjectPattern: string, handler: MessageHandler): Unsubscribe;

  /**
   * The messages the stream stores after `afterSequence`, in order, then each new one as it is
   * stored. Without `afterSequence`, or with one beyond the stream's end (a stream created
   * afresh), it starts at the stream's current end. Messages the stream no longer holds are
   * skipped: the stream keeps a bounded history.
   */
  follow(stream: StreamDefinition, afterSequence: number | undefined, handler: StoredMessageHandler): Promise<StreamFollower>;

  /**
   * Asks one server of the subject. Rejects with NoResponderError when nobody serves it,
   * RequestTimeoutError when no answer comes in time, RequestFailedError when its handler failed.
   */
  request(subject: string, payload: unknown, timeoutMs: number): Promise<unknown>;

  /** Answers requests on the subject; with several servers each request goes to one of them. */
  serve(subject: string, handler: RequestHandler): Unsubscribe;

  /** Throws BusUnavailableError when the bus cannot reach its server. */
  ping(): Promise<void>;

  close(): Promise<void>;
}
