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

export interface DatabaseSettings {
  /** PostgreSQL connection string; unset means embedded PGlite in `dataDir` (`memory://` for none). */
  url: string | undefined;
  dataDir: string;
  /** Largest number of pooled PostgreSQL connections. */
  poolSize?: number;
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
  return settings.url === undefined ? openPglite(settings.dataDir) : openPostgres(settings.url, settings.poolSize ?? 10);
}

function openPostgres(url: string, poolSize: number): Database {
  const client = postgres(url, { max: poolSize, onnotice: () => undefined, connect_timeout: 5 });
  const db = drizzlePostgres(client, { schema }) as unknown as Db;
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

/** `memory://` keeps the database in memory (unit tests); anything else is a directory. */
function openPglite(dataDir: string): Database {
  let location = dataDir;
  if (!dataDir.startsWith('memory://')) {
    location = resolve(dataDir);
    mkdirSync(location, { recursive: true });
  }
  const client = new PGlite(location);
  const db = drizzlePglite(client, { schema }) as unknown as Db;
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
