import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from '@podsync/api-client';
import { ApiError, type FieldError } from './api-error';
import { sessionToken } from './session-token';

/** Every call of the dashboard goes through the typed client generated from the gateway's OpenAPI document. */
export const api = createClient<paths>({ baseUrl: window.location.origin });

type SignInListener = () => void;
const signInListeners = new Set<SignInListener>();

/** Called when the API answers 401: auth is on and the page has no valid token. */
export function onSignInRequired(listener: SignInListener): () => void {
  signInListeners.add(listener);
  return () => signInListeners.delete(listener);
}

const bearerToken: Middleware = {
  onRequest({ request }) {
    const token = sessionToken.read();
    if (token !== undefined) request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401) for (const listener of signInListeners) listener();
    return response;
  },
};
api.use(bearerToken);

interface EnvelopeResult<D> {
  data?: { data?: D; message?: string };
  error?: unknown;
  response: Response;
}

/** The `data` of a successful answer; the error envelope as ApiError otherwise. */
export async function dataOf<D>(call: Promise<EnvelopeResult<D>>): Promise<D> {
  const { data, error, response } = await call;
  if (!response.ok || error !== undefined) throw errorOf(response, error);
  return data?.data as D;
}

/** For writes whose answer is a message or no content: throws the error envelope, returns nothing. */
export async function succeeded(call: Promise<{ error?: unknown; response: Response }>): Promise<void> {
  const { error, response } = await call;
  if (!response.ok || error !== undefined) throw errorOf(response, error);
}

function errorOf(response: Response, error: unknown): ApiError {
  const envelope = typeof error === 'object' && error !== null ? (error as { message?: unknown; errors?: unknown }) : {};
  const message = typeof envelope.message === 'string' ? envelope.message : `${response.status} ${response.statusText}`;
  const fieldErrors = Array.isArray(envelope.errors) ? (envelope.errors as FieldError[]) : [];
  return new ApiError(response.status, message, fieldErrors);
}

/** Opens the event stream through the same client (and so with the bearer token), resuming after `lastEventId`. */
export async function openEventStream(lastEventId: string | undefined, signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
  const { response } = await api.GET('/api/v1/events/stream', {
    parseAs: 'stream',
    headers: lastEventId === undefined ? {} : { 'Last-Event-ID': lastEventId },
    signal,
  });
  if (!response.ok || response.body === null) throw new ApiError(response.status, `the event stream answered ${response.status}`);
  return response.body;
}
