/** Every JSON answer of the API: `{status, message?, data?}`, plus `errors` when validation refused the request. */
export interface ApiEnvelope<Data = unknown> {
  status: 'ok' | 'error';
  message?: string;
  data?: Data;
  errors?: { path: string; message: string }[];
}

/** The gateway answered with an error status; the message is the API's own. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The message a person can act on, from an error answer's envelope (or its HTTP status when the body is not one). */
export function apiErrorMessage(body: unknown, response: Response): string {
  if (typeof body === 'object' && body !== null && 'message' in body && typeof body.message === 'string') {
    return body.message;
  }
  return `HTTP ${response.status} ${response.statusText}`.trim();
}
