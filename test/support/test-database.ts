import { randomBytes } from 'node:crypto';
import { type Database, openDatabase } from '@podsync/db';
import postgres from 'postgres';
import { TEST_SERVERS } from './servers';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh, empty PostgreSQL database of the caller's own, so suites can run side by side; on the
 * shared server unless `adminUrl` names another (e.g. a server of the test's own).
 */
export async function createTestDatabase(adminUrl: string = TEST_SERVERS.postgres.url): Promise<TestDatabase> {
  const name = `podsync_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const dropper = postgres(adminUrl, { max: 1, onnotice: () => undefined });
      try {
        await dropper.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

export interface MigratedTestDatabase {
  url: string;
  /** Opened on the database, every migration applied. */
  database: Database;
  /** Closes the connections, then drops the database. */
  dispose(): Promise<void>;
}

/** A fresh database of the caller's own (see createTestDatabase), migrated and opened on PostgreSQL. */
export async function createMigratedDatabase(options: { poolSize?: number } = {}): Promise<MigratedTestDatabase> {
  const created = await createTestDatabase();
  const database = openDatabase({ url: created.url, dataDir: '', poolSize: options.poolSize });
  try {
    await database.migrate();
  } catch (error) {
    await database.close();
    await created.drop();
    throw error;
  }
  return {
    url: created.url,
    database,
    async dispose() {
      await database.close();
      await created.drop();
    },
  };
}
