import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clients, outbox, pods } from '@podsync/db';
import { type RunningGateway, SAMPLE_CLIENT, startGateway } from '../support/gateway-harness';
import { waitUntil } from '../support/wait-until';

describe('mass-deletion guard over the API', () => {
  let app: RunningGateway;
  const fleet = 30;

  beforeAll(async () => {
    app = await startGateway({ driver: 'postgres', app: 'standalone' });
  });
  afterAll(() => app?.close());

  const runningPods = async (): Promise<number> =>
    ((await app.database.db.execute(sql`select count(*)::int as count from ${pods}`)) as unknown as [{ count: number }])[0].count;
  const outboxRows = async (): Promise<number> =>
    ((await app.database.db.execute(sql`select count(*)::int as count from ${outbox}`)) as unknown as [{ count: number }])[0]
      .count;
  const lastRound = async () => (await app.request('GET', '/api/v1/sync/rounds?limit=1')).body.data.items[0];

  it('deletes nothing when the clients table is emptied under a running fleet, until a forced round', async () => {
    for (let n = 0; n < fleet; n += 1) {
      const id = (await app.request('POST', '/api/v1/clients', { json: { ...SAMPLE_CLIENT, name: `fleet-${n}` } })).body.data.id;
      await app.request('PUT', `/api/v1/status/${id}`, { json: { VWAP: true } });
    }
    await waitUntil(async () => (await runningPods()) === fleet, `${fleet} pods running`, 20_000, 100);
    // The pods show as soon as the watch sees them run, maybe before the rounds of the status writes
    // have all ended. A full round, once the outbox is published, absorbs the client rounds still
    // pending: after it, none is left to delete an orphaned pod under the emptied table.
    await waitUntil(async () => (await outboxRows()) === 0, 'the outbox published', 20_000, 100);
    expect((await app.request('POST', '/api/v1/sync')).status).toBe(202);
    await waitUntil(
      async () => (await lastRound())?.trigger === 'manual' && (await lastRound())?.finishedAt !== null,
      'the settling round',
      20_000,
      100,
    );

    // A wrong or emptied database must not wipe the fleet.
    await app.database.db.execute(sql`truncate ${clients} cascade`);
    expect((await app.request('POST', '/api/v1/sync')).status).toBe(202);
    await waitUntil(async () => (await lastRound())?.guarded === true, 'a guarded round', 20_000, 100);
    expect(await runningPods()).toBe(fleet);
    const cluster = (await app.request('GET', '/api/v1/cluster')).body.data;
    expect(cluster.guarded).toBe(true);
    const plan = (await app.request('GET', '/api/v1/sync/plan')).body.data;
    expect(plan).toMatchObject({ guarded: true, deletes: fleet });

    expect((await app.request('POST', '/api/v1/sync?force=true')).body.data).toMatchObject({ accepted: true, force: true });
    await waitUntil(async () => (await runningPods()) === 0, 'the fleet deleted by the forced round', 20_000, 100);
    await waitUntil(
      async () => (await app.request('GET', '/api/v1/cluster')).body.data.guarded === false,
      'the guard lifted',
      10_000,
      100,
    );
  });
});
