/** A field the API refused, as in the error envelope's `errors`. */
export interface FieldError {
  path: string;
  message: string;
}

/** The API answered with an error envelope (or not at all: status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fieldErrors: FieldError[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** What to tell the operator: the API's own message, with a hint for the statuses that need one. */
  get advice(): string {
    if (this.status === 403) return `${this.message} (sign in with a token of a higher role)`;
    if (this.status === 0) return `the gateway did not answer: ${this.message}`;
    return this.message;
  }
}

/** Any failure as ApiError, so that the page shows one kind of error. */
export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(0, error instanceof Error ? error.message : String(error));
}
