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
