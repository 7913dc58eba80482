import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { outbox } from '@podsync/db';
import { type RunningGateway, SAMPLE_CLIENT, startGateway } from '../../../../test/support/gateway-harness';

describe('status API on PostgreSQL', () => {
  let gateway: RunningGateway;
  let id: number;

  beforeAll(async () => {
    gateway = await startGateway({ driver: 'postgres', env: { PODSYNC_ALGORITHMS: 'VWAP,TWAP,HFT,POV' } });
  });
  afterAll(() => gateway?.close());

  beforeAll(async () => {
    id = (await gateway.request('POST', '/api/v1/clients', { json: SAMPLE_CLIENT })).body.data.id;
  });

  it('switches algorithms case-insensitively and keeps the ones left out', async () => {
    const on = await gateway.request('PUT', `/api/v1/status/${id}`, { json: { vwap: true, Twap: true } });
    expect(on.status).toBe(200);
    expect(on.body).toEqual({ status: 'ok', message: 'status updated successfully' });
    await gateway.request('PUT', `/api/v1/status/${id}`, { json: { TWAP: false, POV: true } });
    const status = await gateway.request('GET', `/api/v1/status/${id}`);
    expect(status.body).toEqual({
      status: 'ok',
      data: { algorithms: { VWAP: true, TWAP: false, HFT: false, POV: true }, needRestart: false },
    });
    const client = await gateway.request('GET', `/api/v1/clients/${id}`);
    expect(client.body.data.algorithms).toEqual({ VWAP: true, TWAP: false, HFT: false, POV: true });
  });

  it('sets needRestart with need_restart=true and clears it with false', async () => {
    await gateway.request('PUT', `/api/v1/status/${id}?need_restart=true`, { json: { VWAP: true } });
    expect((await gateway.request('GET', `/api/v1/status/${id}`)).body.data.needRestart).toBe(true);
    expect((await gateway.request('GET', `/api/v1/clients/${id}`)).body.data.needRestart).toBe(true);
    await gateway.request('PUT', `/api/v1/status/${id}?need_restart=false`, { json: { VWAP: true } });
    expect((await gateway.request('GET', `/api/v1/status/${id}`)).body.data.needRestart).toBe(false);
  });

  it('writes one status event per change carrying the whole new status', async () => {
    const fresh = (await gateway.request('POST', '/api/v1/clients', { json: SAMPLE_CLIENT })).body.data.id;
    await gateway.request('PUT', `/api/v1/status/${fresh}?need_restart=true`, { json: { HFT: true } });
    const events = await gateway.database.db
      .select()
      .from(outbox)
      .where(sql`${outbox.clientId} = ${fresh} and ${outbox.subject} = 'podsync.events.status.updated'`);
    expect(events.map((event) => event.payload)).toEqual([
      { clientId: fresh, algorithms: { VWAP: false, TWAP: false, HFT: true, POV: false }, needRestart: true },
    ]);
  });
});
