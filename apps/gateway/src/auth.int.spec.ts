import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, SAMPLE_CLIENT, startGateway } from '../../../test/support/gateway-harness';

describe('bearer token auth', () => {
  let gateway: RunningGateway;
  const as = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    gateway = await startGateway({
      driver: 'postgres',
      env: { PODSYNC_API_TOKENS: 'r-token:reader,w-token:writer,a-token:admin' },
    });
  });
  afterAll(() => gateway?.close());

  it('answers 401 without a token, with a malformed header and with an unknown token', async () => {
    for (const path of ['/api/v1/clients', '/api/v1/pods']) {
      for (const headers of [{}, { authorization: 'r-token' }, { authorization: 'Basic abc' }, as('nope')]) {
        const answer = await gateway.request('GET', path, { headers });
        expect(answer.status).toBe(401);
        expect(answer.body.status).toBe('error');
        expect(answer.body.message).toMatch(/Bearer|not valid/);
      }
    }
  });

  it('lets a reader read but answers 403 to its writes, which change nothing', async () => {
    for (const path of ['/api/v1/clients', '/api/v1/pods', '/api/v1/pods?ready=false', '/api/v1/cluster']) {
      expect((await gateway.request('GET', path, { headers: as('r-token') })).status, path).toBe(200);
    }
    const write = await gateway.request('POST', '/api/v1/clients', { json: SAMPLE_CLIENT, headers: as('r-token') });
    expect(write.status).toBe(403);
    expect(write.body.message).toBe('this needs the writer role; the token has reader');
    const list = await gateway.request('GET', '/api/v1/clients', { headers: as('r-token') });
    expect(list.body.data.items).toEqual([]);
  });

  it('lets a writer write but not change the log level, which needs admin', async () => {
    const created = await gateway.request('POST', '/api/v1/clients', { json: SAMPLE_CLIENT, headers: as('w-token') });
    expect(created.status).toBe(201);
    const id = created.body.data.id;
    expect((await gateway.request('PUT', `/api/v1/status/${id}`, { json: { VWAP: true }, headers: as('w-token') })).status).toBe(
      200,
    );
    expect((await gateway.request('PUT', '/api/v1/log-level', { json: { level: 'info' }, headers: as('w-token') })).status).toBe(
      403,
    );
    expect((await gateway.request('PUT', '/api/v1/log-level', { json: { level: 'info' }, headers: as('a-token') })).status).toBe(
      200,
    );
    expect((await gateway.request('DELETE', `/api/v1/clients/${id}`, { headers: as('a-token') })).status).toBe(204);
  });

  it('keeps health, readiness, metrics and docs open', async () => {
    for (const path of ['/api/health', '/api/ready', '/metrics', '/api/docs']) {
      expect((await gateway.request('GET', path)).status).toBe(200);
    }
  });
});
