import type { Middleware } from 'openapi-fetch';
import { type ApiEnvelope, apiErrorMessage, createApiClient } from '@podsync/api-client';
import { ApiError, type FieldError, FieldsRefusedError } from './api-error';
import { sessionToken } from './session-token';

/**
 * Every call of the dashboard goes through the typed client generated from the gateway's
 * OpenAPI document. The token is read on each request (middleware below), not fixed at
 * creation, because the operator signs in and out while the page lives.
 */
export const api = createApiClient({ url: window.location.origin });

type SignInListener = () => void;
const signInListeners = new Set<SignInListener>();

/** Called when the API answers 401: auth is on and the page has no valid token. */
export function onSignInRequired(listener: SignInListener): () => void {
  signInListeners.add(listener);
  return () => signInListeners.delete(listener);
}

export function signInRequired(): void {
  for (const listener of signInListeners) listener();
}

const bearerToken: Middleware = {
  onRequest({ request }) {
    const token = sessionToken.read();
    if (token !== undefined) request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401) signInRequired();
    return response;
  },
};
api.use(bearerToken);

/**
 * The `data` of a successful answer, in the shape `views.ts` names for it; the error
 * envelope as ApiError otherwise.
 */
export async function dataOf<D>(call: Promise<{ data?: unknown; error?: unknown; response: Response }>): Promise<D> {
  const { data, error, response } = await call;
  if (!response.ok || error !== undefined) throw errorOf(response, error);
  return (data as ApiEnvelope<D>).data as D;
}

/** For writes whose answer is a message or no content: throws the error envelope, returns nothing. */
export async function succeeded(call: Promise<{ error?: unknown; response: Response }>): Promise<void> {
  const { error, response } = await call;
  if (!response.ok || error !== undefined) throw errorOf(response, error);
}

function errorOf(response: Response, error: unknown): ApiError {
  const errors = typeof error === 'object' && error !== null && 'errors' in error ? error.errors : undefined;
  const message = apiErrorMessage(error, response);
  return Array.isArray(errors) && errors.length > 0
    ? new FieldsRefusedError(response.status, message, errors as FieldError[])
    : new ApiError(response.status, message);
}
