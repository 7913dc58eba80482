/** PostgreSQL's SQLSTATE of a driver error, also when drizzle wrapped it in a DrizzleQueryError. */
export function sqlState(error: unknown): string | undefined {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

export const UNIQUE_VIOLATION = '23505';

/**
 * True when PostgreSQL refused text it cannot store: a NUL in text (22021, "invalid byte sequence
 * for encoding UTF8: 0x00") or a `\u0000` escape in jsonb (22P05). The API's schemas refuse control
 * characters first; this is the net for any text that reaches the database some other way.
 */
export function isUnstorableText(error: unknown): boolean {
  const state = sqlState(error);
  return state === '22021' || state === '22P05';
}

/**
 * True when the error means the database could not be reached or went away, as opposed to
 * the query being wrong: connection refused or reset, a server shutting down, or a pool timeout.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code !== 'string') continue;
    if (
      [
        'ECONNREFUSED',
        'ECONNRESET',
        'ETIMEDOUT',
        'EPIPE',
        'ENOTFOUND',
        'EAI_AGAIN',
        'CONNECT_TIMEOUT',
        'CONNECTION_CLOSED',
        'CONNECTION_ENDED',
        'CONNECTION_DESTROYED',
      ].includes(code)
    ) {
      return true;
    }
    // Class 08 is connection exceptions; 57P0x is the server shutting down or starting up.
    if (/^08/.test(code) || /^57P0[1-3]$/.test(code)) return true;
  }
  return false;
}
