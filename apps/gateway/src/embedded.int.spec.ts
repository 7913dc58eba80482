import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pods } from '@podsync/db';
import { SAMPLE_CLIENT, startGateway } from '../../../test/support/gateway-harness';

describe('gateway on embedded PGlite', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'podsync-embedded-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('serves the API and keeps its data across a restart', async () => {
    const first = await startGateway({ driver: 'pglite', dataDir });
    let id: number;
    try {
      const created = await first.request('POST', '/api/v1/clients', {
        json: SAMPLE_CLIENT,
        headers: { 'idempotency-key': 'k1' },
      });
      expect(created.status).toBe(201);
      id = created.body.data.id;
      expect((await first.request('PUT', `/api/v1/status/${id}?need_restart=true`, { json: { TWAP: true } })).status).toBe(200);
      expect(
        (await first.request('POST', '/api/v1/clients', { json: SAMPLE_CLIENT, headers: { 'idempotency-key': 'k1' } })).body.data
          .id,
      ).toBe(id);
      expect((await first.request('GET', '/api/ready')).status).toBe(200);
    } finally {
      await first.close();
    }

    const second = await startGateway({ driver: 'pglite', dataDir });
    try {
      const client = await second.request('GET', `/api/v1/clients/${id}`);
      expect(client.status).toBe(200);
      expect(client.body.data).toMatchObject({
        ...SAMPLE_CLIENT,
        needRestart: true,
        algorithms: { VWAP: false, TWAP: true, HFT: false },
      });
      const list = await second.request('GET', '/api/v1/clients');
      expect(list.body.data.items).toHaveLength(1);
      expect((await second.request('DELETE', `/api/v1/clients/${id}`)).status).toBe(204);
      expect((await second.request('GET', `/api/v1/clients/${id}`)).status).toBe(404);
    } finally {
      await second.close();
    }
  });

  it('reads the pods with their health the same way', async () => {
    const gateway = await startGateway({ driver: 'pglite' });
    try {
      const id = (await gateway.request('POST', '/api/v1/clients', { json: SAMPLE_CLIENT })).body.data.id;
      await gateway.request('PUT', `/api/v1/status/${id}`, { json: { VWAP: true, HFT: true } });
      const since = new Date('2026-11-22T09:30:09.402Z');
      const observed = { clientId: id, specHash: 'hash', epoch: 1, since };
      await gateway.database.db.insert(pods).values([
        { ...observed, name: `vwap-${id}`, algorithm: 'VWAP', phase: 'Running', ready: true },
        { ...observed, name: `hft-${id}`, algorithm: 'HFT', phase: 'Pending', reason: 'ErrImagePull' },
      ]);
      expect((await gateway.request('GET', `/api/v1/clients/${id}`)).body.data.pods).toEqual([
        {
          name: `hft-${id}`,
          algorithm: 'HFT',
          phase: 'Pending',
          ready: false,
          restarts: 0,
          reason: 'ErrImagePull',
          since: since.toISOString(),
        },
        {
          name: `vwap-${id}`,
          algorithm: 'VWAP',
          phase: 'Running',
          ready: true,
          restarts: 0,
          reason: null,
          since: since.toISOString(),
        },
      ]);
      const unready = (await gateway.request('GET', '/api/v1/pods?ready=false')).body.data;
      expect(unready).toMatchObject({ items: [{ name: `hft-${id}`, clientId: id, reason: 'ErrImagePull' }], nextCursor: null });
      expect((await gateway.request('GET', '/api/v1/cluster')).body.data.pods).toEqual({
        desired: 2,
        running: 1,
        ready: 1,
        pending: 1,
        failed: 0,
      });
    } finally {
      await gateway.close();
    }
  });

  it('refuses bad input the same way', async () => {
    const gateway = await startGateway({ driver: 'pglite' });
    try {
      const bad = await gateway.request('POST', '/api/v1/clients', { json: { ...SAMPLE_CLIENT, version: 1.5 } });
      expect(bad).toMatchObject({ status: 400, body: { status: 'error', errors: [{ path: 'version' }] } });
      expect((await gateway.request('GET', '/api/v1/clients/0')).status).toBe(400);
      expect((await gateway.request('PUT', '/api/v1/status/42', { json: { VWAP: true } })).status).toBe(404);
      expect((await gateway.request('GET', '/api/v1/clients')).body.data.items).toEqual([]);
    } finally {
      await gateway.close();
    }
  });
});
