import { ApiError } from '@podsync/api-client';

export { ApiError };

/** A field the API refused, as in the error envelope's `errors`. */
export interface FieldError {
  path: string;
  message: string;
}

/** The API refused a request's fields (400 with `errors`): the form shows each message beside its field. */
export class FieldsRefusedError extends ApiError {
  constructor(
    status: number,
    message: string,
    readonly fieldErrors: FieldError[],
  ) {
    super(status, message);
    this.name = 'FieldsRefusedError';
  }
}

/** What to tell the operator: the API's own message, with a hint for the statuses that need one. */
export function adviceOf(error: ApiError): string {
  if (error.status === 403) return `${error.message} (sign in with a token of a higher role)`;
  if (error.status === 0) return `the gateway did not answer: ${error.message}`;
  return error.message;
}

/** Any failure as ApiError (status 0 when the gateway did not answer), so that the page shows one kind of error. */
export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(0, error instanceof Error ? error.message : String(error));
}
