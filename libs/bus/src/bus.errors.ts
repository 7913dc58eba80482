/** The message was not durably accepted; publishing it again is safe when it carries a msgId. */
export class PublishError extends Error {
  constructor(
    readonly subject: string,
    options?: ErrorOptions,
  ) {
    super(`publish to ${subject} was not acknowledged${causeText(options)}`, options);
    this.name = 'PublishError';
  }
}

/** Nobody serves the subject: in cluster mode, usually no leader at the moment. */
export class NoResponderError extends Error {
  constructor(readonly subject: string) {
    super(`nobody answers requests on ${subject}`);
    this.name = 'NoResponderError';
  }
}

export class RequestTimeoutError extends Error {
  constructor(
    readonly subject: string,
    readonly timeoutMs: number,
  ) {
    super(`no answer on ${subject} within ${timeoutMs} ms`);
    this.name = 'RequestTimeoutError';
  }
}

/** The responder received the request and its handler failed; the message is the responder's. */
export class RequestFailedError extends Error {
  constructor(
    readonly subject: string,
    readonly reason: string,
  ) {
    super(`request on ${subject} failed: ${reason}`);
    this.name = 'RequestFailedError';
  }
}

/** The bus cannot reach its server right now, or was closed. */
export class BusUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'BusUnavailableError';
  }
}

function causeText(options: ErrorOptions | undefined): string {
  return options?.cause instanceof Error ? `: ${options.cause.message}` : '';
}
