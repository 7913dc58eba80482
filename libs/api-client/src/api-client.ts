import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './api-types';

/** The typed REST client: `client.GET('/api/v1/clients/{id}', { params: { path: { id } } })`. */
export type ApiClient = Client<paths>;

export interface ApiClientOptions {
  /** The gateway's base URL, e.g. `http://127.0.0.1:8081`. */
  url: string;
  /** A token from the gateway's PODSYNC_API_TOKENS; left out when auth is off. */
  token?: string;
  /** Another fetch (tests, a browser's); the global one by default. */
  fetch?: typeof globalThis.fetch;
}

/** A client of the gateway's REST API that sends `Authorization: Bearer <token>` on every call. */
export function createApiClient(options: ApiClientOptions): ApiClient {
  return createClient<paths>({
    baseUrl: options.url.replace(/\/+$/, ''),
    headers: options.token === undefined || options.token === '' ? {} : { Authorization: `Bearer ${options.token}` },
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
}
