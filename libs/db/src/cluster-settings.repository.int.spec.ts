import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMigratedDatabase, type MigratedTestDatabase } from '../../../test/support/test-database';
import { markRoundRequestServed, readClusterSettings, requestRound, setPaused } from './cluster-settings.repository';
import type { Database } from './open-database';

describe('cluster settings repository', () => {
  let testDatabase: MigratedTestDatabase;
  let database: Database;

  beforeAll(async () => {
    testDatabase = await createMigratedDatabase();
    ({ database } = testDatabase);
  });

  beforeEach(async () => {
    await database.db.execute(sql`truncate cluster_settings`);
  });

  afterAll(async () => {
    await testDatabase.dispose();
  });

  it('reads as unpaused with nothing pending before anything was written', async () => {
    expect(await readClusterSettings(database.db)).toEqual({ paused: false, pendingRound: undefined });
  });

  it('keeps the paused flag', async () => {
    await setPaused(database.db, true);
    expect((await readClusterSettings(database.db)).paused).toBe(true);
    await setPaused(database.db, false);
    expect((await readClusterSettings(database.db)).paused).toBe(false);
  });

  it('keeps a requested round pending until a round serves it', async () => {
    const pending = await requestRound(database.db, false);
    expect(pending).toEqual({ request: 1, force: false });
    expect((await readClusterSettings(database.db)).pendingRound).toEqual(pending);

    await markRoundRequestServed(database.db, pending.request);

    expect((await readClusterSettings(database.db)).pendingRound).toBeUndefined();
  });

  it('keeps a request made while a round served an earlier one, and its force', async () => {
    const first = await requestRound(database.db, false);
    const second = await requestRound(database.db, true);
    expect(second).toEqual({ request: 2, force: true });

    await markRoundRequestServed(database.db, first.request);

    expect((await readClusterSettings(database.db)).pendingRound).toEqual({ request: 2, force: true });
  });

  it('drops the force of a served forced request when a later request did not ask for it', async () => {
    await requestRound(database.db, true);
    const later = await requestRound(database.db, false);
    expect(later).toEqual({ request: 2, force: true });

    await markRoundRequestServed(database.db, 1);
    expect((await readClusterSettings(database.db)).pendingRound).toEqual({ request: 2, force: false });
  });

  it('never moves the served mark backwards', async () => {
    await requestRound(database.db, false);
    await requestRound(database.db, false);
    await markRoundRequestServed(database.db, 2);
    await markRoundRequestServed(database.db, 1);

    expect((await readClusterSettings(database.db)).pendingRound).toBeUndefined();
  });

  it('keeps paused and pending requests apart', async () => {
    await requestRound(database.db, true);
    await setPaused(database.db, true);

    expect(await readClusterSettings(database.db)).toEqual({ paused: true, pendingRound: { request: 1, force: true } });
  });
});
