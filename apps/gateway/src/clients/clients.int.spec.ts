import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { clients, outbox, operations, pods } from '@podsync/db';
import { type RunningGateway, SAMPLE_CLIENT, startGateway } from '../../../../test/support/gateway-harness';

describe('clients API on PostgreSQL', () => {
  let gateway: RunningGateway;

  beforeAll(async () => {
    gateway = await startGateway({ driver: 'postgres' });
  });
  afterAll(() => gateway?.close());

  const create = (body: object = SAMPLE_CLIENT, headers: Record<string, string> = {}) =>
    gateway.request('POST', '/api/v1/clients', { json: body, headers });

  it('creates a client: 201, the client with its id, a Location header and one outbox event', async () => {
    const answer = await create();
    expect(answer.status).toBe(201);
    expect(answer.body.status).toBe('ok');
    const client = answer.body.data;
    expect(client).toMatchObject({ ...SAMPLE_CLIENT, needRestart: false, spawnedAt: null });
    expect(typeof client.id).toBe('number');
    expect(answer.headers.get('location')).toBe(`/api/v1/clients/${client.id}`);
    const events = await gateway.database.db
      .select()
      .from(outbox)
      .where(sql`${outbox.clientId} = ${client.id}`);
    expect(events.map((event) => event.subject)).toEqual(['podsync.events.client.created']);
    expect(events[0]?.payload).toEqual(client);
  });

  it('defaults priority to 0', async () => {
    const withoutPriority = Object.fromEntries(Object.entries(SAMPLE_CLIENT).filter(([field]) => field !== 'priority'));
    expect((await create(withoutPriority)).body.data.priority).toBe(0);
  });

  it('gets a client with every catalogue algorithm off and no pods', async () => {
    const { id } = (await create()).body.data;
    const answer = await gateway.request('GET', `/api/v1/clients/${id}`);
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({
      id,
      ...SAMPLE_CLIENT,
      algorithms: { VWAP: false, TWAP: false, HFT: false },
      pods: [],
    });
  });

  it("shows a client's pods with their health, from the pods table, as the pods list does", async () => {
    const { id } = (await create()).body.data;
    const observed = { clientId: id, specHash: 'hash', epoch: 2 };
    await gateway.database.db.insert(pods).values([
      { ...observed, name: `vwap-${id}`, algorithm: 'VWAP', phase: 'Running', ready: true, node: 'worker-1' },
      {
        ...observed,
        name: `twap-${id}`,
        algorithm: 'TWAP',
        phase: 'Running',
        ready: false,
        restarts: 4,
        reason: 'CrashLoopBackOff',
        message: 'back-off 1m20s',
      },
      { ...observed, clientId: id + 1_000_000, name: `vwap-${id + 1_000_000}`, algorithm: 'VWAP' },
    ]);
    // Microseconds, as now() stores them: both endpoints show the same millisecond.
    await gateway.database.db
      .update(pods)
      .set({ since: sql`'2026-11-22T09:30:09.402789Z'::timestamptz` })
      .where(sql`${pods.clientId} = ${id}`);

    const answer = await gateway.request('GET', `/api/v1/clients/${id}`);
    expect(answer.status).toBe(200);
    expect(answer.body.data.pods).toEqual([
      {
        name: `twap-${id}`,
        algorithm: 'TWAP',
        phase: 'Running',
        ready: false,
        restarts: 4,
        reason: 'CrashLoopBackOff',
        since: '2026-11-22T09:30:09.402Z',
      },
      {
        name: `vwap-${id}`,
        algorithm: 'VWAP',
        phase: 'Running',
        ready: true,
        restarts: 0,
        reason: null,
        since: '2026-11-22T09:30:09.402Z',
      },
    ]);
    const listed = (await gateway.request('GET', `/api/v1/pods?clientId=${id}`)).body.data.items;
    expect(listed.map((pod: { since: string }) => pod.since)).toEqual(['2026-11-22T09:30:09.402Z', '2026-11-22T09:30:09.402Z']);
  });

  it('replaces a client with PUT and records the update in the outbox', async () => {
    const { id } = (await create()).body.data;
    const replacement = {
      name: 'acme-2',
      version: 2,
      image: 'registry.example.com/algo:2.0',
      cpu: '2',
      mem: '1Gi',
      priority: -1.5,
    };
    const answer = await gateway.request('PUT', `/api/v1/clients/${id}`, { json: replacement });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 'ok', message: 'client updated successfully' });
    expect((await gateway.request('GET', `/api/v1/clients/${id}`)).body.data).toMatchObject(replacement);
    const events = await gateway.database.db
      .select()
      .from(outbox)
      .where(sql`${outbox.clientId} = ${id}`)
      .orderBy(outbox.id);
    expect(events.map((event) => event.subject)).toEqual(['podsync.events.client.created', 'podsync.events.client.updated']);
  });

  it('deletes a client: 204 with no body, then 404, and a deleted event', async () => {
    const { id } = (await create()).body.data;
    await gateway.request('PUT', `/api/v1/status/${id}`, { json: { VWAP: true } });
    const answer = await gateway.request('DELETE', `/api/v1/clients/${id}`);
    expect(answer.status).toBe(204);
    expect(answer.text).toBe('');
    expect((await gateway.request('GET', `/api/v1/clients/${id}`)).status).toBe(404);
    const [last] = await gateway.database.db
      .select()
      .from(outbox)
      .where(sql`${outbox.clientId} = ${id}`)
      .orderBy(sql`${outbox.id} desc`)
      .limit(1);
    expect(last).toMatchObject({ subject: 'podsync.events.client.deleted', payload: { id } });
  });

  it('replays the first answer for a repeated Idempotency-Key and creates one client', async () => {
    const headers = { 'idempotency-key': 'create-acme-once' };
    const first = await create(SAMPLE_CLIENT, headers);
    const second = await create(SAMPLE_CLIENT, headers);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const [{ count }] = (await gateway.database.db.execute(
      sql`select count(*)::int as count from ${clients} where ${clients.name} = ${SAMPLE_CLIENT.name} and ${clients.id} = ${first.body.data.id}`,
    )) as unknown as [{ count: number }];
    expect(count).toBe(1);
  });

  it('creates one client when the same Idempotency-Key arrives concurrently', async () => {
    const headers = { 'idempotency-key': 'concurrent-key' };
    const body = { ...SAMPLE_CLIENT, name: 'concurrent-idempotent' };
    const answers = await Promise.all(Array.from({ length: 10 }, () => create(body, headers)));
    expect(new Set(answers.map((answer) => answer.status))).toEqual(new Set([201]));
    expect(new Set(answers.map((answer) => answer.body.data.id)).size).toBe(1);
    const rows = await gateway.database.db
      .select()
      .from(clients)
      .where(sql`${clients.name} = 'concurrent-idempotent'`);
    expect(rows).toHaveLength(1);
  });

  it('refuses the same Idempotency-Key with another body with 422 and creates nothing', async () => {
    const headers = { 'idempotency-key': 'key-with-two-bodies' };
    await create(SAMPLE_CLIENT, headers);
    const before = await gateway.database.db.select().from(clients);
    const answer = await create({ ...SAMPLE_CLIENT, name: 'someone-else' }, headers);
    expect(answer.status).toBe(422);
    expect(answer.body).toEqual({ status: 'error', message: 'this Idempotency-Key was already used with a different body' });
    expect(await gateway.database.db.select().from(clients)).toEqual(before);
  });

  it('leaves a client consistent after 50 concurrent updates', async () => {
    const { id } = (await create()).body.data;
    const bodies = Array.from({ length: 50 }, (_, n) => ({ ...SAMPLE_CLIENT, name: `update-${n}`, version: n, priority: n }));
    const answers = await Promise.all(bodies.map((body) => gateway.request('PUT', `/api/v1/clients/${id}`, { json: body })));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    const final = (await gateway.request('GET', `/api/v1/clients/${id}`)).body.data;
    // The final row is exactly one of the bodies sent, never a mix of two.
    const winner = bodies.find((body) => body.name === final.name);
    expect(winner).toBeDefined();
    expect(final).toMatchObject(winner ?? {});
    const updates = await gateway.database.db
      .select()
      .from(outbox)
      .where(sql`${outbox.clientId} = ${id} and ${outbox.subject} = 'podsync.events.client.updated'`)
      .orderBy(outbox.id);
    expect(updates).toHaveLength(50);
    // Events leave in commit order, so the last event describes the final state.
    expect(updates.at(-1)?.payload).toMatchObject(winner ?? {});
  });

  it('pages through 1,000 clients returning each exactly once', async () => {
    const paging = await startGateway({ driver: 'postgres' });
    try {
      const values = Array.from({ length: 1_000 }, (_, n) => ({ ...SAMPLE_CLIENT, name: `client-${n}` }));
      await paging.database.db.insert(clients).values(values);
      const seen: number[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 20; page += 1) {
        const query: string = cursor === null ? '?limit=77' : `?limit=77&cursor=${cursor}`;
        const answer = await paging.request('GET', `/api/v1/clients${query}`);
        expect(answer.status).toBe(200);
        seen.push(...answer.body.data.items.map((item: { id: number }) => item.id));
        cursor = answer.body.data.nextCursor;
        if (cursor === null) break;
      }
      expect(cursor).toBeNull();
      expect(seen).toHaveLength(1_000);
      expect(new Set(seen).size).toBe(1_000);
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
    } finally {
      await paging.close();
    }
  });

  it('lists operations newest first, filtered by client, in the ops message shape', async () => {
    const { db } = gateway.database;
    const at = new Date('2026-01-01T00:00:00Z');
    const row = {
      epoch: 3,
      round: 7,
      replicaId: 'replica-a',
      kind: 'create',
      algorithm: 'VWAP',
      result: 'ok',
      startedAt: at,
      finishedAt: at,
    };
    await db.insert(operations).values([
      { ...row, pod: 'vwap-1001', clientId: 1001 },
      { ...row, pod: 'vwap-1002', clientId: 1002 },
      { ...row, pod: 'vwap-1001', clientId: 1001, kind: 'restart', result: 'failed', error: 'quota exceeded' },
    ]);
    const all = await gateway.request('GET', '/api/v1/operations?limit=2');
    expect(all.body.data.items.map((item: { pod: string; kind: string }) => `${item.kind} ${item.pod}`)).toEqual([
      'restart vwap-1001',
      'create vwap-1002',
    ]);
    expect(all.body.data.nextCursor).not.toBeNull();
    const next = await gateway.request('GET', `/api/v1/operations?limit=2&cursor=${all.body.data.nextCursor}`);
    expect(next.body.data).toMatchObject({ items: [{ kind: 'create', pod: 'vwap-1001' }], nextCursor: null });
    const one = await gateway.request('GET', '/api/v1/operations?clientId=1001');
    expect(one.body.data.items).toHaveLength(2);
    expect(one.body.data.items[0]).toEqual({
      id: expect.any(Number),
      epoch: 3,
      round: 7,
      replicaId: 'replica-a',
      kind: 'restart',
      pod: 'vwap-1001',
      clientId: 1001,
      algorithm: 'VWAP',
      result: 'failed',
      error: 'quota exceeded',
      at: at.toISOString(),
    });
  });
});
