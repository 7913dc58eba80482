import { randomBytes } from 'node:crypto';
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
