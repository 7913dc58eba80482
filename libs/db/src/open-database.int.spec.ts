import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMigratedDatabase, type MigratedTestDatabase } from '../../../test/support/test-database';
import type { Database } from './open-database';

/** Blocks the event loop, as a stop-the-world GC pause or a SIGSTOP would: nothing is sent or read meanwhile. */
function freeze(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // Busy: the point is that no callback runs.
  }
}

describe('openDatabase on PostgreSQL', () => {
  let testDatabase: MigratedTestDatabase;
  let database: Database;
  let admin: postgres.Sql;

  beforeEach(async () => {
    testDatabase = await createMigratedDatabase({ poolSize: 2 });
    ({ database } = testDatabase);
    await database.db.execute(sql`create table notes (note text)`);
    admin = postgres(testDatabase.url, { max: 1, onnotice: () => undefined });
  });

  afterEach(async () => {
    await admin.end();
    await testDatabase.dispose();
  });

  it('rejects a transaction whose session the server ends, commits none of it, survives, and serves the next one', async () => {
    const write = database.db.transaction(async (tx) => {
      await tx.execute(sql`insert into notes values ('before the freeze')`);
      const [session] = (await tx.execute(sql`select pg_backend_pid() as pid`)) as unknown as { pid: number }[];
      // On the wire before the freeze, run by the server during it, as an operator or a new leader would.
      const terminating = admin`select pg_sleep(0.3), pg_terminate_backend(${session?.pid ?? 0})`.execute();
      await new Promise((resolve) => setTimeout(resolve, 50));
      freeze(1_000);
      await terminating;
      await tx.execute(sql`insert into notes values ('after the freeze')`);
    });

    // postgres.js 3.4.9 alone would end this process here, from its ROLLBACK on the dropped socket.
    await expect(write).rejects.toMatchObject({ code: 'CONNECTION_CLOSED' });
    expect(await admin`select note from notes`).toEqual([]);
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`insert into notes values ('the next transaction')`);
    });
    expect(await admin`select note from notes`).toEqual([{ note: 'the next transaction' }]);
  });
});
