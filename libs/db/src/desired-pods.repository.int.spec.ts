import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMigratedDatabase, type MigratedTestDatabase } from '../../../test/support/test-database';
import { insertClient, setAlgorithmFlags } from './clients.repository';
import { type DesiredPodBatch, desiredPodBatches, type DesiredPodQuery } from './desired-pods.repository';
import type { Database } from './open-database';

const CATALOGUE = ['VWAP', 'TWAP', 'HFT'];
const spec = { version: 1, image: 'registry.example.com/algo:1', cpu: '500m', mem: '256Mi' };

describe('desired pods repository', () => {
  let testDatabase: MigratedTestDatabase;
  let database: Database;

  beforeAll(async () => {
    testDatabase = await createMigratedDatabase();
    ({ database } = testDatabase);
  });

  beforeEach(async () => {
    await database.db.execute(sql`truncate clients, client_algorithms restart identity cascade`);
  });

  afterAll(async () => {
    await testDatabase.dispose();
  });

  async function collect(query: DesiredPodQuery): Promise<DesiredPodBatch[]> {
    const batches: DesiredPodBatch[] = [];
    for await (const batch of desiredPodBatches(database.db, query)) batches.push(batch);
    return batches;
  }

  /** `count` clients named c1..cN, each with VWAP on, in one statement. */
  async function insertClients(count: number): Promise<void> {
    await database.db.execute(sql`
      insert into clients (name, version, image, cpu, mem)
      select 'c' || n, 1, 'registry.example.com/algo:1', '500m', '256Mi' from generate_series(1, ${count}) as n`);
    await database.db.execute(
      sql`insert into client_algorithms (client_id, algorithm, enabled) select id, 'VWAP', true from clients`,
    );
  }

  it('reads 2,500 clients as three batches of at most 1,000 clients, in client id order', async () => {
    await insertClients(2_500);

    const batches = await collect({ algorithms: CATALOGUE, batchSize: 1_000 });

    expect(batches.map((batch) => batch.pods.length)).toEqual([1_000, 1_000, 500]);
    const ids = batches.flatMap((batch) => batch.pods).map((row) => row.clientId);
    expect(ids).toEqual(Array.from({ length: 2_500 }, (_, index) => index + 1));
  });

  it('joins each enabled catalogue algorithm to its client and leaves out the others', async () => {
    const acme = await insertClient(database.db, { name: 'acme', priority: 5, ...spec });
    const beta = await insertClient(database.db, { name: 'beta', ...spec, image: 'registry.example.com/algo:2' });
    await setAlgorithmFlags(database.db, acme.id, { VWAP: true, TWAP: false, HFT: true, RETIRED: true });
    await setAlgorithmFlags(database.db, beta.id, { TWAP: true });
    await database.db.execute(sql`update clients set need_restart = true where id = ${beta.id}`);

    const [batch] = await collect({ algorithms: CATALOGUE, batchSize: 10 });

    expect(batch?.pods).toEqual([
      { clientId: acme.id, algorithm: 'HFT', ...spec, priority: 5, needRestart: false },
      { clientId: acme.id, algorithm: 'VWAP', ...spec, priority: 5, needRestart: false },
      { clientId: beta.id, algorithm: 'TWAP', ...spec, image: 'registry.example.com/algo:2', priority: 0, needRestart: true },
    ]);
    expect(batch?.restartRequests).toEqual([{ clientId: beta.id, restartRequests: 1 }]);
  });

  it('reports the restart request of a client that asks for no pod', async () => {
    const idle = await insertClient(database.db, { name: 'idle', ...spec });
    await setAlgorithmFlags(database.db, idle.id, { VWAP: false, RETIRED: true });
    await database.db.execute(sql`update clients set need_restart = true where id = ${idle.id}`);

    for (const clientIds of [undefined, [idle.id]]) {
      expect(await collect({ algorithms: CATALOGUE, batchSize: 10, clientIds })).toEqual([
        { pods: [], restartRequests: [{ clientId: idle.id, restartRequests: 1 }] },
      ]);
    }
  });

  it('moves past whole batches of clients that ask for no pod', async () => {
    await insertClients(25);
    await database.db.execute(sql`update client_algorithms set enabled = false where client_id <= 20`);

    const batches = await collect({ algorithms: CATALOGUE, batchSize: 5 });

    expect(batches.map((batch) => batch.pods.map((row) => row.clientId))).toEqual([[21, 22, 23, 24, 25]]);
  });

  it('reads only the given clients, in batches, ignoring ids that do not exist', async () => {
    await insertClients(30);

    const batches = await collect({ algorithms: CATALOGUE, batchSize: 2, clientIds: [7, 3, 3, 29, 999] });

    expect(batches.map((batch) => batch.pods.map((row) => row.clientId))).toEqual([[3, 7], [29]]);
  });

  it('refuses a batch size that would read nothing', async () => {
    await expect(collect({ algorithms: CATALOGUE, batchSize: 0 })).rejects.toThrow(RangeError);
  });
});
