import { apiErrorMessage } from '@podsync/api-client';
import { ApiRefusedError, GatewayUnreachableError } from './cli-errors';

/** What every openapi-fetch call resolves with. */
interface FetchResult<Data> {
  data?: Data;
  error?: unknown;
  response: Response;
}

/**
 * The envelope's `data` (or `message`) of a successful call; an error answer becomes an
 * ApiRefusedError with the API's message, a network failure a GatewayUnreachableError.
 * Response bodies are read as records: the gateway's document describes requests, not yet answers.
 */
export async function apiCall<Data>(url: string, call: Promise<FetchResult<Data>>): Promise<ApiAnswer> {
  let result: FetchResult<Data>;
  try {
    result = await call;
  } catch (error) {
    throw new GatewayUnreachableError(url, error);
  }
  if (!result.response.ok) throw new ApiRefusedError(result.response.status, apiErrorMessage(result.error, result.response));
  const body = (result.data ?? {}) as { data?: unknown; message?: unknown };
  return { data: body.data, message: typeof body.message === 'string' ? body.message : undefined };
}

export interface ApiAnswer {
  data: unknown;
  message: string | undefined;
}
