import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import type { Db } from './database';
import * as schema from './schema';
import { tracePgliteStatements, tracePostgresStatements } from './tracing';

export interface DatabaseSettings {
  /** PostgreSQL connection string; unset means embedded PGlite in `dataDir` (`memory://` for none). */
  url: string | undefined;
  dataDir: string;
  /** Largest number of pooled PostgreSQL connections. */
  poolSize?: number;
  /** Makes every statement a trace span; only worth its cost when the process exports traces. */
  traceStatements?: boolean;
}

export interface Database {
  db: Db;
  driver: 'postgres' | 'pglite';
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

export function openDatabase(settings: DatabaseSettings): Database {
  const traced = settings.traceStatements ?? false;
  return settings.url === undefined
    ? openPglite(settings.dataDir, traced)
    : openPostgres(settings.url, settings.poolSize ?? 10, traced);
}

function openPostgres(url: string, poolSize: number, traced: boolean): Database {
  const client = postgres(url, {
    max: poolSize,
    onnotice: () => undefined,
    connect_timeout: 5,
    // postgres.js waits up to 20 s between attempts to reconnect, and queries wait with it: while
    // the server is down a request would hang that long before failing. A second at most lets
    // them fail at once, as 503, and the pool be back within a second of the server.
    backoff: (attempt) => Math.min(0.05 * 2 ** attempt, 1),
  });
  const db = abandonTransactionsOfLostSessions(
    drizzlePostgres(traced ? tracePostgresStatements(client) : client, { schema }) as unknown as Db,
  );
  return {
    db,
    driver: 'postgres',
    async migrate() {
      // A dedicated connection holds the advisory lock for the whole migration.
      const lockClient = postgres(url, { max: 1, onnotice: () => undefined, connect_timeout: 5 });
      try {
        await lockClient`select pg_advisory_lock(${MIGRATION_LOCK})`;
        await migratePostgres(drizzlePostgres(lockClient), { migrationsFolder: migrationsFolder() });
        await lockClient`select pg_advisory_unlock(${MIGRATION_LOCK})`;
      } finally {
        await lockClient.end({ timeout: 5 });
      }
    },
    async ping() {
      await db.execute(sql`select 1`);
    },
    async close() {
      await client.end({ timeout: 5 });
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

/** `memory://` keeps the database in memory (unit tests); anything else is a directory. */
function openPglite(dataDir: string, traced: boolean): Database {
  let location = dataDir;
  if (!dataDir.startsWith('memory://')) {
    location = resolve(dataDir);
    mkdirSync(location, { recursive: true });
  }
  const client = new PGlite(location);
  const db = drizzlePglite(traced ? tracePgliteStatements(client) : client, { schema }) as unknown as Db;
  return {
    db,
    driver: 'pglite',
    async migrate() {
      await migratePglite(drizzlePglite(client), { migrationsFolder: migrationsFolder() });
    },
    async ping() {
      await db.execute(sql`select 1`);
    },
    async close() {
      await client.close();
    },
  };
}
