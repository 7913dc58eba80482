import { type HttpAnswer, httpRequest, type HttpRequestOptions } from './http-request';
import { ManagedProcess, type ManagedProcessOptions } from './managed-process';

/** The gateway as a child process (`dist/apps/gateway/src/main.js`). */
export class GatewayProcess extends ManagedProcess {
  constructor(
    options: ManagedProcessOptions,
    /** An admin token from its PODSYNC_API_TOKENS, sent by `request` unless the call sets its own Authorization. */
    readonly token: string,
  ) {
    super(options);
  }

  request(method: string, path: string, options: HttpRequestOptions = {}): Promise<HttpAnswer> {
    const headers = options.headers ?? {};
    const authorized = Object.keys(headers).some((name) => name.toLowerCase() === 'authorization');
    return httpRequest(this.url, method, path, {
      ...options,
      headers: authorized ? headers : { authorization: `Bearer ${this.token}`, ...headers },
    });
  }
}
