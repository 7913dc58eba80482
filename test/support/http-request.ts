export interface HttpAnswer {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined for an empty body. */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read whatever the API sent
  text: string;
}

export interface HttpRequestOptions {
  /** Sent as JSON with its content type. */
  json?: unknown;
  /** Sent as it is, e.g. malformed JSON. */
  raw?: string;
  headers?: Record<string, string>;
}

/** One HTTP request to `baseUrl + path`; the answer is read whole and parsed when it is JSON. */
export async function httpRequest(
  baseUrl: string,
  method: string,
  path: string,
  { json, raw, headers = {} }: HttpRequestOptions = {},
): Promise<HttpAnswer> {
  const body = raw ?? (json === undefined ? undefined : JSON.stringify(json));
  const contentType: Record<string, string> = json === undefined ? {} : { 'content-type': 'application/json' };
  const response = await fetch(baseUrl + path, { method, body, headers: { ...contentType, ...headers } });
  const text = await response.text();
  const isJson = response.headers.get('content-type')?.startsWith('application/json') === true;
  return {
    status: response.status,
    headers: response.headers,
    text,
    body: isJson && text !== '' ? JSON.parse(text) : undefined,
  };
}
