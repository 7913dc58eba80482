/** Exit codes: 0 done, 1 the API refused or failed (or could not be reached), 2 bad usage. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** The command line itself is wrong: exit 2, with the command's help hint. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The gateway answered with an error; the message is the API's own. */
export class ApiRefusedError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(`${message} (HTTP ${status})`);
    this.name = 'ApiRefusedError';
  }
}

/** No answer from the gateway at all: say where the command looked. */
export class GatewayUnreachableError extends Error {
  constructor(url: string, cause: unknown) {
    super(`cannot reach the gateway at ${url}: ${describeCause(cause)} (set PODSYNC_URL or --url)`, { cause });
    this.name = 'GatewayUnreachableError';
  }
}

/** fetch's own message is "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND) is in its cause. */
function describeCause(error: unknown): string {
  let current: unknown = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  if (current instanceof Error) {
    const code = (current as { code?: unknown }).code;
    return typeof code === 'string' && !current.message.includes(code) ? `${code} ${current.message}` : current.message;
  }
  return String(current);
}
