import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { asc, eq, sql } from 'drizzle-orm';
import { loadConfig } from '@podsync/domain';
import { clientAlgorithms, clients, type Database, outbox } from '@podsync/db';
import { createMigratedDatabase, type MigratedTestDatabase } from '../../../../test/support/test-database';
import { SAMPLE_CLIENT } from '../../../../test/support/gateway-harness';
import { StatusService } from '../status/status.service';
import { ClientNotFoundException, ClientsService } from './clients.service';

/** The outbox row and the change it describes commit together or not at all. */
describe(ClientsService.name, () => {
  let testDatabase: MigratedTestDatabase;
  let database: Database;
  const config = loadConfig({});

  beforeAll(async () => {
    testDatabase = await createMigratedDatabase();
    ({ database } = testDatabase);
  });
  afterAll(async () => {
    await testDatabase?.dispose();
  });

  beforeEach(async () => {
    await database.db.execute(sql`truncate clients, outbox, idempotency_keys, client_algorithms restart identity`);
  });
  afterEach(async () => {
    await database.db.execute(sql`drop trigger if exists refuse_outbox on outbox`);
  });

  /** Makes every outbox insert fail, as a full disk or a dropped connection would. */
  const breakOutbox = async () => {
    await database.db.execute(sql`
      create or replace function refuse_outbox() returns trigger language plpgsql as $$
      begin raise exception 'outbox unavailable'; end $$`);
    await database.db.execute(
      sql`create trigger refuse_outbox before insert on outbox for each row execute function refuse_outbox()`,
    );
  };

  it('writes the client and its event together', async () => {
    const service = new ClientsService(database, config);
    const { client } = await service.create(SAMPLE_CLIENT, undefined);
    expect(await database.db.select().from(clients)).toHaveLength(1);
    expect(await database.db.select().from(outbox)).toMatchObject([
      { clientId: client.id, subject: 'podsync.events.client.created' },
    ]);
  });

  it('writes no client when its event cannot be written', async () => {
    const service = new ClientsService(database, config);
    await breakOutbox();
    await expect(service.create(SAMPLE_CLIENT, 'key-1')).rejects.toThrow();
    expect(await database.db.select().from(clients)).toEqual([]);
    expect(await database.db.execute(sql`select * from idempotency_keys`)).toHaveLength(0);
  });

  it('writes no client when its event cannot be written, also without an Idempotency-Key', async () => {
    const service = new ClientsService(database, config);
    await breakOutbox();
    await expect(service.create(SAMPLE_CLIENT, undefined)).rejects.toThrow();
    expect(await database.db.select().from(clients)).toEqual([]);
  });

  it('keeps the old client when the update event cannot be written', async () => {
    const service = new ClientsService(database, config);
    const { client } = await service.create(SAMPLE_CLIENT, undefined);
    await breakOutbox();
    await expect(service.update(client.id, { ...SAMPLE_CLIENT, name: 'changed' })).rejects.toThrow();
    await expect(service.remove(client.id)).rejects.toThrow();
    expect(await database.db.select().from(clients)).toMatchObject([{ id: client.id, name: SAMPLE_CLIENT.name }]);
  });

  it('keeps the old flags when the status event cannot be written', async () => {
    const { client } = await new ClientsService(database, config).create(SAMPLE_CLIENT, undefined);
    const status = new StatusService(database, config);
    await breakOutbox();
    await expect(status.update(client.id, { VWAP: true }, true)).rejects.toThrow();
    expect(await status.get(client.id)).toEqual({ algorithms: { VWAP: false, TWAP: false, HFT: false }, needRestart: false });
  });

  it('writes neither flags nor an event for a client that does not exist', async () => {
    const status = new StatusService(database, config);
    await expect(status.update(404, { VWAP: true }, true)).rejects.toThrow(ClientNotFoundException);
    expect(await database.db.select().from(clientAlgorithms)).toEqual([]);
    expect(await database.db.select().from(outbox)).toEqual([]);
  });

  it('gives each of concurrent status changes of one client an event with the status it left', async () => {
    const { client } = await new ClientsService(database, config).create(SAMPLE_CLIENT, undefined);
    const status = new StatusService(database, config);
    const algorithms = config.algorithms.names;
    await Promise.all(algorithms.map((algorithm) => status.update(client.id, { [algorithm]: true }, undefined)));
    const events = await database.db
      .select()
      .from(outbox)
      .where(eq(outbox.subject, 'podsync.events.status.updated'))
      .orderBy(asc(outbox.id));
    // The changes queue up on the client row: the n-th event to commit sees n algorithms on.
    const enabledCounts = events.map(
      (event) => Object.values((event.payload as { algorithms: Record<string, boolean> }).algorithms).filter(Boolean).length,
    );
    expect(enabledCounts).toEqual(algorithms.map((_, index) => index + 1));
    expect(events.at(-1)?.payload).toEqual({
      clientId: client.id,
      algorithms: Object.fromEntries(algorithms.map((algorithm) => [algorithm, true])),
      needRestart: false,
    });
  });
});
