import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import type { Db } from './database';
import { embeddedPostgres } from './embedded-postgres';
import * as schema from './schema';
import { tracePostgresStatements } from './tracing';

export interface DatabaseSettings {
  /** PostgreSQL connection string; unset means a PostgreSQL server of this process's own, in `dataDir`. */
  url: string | undefined;
  dataDir: string;
  /** Largest number of pooled PostgreSQL connections. */
  poolSize?: number;
  /** Makes every statement a trace span; only worth its cost when the process exports traces. */
  traceStatements?: boolean;
}

export interface Database {
  db: Db;
  /** Where the data is, for people: the server, or the embedded server's directory. */
  description: string;
  /** Applies the committed migrations from `drizzle/`; safe to run from several processes at once. */
  migrate(): Promise<void>;
  /** Throws when the database cannot answer a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Any number below 2^63 names the advisory lock that serialises concurrent migrations. */
const MIGRATION_LOCK = 7_470_001;

/** The committed migrations, found from here both in the source tree and in the build output. */
export function migrationsFolder(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'drizzle');
    if (existsSync(join(candidate, 'meta', '_journal.json'))) return candidate;
  }
  throw new Error(`no drizzle/meta/_journal.json above ${__dirname}`);
}

/**
 * Connections of the embedded server's pool: one process of one user on one machine. Each is a
 * server process of its own (about 17 MiB resident, bench:embedded), and postgres.js takes them in
 * turn, so every one of them stays open at rest.
 */
const EMBEDDED_POOL_SIZE = 2;

/**
 * The database of the settings, over postgres.js either way. Embedded, the server is started
 * by the first query (`migrate()` at start-up) and stopped by `close()`.
 */
export function openDatabase(settings: DatabaseSettings): Database {
  const traceStatements = settings.traceStatements ?? false;
  if (settings.url !== undefined) {
    const url = settings.url;
    return openPostgres({
      connect: (options) => postgres(url, options),
      poolSize: settings.poolSize ?? 10,
      description: `PostgreSQL at ${describeUrl(url)}`,
      stop: async () => undefined,
      traceStatements,
    });
  }
  const dataDir = resolve(settings.dataDir);
  const server = embeddedPostgres(dataDir);
  return openPostgres({
    connect: (options) => {
      // The database and user initdb creates. `socket` is documented (README, "Custom socket") but
      // missing from postgres.js 3.4.9's types; the host only names the server in its errors.
      const embedded: postgres.Options<Record<string, never>> & { socket: () => Promise<Socket> } = {
        ...options,
        host: 'embedded',
        database: 'postgres',
        username: 'postgres',
        socket: () => server.connect(),
      };
      return postgres(embedded);
    },
    poolSize: settings.poolSize ?? EMBEDDED_POOL_SIZE,
    description: `embedded PostgreSQL in ${dataDir}`,
    stop: () => server.stop(),
    traceStatements,
  });
}

/** The URL without its password. */
function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname}`;
  } catch {
    return 'DATABASE_URL';
  }
}

interface PostgresTarget {
  connect(options: postgres.Options<Record<string, never>>): postgres.Sql;
  poolSize: number;
  description: string;
  /** After the pool is closed: the embedded server's shutdown. */
  stop(): Promise<void>;
  /** Every statement a span of the active trace (see tracing.ts). */
  traceStatements: boolean;
}

function openPostgres(target: PostgresTarget): Database {
  const client = target.connect({
    max: target.poolSize,
    onnotice: () => undefined,
    connect_timeout: 5,
    // postgres.js waits up to 20 s between attempts to reconnect, and queries wait with it: while
    // the server is down a request would hang that long before failing. A second at most lets
    // them fail at once, as 503, and the pool be back within a second of the server.
    backoff: (attempt) => Math.min(0.05 * 2 ** attempt, 1),
  });
  const db = abandonTransactionsOfLostSessions(
    drizzle(target.traceStatements ? tracePostgresStatements(client) : client, { schema }) as unknown as Db,
  );
  return {
    db,
    description: target.description,
    async migrate() {
      // A dedicated connection holds the advisory lock for the whole migration.
      const lockClient = target.connect({ max: 1, onnotice: () => undefined, connect_timeout: 5 });
      try {
        await lockClient`select pg_advisory_lock(${MIGRATION_LOCK})`;
        await migrate(drizzle(lockClient), { migrationsFolder: migrationsFolder() });
        await lockClient`select pg_advisory_unlock(${MIGRATION_LOCK})`;
      } finally {
        await lockClient.end({ timeout: 5 });
      }
    },
    async ping() {
      await db.execute(sql`select 1`);
    },
    async close() {
      try {
        await client.end({ timeout: 5 });
      } finally {
        await target.stop();
      }
    },
  };
}

/** Errors that mean the server session is gone: the connection closed, was reset, or the server ended it. */
const LOST_SESSION = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  'CONNECTION_ENDED',
  'ECONNRESET',
  'EPIPE',
  // admin_shutdown (also pg_terminate_backend), crash_shutdown, idle_in_transaction_session_timeout:
  // FATAL, the server closes the session.
  '57P01',
  '57P02',
  '25P03',
]);

function lostSession(error: unknown): boolean {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && LOST_SESSION.has(code)) return true;
  }
  return false;
}

/**
 * postgres.js 3.4.9 crashes the process when the session of a transaction is lost (a server
 * restart, a terminated or timed-out session): its ROLLBACK goes to the socket it has just
 * dropped, and the TypeError is thrown from a setImmediate where no caller can catch it
 * (porsager/postgres#1154, #1208; the fixes, #1209 and #1215, are not released). The server
 * ended that transaction with its session, so there is nothing to roll back: the callback of a
 * transaction whose statement failed for that reason is left unsettled, so that postgres.js
 * sends nothing more, and the caller still gets the error, since `transaction()` rejects as
 * soon as its connection closes.
 */
function abandonTransactionsOfLostSessions(db: Db): Db {
  const transaction = db.transaction.bind(db);
  db.transaction = ((run, config) =>
    transaction(async (tx) => {
      try {
        return await run(tx);
      } catch (error) {
        if (lostSession(error)) await new Promise<never>(() => undefined);
        throw error;
      }
    }, config)) as Db['transaction'];
  return db;
}
