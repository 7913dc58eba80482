import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMigratedDatabase, type MigratedTestDatabase } from '../../../test/support/test-database';
import { clearRestartRequest, markClientsSpawned } from './client-restarts.repository';
import { findClient, insertClient, replaceClient, touchClientStatus } from './clients.repository';
import type { Database } from './open-database';

const fields = { name: 'acme', version: 1, image: 'registry.example.com/algo:1', cpu: '500m', mem: '256Mi' };

describe('client restarts repository', () => {
  let testDatabase: MigratedTestDatabase;
  let database: Database;

  beforeAll(async () => {
    testDatabase = await createMigratedDatabase();
    ({ database } = testDatabase);
  });

  beforeEach(async () => {
    await database.db.execute(sql`truncate clients restart identity cascade`);
  });

  afterAll(async () => {
    await testDatabase.dispose();
  });

  it('counts every write that sets need_restart, also when it is already set, and no other write', async () => {
    const { id } = await insertClient(database.db, fields);

    await touchClientStatus(database.db, id, true);
    await touchClientStatus(database.db, id, true);
    await touchClientStatus(database.db, id, undefined);
    await replaceClient(database.db, id, { ...fields, name: 'renamed' });
    await touchClientStatus(database.db, id, false);

    expect(await findClient(database.db, id)).toMatchObject({ needRestart: false, restartRequests: 2 });
  });

  it('clears the flag and stamps spawned_at when no request came since the count was read', async () => {
    const { id } = await insertClient(database.db, fields);
    const requested = await touchClientStatus(database.db, id, true);

    expect(await clearRestartRequest(database.db, id, requested?.restartRequests ?? -1)).toBe(true);

    expect(await findClient(database.db, id)).toMatchObject({ needRestart: false, spawnedAt: expect.any(Date) });
  });

  it('keeps the flag when a restart was asked for after the count was read', async () => {
    const { id } = await insertClient(database.db, fields);
    const seen = (await touchClientStatus(database.db, id, true))?.restartRequests ?? -1;
    await touchClientStatus(database.db, id, true);

    expect(await clearRestartRequest(database.db, id, seen)).toBe(false);

    expect(await findClient(database.db, id)).toMatchObject({ needRestart: true, spawnedAt: null });
  });

  it('clears the flag even when other fields changed since the count was read', async () => {
    const { id } = await insertClient(database.db, fields);
    const seen = (await touchClientStatus(database.db, id, true))?.restartRequests ?? -1;
    await replaceClient(database.db, id, { ...fields, priority: 9 });

    expect(await clearRestartRequest(database.db, id, seen)).toBe(true);
  });

  it('does nothing for a client whose request an operator withdrew', async () => {
    const { id } = await insertClient(database.db, fields);
    const seen = (await touchClientStatus(database.db, id, true))?.restartRequests ?? -1;
    await touchClientStatus(database.db, id, false);

    expect(await clearRestartRequest(database.db, id, seen)).toBe(false);
    expect((await findClient(database.db, id))?.spawnedAt).toBeNull();
  });

  it('stamps spawned_at on the given clients only', async () => {
    const first = await insertClient(database.db, fields);
    const second = await insertClient(database.db, fields);

    await markClientsSpawned(database.db, [first.id, first.id]);

    expect((await findClient(database.db, first.id))?.spawnedAt).toBeInstanceOf(Date);
    expect((await findClient(database.db, second.id))?.spawnedAt).toBeNull();
  });
});
