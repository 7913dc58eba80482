import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ALGORITHM_NAME, AlgorithmCatalogue, DEFAULT_ALGORITHMS } from './algorithms';
import { parseDuration } from './duration';
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
  http: { port: number };
  metrics: { port: number };
  database: { url: string | undefined; dataDir: string };
  redis: { urls: string[] };
  nats: { urls: string[] };
  deployer: { kind: DeployerKind; namespace: string; simulatedLatencyMs: number; simulatedFailureRate: number };
  algorithms: AlgorithmCatalogue;
  sync: { intervalMs: number; opsPerSecond: number; concurrency: number; deleteGuard: number };
  leader: { ttlMs: number };
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

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const ms = parseDuration(value);
      if (ms !== undefined && ms > 0) return ms;
      ctx.addIssue({ code: 'custom', message: 'expected a duration such as 500ms, 5s or 5m' });
      return z.NEVER;
    });

const number = (fallback: number, min: number, max: number, what: string) =>
  z
    .string()
    .default(String(fallback))
    .transform((value, ctx) => {
      const n = Number(value);
      if (value.trim() !== '' && Number.isFinite(n) && n >= min && n <= max) return n;
      ctx.addIssue({ code: 'custom', message: `expected ${what} from ${min} to ${max}` });
      return z.NEVER;
    });

const integer = (fallback: number, min: number, max: number) =>
  number(fallback, min, max, 'a whole number').refine((n) => Number.isInteger(n), 'expected a whole number');

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
      if (bad === undefined) return items;
      ctx.addIssue({ code: 'custom', message: `expected a comma-separated list of ${what}; "${bad}" is not one` });
      return z.NEVER;
    });

const tokens = z
  .string()
  .optional()
  .transform((value, ctx) => {
    const result: ApiToken[] = [];
    for (const entry of (value ?? '').split(',').map((item) => item.trim())) {
      if (entry === '') continue;
      const separator = entry.lastIndexOf(':');
      const token = entry.slice(0, separator);
      const role = entry.slice(separator + 1);
      if (separator < 1 || !(ROLES as readonly string[]).includes(role)) {
        ctx.addIssue({ code: 'custom', message: `expected token:role entries with a role of ${ROLES.join(', ')}` });
        return z.NEVER;
      }
      result.push({ token, role: role as Role });
    }
    return result;
  });

const envSchema = z.object({
  PODSYNC_HTTP_PORT: port(8081),
  PODSYNC_METRICS_PORT: port(9101),
  PODSYNC_DATA_DIR: z.string().min(1, 'expected a directory path').default('./.podsync'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// connection string')
    .optional(),
  REDIS_URLS: list('redis:// URLs', /^rediss?:\/\/\S+$/),
  NATS_URL: list('nats:// URLs', /^(nats|tls|ws|wss):\/\/\S+$|^[^:/\s]+:[0-9]+$/),
  PODSYNC_DEPLOYER: z.enum(['simulated', 'kubernetes'], { error: 'expected simulated or kubernetes' }).default('simulated'),
  PODSYNC_K8S_NAMESPACE: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'expected a Kubernetes namespace name')
    .default('default'),
  PODSYNC_ALGORITHMS: z
    .string()
    .default(DEFAULT_ALGORITHMS.join(','))
    .transform((value, ctx) => {
      const names = value.split(',').map((name) => name.trim().toUpperCase());
      if (names.every((name) => ALGORITHM_NAME.test(name)) && new Set(names).size === names.length) {
        return new AlgorithmCatalogue(names);
      }
      ctx.addIssue({
        code: 'custom',
        message: 'expected distinct comma-separated names of letters and digits, starting with a letter, at most 30 characters',
      });
      return z.NEVER;
    }),
  PODSYNC_SYNC_INTERVAL: duration('5m'),
  PODSYNC_LEADER_TTL: duration('5s').refine((ms) => ms >= 1_000, 'expected at least 1s'),
  PODSYNC_OPS_PER_SECOND: number(100, 1, 100_000, 'a number'),
  PODSYNC_SYNC_CONCURRENCY: integer(16, 1, 1_024),
  PODSYNC_DELETE_GUARD: number(0.5, 0, 1, 'a share'),
  PODSYNC_API_TOKENS: tokens,
  PODSIM_LATENCY_MS: integer(0, 0, 600_000),
  PODSIM_FAILURE_RATE: number(0, 0, 1, 'a probability'),
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
        return `${variable}=${JSON.stringify(present[variable] ?? '')}: ${issue.message}`;
      }),
    );
  }
  const e = parsed.data;
  return {
    http: { port: e.PODSYNC_HTTP_PORT },
    metrics: { port: e.PODSYNC_METRICS_PORT },
    database: { url: e.DATABASE_URL, dataDir: e.PODSYNC_DATA_DIR },
    redis: { urls: e.REDIS_URLS },
    nats: { urls: e.NATS_URL },
    deployer: {
      kind: e.PODSYNC_DEPLOYER,
      namespace: e.PODSYNC_K8S_NAMESPACE,
      simulatedLatencyMs: e.PODSIM_LATENCY_MS,
      simulatedFailureRate: e.PODSIM_FAILURE_RATE,
    },
    algorithms: e.PODSYNC_ALGORITHMS,
    sync: {
      intervalMs: e.PODSYNC_SYNC_INTERVAL,
      opsPerSecond: e.PODSYNC_OPS_PER_SECOND,
      concurrency: e.PODSYNC_SYNC_CONCURRENCY,
      deleteGuard: e.PODSYNC_DELETE_GUARD,
    },
    leader: { ttlMs: e.PODSYNC_LEADER_TTL },
    auth: { tokens: e.PODSYNC_API_TOKENS },
    replicaId: e.PODSYNC_REPLICA_ID ?? `${hostname()}-${randomBytes(3).toString('hex')}`,
    logLevel: e.LOG_LEVEL,
  };
}
