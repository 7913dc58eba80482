import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ALGORITHM_NAME, AlgorithmCatalogue, DEFAULT_ALGORITHMS } from './algorithms';
import { parseDuration } from './duration';
import { NATS_PREFIX_PATTERN, NATS_PREFIX_RULE } from './events/subjects';
import { LOG_LEVELS, type LogLevel } from './request.schema';

export const ROLES = ['reader', 'writer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface ApiToken {
  token: string;
  role: Role;
}

export type DeployerKind = 'simulated' | 'kubernetes';

/** Everything podsync reads from its environment, validated and typed. Tests build it by hand. */
export interface Config {
  /** The REST API's listener (gateway, and the one process of `npm start`). */
  http: { host: string; port: number };
  /** A reconciler replica's health, ready and metrics listener. */
  metrics: { host: string; port: number };
  database: { url: string | undefined; dataDir: string };
  redis: { urls: string[] };
  /** `prefix` puts this installation's subjects and streams apart on a NATS server shared with others. */
  nats: { urls: string[]; prefix: string | undefined };
  deployer: {
    kind: DeployerKind;
    namespace: string;
    simulatedLatencyMs: number;
    simulatedFailureRate: number;
    /** Share of the simulated running pods that fail each minute. */
    simulatedPodFailureRate: number;
  };
  algorithms: AlgorithmCatalogue;
  sync: { intervalMs: number; opsPerSecond: number; concurrency: number; deleteGuard: number };
  leader: { ttlMs: number };
  /** Operations and sync rounds older than this are purged by the leader. */
  history: { retentionMs: number };
  auth: { tokens: ApiToken[] };
  replicaId: string;
  logLevel: LogLevel;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

const port = (fallback: number) =>
  z
    .string()
    .default(String(fallback))
    .transform((value, ctx) => {
      const n = Number(value);
      if (/^[0-9]+$/.test(value) && n >= 1 && n <= 65_535) return n;
      ctx.addIssue({ code: 'custom', message: 'expected a port number from 1 to 65535' });
      return z.NEVER;
    });

/**
 * A listen address: an IP literal (`127.0.0.1`, `0.0.0.0`, `::`) or a host name. Loopback by
 * default, so that a process started without thought, and without tokens, is not open to the network.
 */
const host = z
  .string()
  .default('127.0.0.1')
  .refine(
    (value) =>
      isIP(value) !== 0 ||
      /^(?=.{1,253}$)[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*$/.test(value),
    {
      message: 'expected an IP address such as 127.0.0.1 or 0.0.0.0, or a host name',
    },
  );

/** setTimeout's longest delay; a longer one fires at once, which would turn a timer into a busy loop. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const ms = parseDuration(value);
      if (ms !== undefined && ms > 0 && ms <= MAX_TIMER_MS) return ms;
      ctx.addIssue({ code: 'custom', message: 'expected a duration from 1ms to 596h such as 500ms, 5s or 5m' });
      return z.NEVER;
    });

const MIN_RETENTION_MS = 60_000;
const MAX_RETENTION_MS = 3_650 * 86_400_000;

/** A retention is compared with row times, never handed to a timer, so it may exceed MAX_TIMER_MS. */
const retention = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const ms = parseDuration(value);
      if (ms !== undefined && ms >= MIN_RETENTION_MS && ms <= MAX_RETENTION_MS) return ms;
      ctx.addIssue({ code: 'custom', message: 'expected a duration from 1m to 3650d such as 12h, 30d or 90d' });
      return z.NEVER;
    });

const number = (fallback: number, min: number, max: number, what: string, accepts = Number.isFinite) =>
  z
    .string()
    .default(String(fallback))
    .transform((value, ctx) => {
      const n = Number(value);
      if (value.trim() !== '' && accepts(n) && n >= min && n <= max) return n;
      ctx.addIssue({ code: 'custom', message: `expected ${what} from ${min} to ${max}` });
      return z.NEVER;
    });

const integer = (fallback: number, min: number, max: number) => number(fallback, min, max, 'a whole number', Number.isInteger);

/** Masks the credentials a URL may carry (`user:password@`, a bare token `token@`) before it is echoed. */
function maskUrlCredentials(text: string): string {
  return text.replace(/\/\/([^\s,]*)@/g, (_match, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    return colon < 0 ? '//***@' : `//${userinfo.slice(0, colon)}:***@`;
  });
}

const isRole = (text: string): text is Role => (ROLES as readonly string[]).includes(text);

/**
 * Masks every token of a `token:role,...` list. Only a known role stays visible: in an
 * entry written the wrong way round (`admin:token`) the part after the colon is the secret.
 */
function maskTokens(text: string): string {
  return text
    .split(',')
    .map((entry) => {
      if (entry.trim() === '') return entry;
      const role = entry.slice(entry.lastIndexOf(':') + 1).trim();
      return entry.includes(':') && isRole(role) ? `***:${role}` : '***';
    })
    .join(',');
}

/** Error lines end up in logs, so a value is shown with its secrets masked. */
const MASKS: Partial<Record<string, (value: string) => string>> = {
  DATABASE_URL: maskUrlCredentials,
  REDIS_URLS: maskUrlCredentials,
  NATS_URL: maskUrlCredentials,
  PODSYNC_API_TOKENS: maskTokens,
};

/** Distinct entries only: the same Redis twice would count twice towards the Redlock quorum. */
const list = (what: string, pattern: RegExp) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      const items = (value ?? '')
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
      const bad = items.find((item) => !pattern.test(item));
      const repeated = items.find((item, index) => items.indexOf(item) !== index);
      if (bad === undefined && repeated === undefined) return items;
      const fault =
        bad === undefined ? `"${maskUrlCredentials(repeated ?? '')}" is given twice` : `"${maskUrlCredentials(bad)}" is not one`;
      ctx.addIssue({ code: 'custom', message: `expected a comma-separated list of distinct ${what}; ${fault}` });
      return z.NEVER;
    });

const tokens = z
  .string()
  .optional()
  .transform((value, ctx) => {
    const result: ApiToken[] = [];
    const faults: string[] = [];
    const entries = (value ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
    entries.forEach((entry, index) => {
      // Entries are named by position: the message must not repeat the token itself.
      const position = `entry ${index + 1}`;
      const separator = entry.lastIndexOf(':');
      const token = entry.slice(0, separator);
      const role = entry.slice(separator + 1);
      if (separator < 1) faults.push(`${position} is not token:role`);
      else if (!isRole(role)) faults.push(`${position} has an unknown role`);
      else if (result.some((known) => known.token === token)) faults.push(`${position} repeats a token given before`);
      else result.push({ token, role });
    });
    if (faults.length === 0) return result;
    ctx.addIssue({
      code: 'custom',
      message: `expected distinct token:role entries with a role of ${ROLES.join(', ')}; ${faults.join(', ')}`,
    });
    return z.NEVER;
  });

const algorithms = z
  .string()
  .default(DEFAULT_ALGORITHMS.join(','))
  .transform((value, ctx) => {
    const faults: string[] = [];
    const names = new Set<string>();
    for (const name of value.split(',').map((item) => item.trim())) {
      const upper = name.toUpperCase();
      if (!ALGORITHM_NAME.test(upper)) faults.push(`"${name}" is not one`);
      else if (names.has(upper)) faults.push(`"${name}" repeats a name`);
      names.add(upper);
    }
    if (faults.length === 0) return new AlgorithmCatalogue([...names]);
    ctx.addIssue({
      code: 'custom',
      message: `expected distinct comma-separated names of letters and digits, starting with a letter, at most 30 characters; ${faults.join(', ')}`,
    });
    return z.NEVER;
  });

const envSchema = z.object({
  PODSYNC_HTTP_HOST: host,
  PODSYNC_HTTP_PORT: port(8081),
  PODSYNC_METRICS_HOST: host,
  PODSYNC_METRICS_PORT: port(9101),
  PODSYNC_DATA_DIR: z.string().min(1, 'expected a directory path').default('./.podsync'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// connection string')
    .optional(),
  REDIS_URLS: list('redis:// URLs', /^rediss?:\/\/\S+$/),
  NATS_URL: list('nats:// URLs', /^(nats|tls|ws|wss):\/\/\S+$|^[^:/\s]+:[0-9]+$/),
  PODSYNC_NATS_PREFIX: z.string().regex(NATS_PREFIX_PATTERN, `expected ${NATS_PREFIX_RULE}`).optional(),
  PODSYNC_DEPLOYER: z.enum(['simulated', 'kubernetes'], { error: 'expected simulated or kubernetes' }).default('simulated'),
  PODSYNC_K8S_NAMESPACE: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'expected a Kubernetes namespace name')
    .default('default'),
  PODSYNC_ALGORITHMS: algorithms,
  PODSYNC_SYNC_INTERVAL: duration('5m'),
  PODSYNC_LEADER_TTL: duration('5s').refine((ms) => ms >= 1_000, 'expected at least 1s'),
  PODSYNC_OPS_PER_SECOND: number(100, 1, 100_000, 'a number'),
  PODSYNC_SYNC_CONCURRENCY: integer(16, 1, 1_024),
  PODSYNC_DELETE_GUARD: number(0.5, 0, 1, 'a share'),
  PODSYNC_HISTORY_RETENTION: retention('30d'),
  PODSYNC_API_TOKENS: tokens,
  PODSIM_LATENCY_MS: integer(0, 0, 600_000),
  PODSIM_FAILURE_RATE: number(0, 0, 1, 'a probability'),
  PODSIM_POD_FAILURE_RATE: number(0, 0, 1, 'a share of running pods per minute'),
  PODSYNC_REPLICA_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/, 'expected 1 to 100 letters, digits, dots, dashes or underscores')
    .optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(', ')}` }).default('info'),
});

/** Reads podsync's settings from `env`; every bad variable is named in one ConfigError. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // An empty variable means "not set", as in most shells' `FOO= cmd`.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const variable = String(issue.path[0]);
        const value = present[variable] ?? '';
        return `${variable}=${JSON.stringify(MASKS[variable]?.(value) ?? value)}: ${issue.message}`;
      }),
    );
  }
  const e = parsed.data;
  return {
    http: { host: e.PODSYNC_HTTP_HOST, port: e.PODSYNC_HTTP_PORT },
    metrics: { host: e.PODSYNC_METRICS_HOST, port: e.PODSYNC_METRICS_PORT },
    database: { url: e.DATABASE_URL, dataDir: e.PODSYNC_DATA_DIR },
    redis: { urls: e.REDIS_URLS },
    nats: { urls: e.NATS_URL, prefix: e.PODSYNC_NATS_PREFIX },
    deployer: {
      kind: e.PODSYNC_DEPLOYER,
      namespace: e.PODSYNC_K8S_NAMESPACE,
      simulatedLatencyMs: e.PODSIM_LATENCY_MS,
      simulatedFailureRate: e.PODSIM_FAILURE_RATE,
      simulatedPodFailureRate: e.PODSIM_POD_FAILURE_RATE,
    },
    algorithms: e.PODSYNC_ALGORITHMS,
    sync: {
      intervalMs: e.PODSYNC_SYNC_INTERVAL,
      opsPerSecond: e.PODSYNC_OPS_PER_SECOND,
      concurrency: e.PODSYNC_SYNC_CONCURRENCY,
      deleteGuard: e.PODSYNC_DELETE_GUARD,
    },
    leader: { ttlMs: e.PODSYNC_LEADER_TTL },
    history: { retentionMs: e.PODSYNC_HISTORY_RETENTION },
    auth: { tokens: e.PODSYNC_API_TOKENS },
    replicaId: e.PODSYNC_REPLICA_ID ?? `${hostname()}-${randomBytes(3).toString('hex')}`,
    logLevel: e.LOG_LEVEL,
  };
}
