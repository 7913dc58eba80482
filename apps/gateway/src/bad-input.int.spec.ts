import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_LIMIT_BYTES } from './http-app';
import { type RunningGateway, SAMPLE_CLIENT, startGateway } from '../../../test/support/gateway-harness';

interface BadRequest {
  name: string;
  method: string;
  path: string | (() => string);
  json?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  status: number;
  message: RegExp;
}

const withField = (field: string, value: unknown) => ({ ...SAMPLE_CLIENT, [field]: value });
const withoutName = Object.fromEntries(Object.entries(SAMPLE_CLIENT).filter(([field]) => field !== 'name'));
const json = { 'content-type': 'application/json' };

describe('bad input over HTTP', () => {
  let gateway: RunningGateway;
  let clientId: number;

  beforeAll(async () => {
    gateway = await startGateway({ driver: 'postgres' });
    clientId = (await gateway.request('POST', '/api/v1/clients', { json: SAMPLE_CLIENT })).body.data.id;
  });
  afterAll(() => gateway?.close());

  const cases: BadRequest[] = [
    {
      name: 'malformed JSON',
      method: 'POST',
      path: '/api/v1/clients',
      raw: '{"name":',
      headers: json,
      status: 400,
      message: /not valid JSON/,
    },
    {
      name: 'a JSON array body',
      method: 'POST',
      path: '/api/v1/clients',
      json: [SAMPLE_CLIENT],
      status: 400,
      message: /must be a JSON object/,
    },
    {
      name: 'a JSON string body',
      method: 'POST',
      path: '/api/v1/clients',
      json: 'acme',
      status: 400,
      message: /must be a JSON object/,
    },
    {
      name: 'a wrong content type',
      method: 'POST',
      path: '/api/v1/clients',
      raw: '<client/>',
      headers: { 'content-type': 'application/xml' },
      status: 415,
      message: /application\/json/,
    },
    {
      name: 'an empty JSON body',
      method: 'POST',
      path: '/api/v1/clients',
      raw: '',
      headers: json,
      status: 400,
      message: /empty/,
    },
    {
      name: 'an unknown field',
      method: 'POST',
      path: '/api/v1/clients',
      json: withField('colour', 'red'),
      status: 400,
      message: /colour/,
    },
    { name: 'a missing field', method: 'POST', path: '/api/v1/clients', json: withoutName, status: 400, message: /name/ },
    {
      name: 'an empty name',
      method: 'POST',
      path: '/api/v1/clients',
      json: withField('name', ''),
      status: 400,
      message: /name must not be empty/,
    },
    {
      name: 'a name of 51 characters',
      method: 'POST',
      path: '/api/v1/clients',
      json: withField('name', 'n'.repeat(51)),
      status: 400,
      message: /at most 50/,
    },
    {
      name: 'version -1',
      method: 'POST',
      path: '/api/v1/clients',
      json: withField('version', -1),
      status: 400,
      message: /version must be 0 or more/,
    },
    {
      name: 'version 1.5',
      method: 'POST',
      path: '/api/v1/clients',
      json: withField('version', 1.5),
      status: 400,
      message: /version must be a whole number/,
    },
    {
      name: 'version "1"',
      method: 'POST',
      path: '/api/v1/clients',
      json: withField('version', '1'),
      status: 400,
      message: /version must be a whole number/,
    },
    {
      name: 'priority NaN',
      method: 'POST',
      path: '/api/v1/clients',
      raw: JSON.stringify(SAMPLE_CLIENT).replace('"priority":5', '"priority":NaN'),
      headers: json,
      status: 400,
      message: /not valid JSON/,
    },
    {
      name: 'priority Infinity',
      method: 'POST',
      path: '/api/v1/clients',
      raw: JSON.stringify(SAMPLE_CLIENT).replace('"priority":5', '"priority":Infinity'),
      headers: json,
      status: 400,
      message: /not valid JSON/,
    },
    {
      name: 'priority 1e999 (Infinity once parsed)',
      method: 'POST',
      path: '/api/v1/clients',
      raw: JSON.stringify(SAMPLE_CLIENT).replace('"priority":5', '"priority":1e999'),
      headers: json,
      status: 400,
      message: /priority must be a finite number/,
    },
    {
      name: 'priority "high"',
      method: 'POST',
      path: '/api/v1/clients',
      json: withField('priority', 'high'),
      status: 400,
      message: /priority must be a finite number/,
    },
    {
      name: 'cpu "abc"',
      method: 'POST',
      path: '/api/v1/clients',
      json: withField('cpu', 'abc'),
      status: 400,
      message: /cpu must be a positive Kubernetes quantity/,
    },
    {
      name: 'mem "-1Gi"',
      method: 'POST',
      path: '/api/v1/clients',
      json: withField('mem', '-1Gi'),
      status: 400,
      message: /mem must be a positive Kubernetes quantity/,
    },
    {
      name: 'image ""',
      method: 'POST',
      path: '/api/v1/clients',
      json: withField('image', ''),
      status: 400,
      message: /image must not be empty/,
    },
    {
      name: 'an image that is no reference',
      method: 'POST',
      path: '/api/v1/clients',
      json: withField('image', 'Not An Image!'),
      status: 400,
      message: /OCI image reference/,
    },
    {
      name: 'an Idempotency-Key over 255 characters',
      method: 'POST',
      path: '/api/v1/clients',
      json: SAMPLE_CLIENT,
      headers: { 'idempotency-key': 'k'.repeat(256) },
      status: 400,
      message: /Idempotency-Key/,
    },
    {
      name: 'a body over 1 MiB',
      method: 'POST',
      path: '/api/v1/clients',
      raw: JSON.stringify({ name: 'x'.repeat(BODY_LIMIT_BYTES) }),
      headers: json,
      status: 413,
      message: /1 MiB/,
    },
    { name: 'id "abc"', method: 'GET', path: '/api/v1/clients/abc', status: 400, message: /id must be a positive whole number/ },
    { name: 'id "0"', method: 'GET', path: '/api/v1/clients/0', status: 400, message: /id must be a positive whole number/ },
    { name: 'id "-1"', method: 'GET', path: '/api/v1/clients/-1', status: 400, message: /id must be a positive whole number/ },
    { name: 'id "1.0"', method: 'GET', path: '/api/v1/clients/1.0', status: 400, message: /id must be a positive whole number/ },
    {
      name: 'an id beyond 64 bits',
      method: 'GET',
      path: '/api/v1/clients/18446744073709551616',
      status: 400,
      message: /id must be/,
    },
    {
      name: 'an id beyond 2^53',
      method: 'GET',
      path: '/api/v1/clients/9007199254740993',
      status: 400,
      message: /id must be at most/,
    },
    { name: 'limit 0', method: 'GET', path: '/api/v1/clients?limit=0', status: 400, message: /limit/ },
    { name: 'limit 501', method: 'GET', path: '/api/v1/clients?limit=501', status: 400, message: /limit/ },
    { name: 'a cursor that is not one', method: 'GET', path: '/api/v1/clients?cursor=abc', status: 400, message: /cursor/ },
    {
      name: 'status body {}',
      method: 'PUT',
      path: () => `/api/v1/status/${clientId}`,
      json: {},
      status: 400,
      message: /at least one algorithm/,
    },
    {
      name: 'status body {"FOO":true}',
      method: 'PUT',
      path: () => `/api/v1/status/${clientId}`,
      json: { FOO: true },
      status: 400,
      message: /unknown algorithm/,
    },
    {
      name: 'status body {"VWAP":"yes"}',
      method: 'PUT',
      path: () => `/api/v1/status/${clientId}`,
      json: { VWAP: 'yes' },
      status: 400,
      message: /true or false/,
    },
    {
      name: 'status body {"VWAP":null}',
      method: 'PUT',
      path: () => `/api/v1/status/${clientId}`,
      json: { VWAP: null },
      status: 400,
      message: /true or false/,
    },
    {
      name: 'status body naming one algorithm twice',
      method: 'PUT',
      path: () => `/api/v1/status/${clientId}`,
      json: { VWAP: true, vwap: false },
      status: 400,
      message: /more than once/,
    },
    {
      name: 'need_restart=maybe',
      method: 'PUT',
      path: () => `/api/v1/status/${clientId}?need_restart=maybe`,
      json: { VWAP: true },
      status: 400,
      message: /need_restart must be true or false/,
    },
    {
      name: 'PUT of a missing client',
      method: 'PUT',
      path: '/api/v1/clients/999999',
      json: SAMPLE_CLIENT,
      status: 404,
      message: /client 999999 not found/,
    },
    {
      name: 'DELETE of a missing client',
      method: 'DELETE',
      path: '/api/v1/clients/999999',
      status: 404,
      message: /client 999999 not found/,
    },
    {
      name: 'GET of a missing client',
      method: 'GET',
      path: '/api/v1/clients/999999',
      status: 404,
      message: /client 999999 not found/,
    },
    {
      name: 'status PUT of a missing client',
      method: 'PUT',
      path: '/api/v1/status/999999',
      json: { VWAP: true },
      status: 404,
      message: /client 999999 not found/,
    },
    {
      name: 'status GET of a missing client',
      method: 'GET',
      path: '/api/v1/status/999999',
      status: 404,
      message: /client 999999 not found/,
    },
    {
      name: 'an unknown log level',
      method: 'PUT',
      path: '/api/v1/log-level',
      json: { level: 'loud' },
      status: 400,
      message: /level must be one of/,
    },
    {
      name: 'an unknown X-Log-Level',
      method: 'GET',
      path: '/api/v1/clients',
      headers: { 'x-log-level': 'loud' },
      status: 400,
      message: /must be one of/,
    },
    {
      name: 'an operations filter that is no id',
      method: 'GET',
      path: '/api/v1/operations?clientId=x',
      status: 400,
      message: /id must be a positive whole number/,
    },
    {
      name: 'a pods filter on a phase spelt otherwise',
      method: 'GET',
      path: '/api/v1/pods?phase=running',
      status: 400,
      message: /phase must be one of Pending, Running, Succeeded, Failed, Unknown/,
    },
    {
      name: 'a pods filter on two phases',
      method: 'GET',
      path: '/api/v1/pods?phase=Running&phase=Failed',
      status: 400,
      message: /phase must be one of/,
    },
    {
      name: 'a pods filter ready=yes',
      method: 'GET',
      path: '/api/v1/pods?ready=yes',
      status: 400,
      message: /ready must be true or false/,
    },
    {
      name: 'a pods filter on an unknown algorithm',
      method: 'GET',
      path: '/api/v1/pods?algorithm=ICEBERG',
      status: 400,
      message: /algorithm must be one of VWAP, TWAP, HFT/,
    },
    {
      name: 'a pods filter on client 0',
      method: 'GET',
      path: '/api/v1/pods?clientId=0',
      status: 400,
      message: /clientId: id must be a positive whole number/,
    },
    { name: 'a pods page of 501', method: 'GET', path: '/api/v1/pods?limit=501', status: 400, message: /limit/ },
    {
      name: 'a pods cursor that is no pod name',
      method: 'GET',
      path: '/api/v1/pods?cursor=Not%20A%20Pod',
      status: 400,
      message: /cursor must be a nextCursor value/,
    },
    {
      name: 'an unknown pods filter',
      method: 'GET',
      path: '/api/v1/pods?healthy=false',
      status: 400,
      message: /unknown query parameter "healthy"/,
    },
    { name: 'an unknown route', method: 'GET', path: '/api/v1/nothing', status: 404, message: /./ },
  ];

  it.each(cases)('$name gets $status with a clear message and changes nothing', async (bad) => {
    const before = await snapshot(gateway);
    const path = typeof bad.path === 'function' ? bad.path() : bad.path;
    const answer = await gateway.request(bad.method, path, { json: bad.json, raw: bad.raw, headers: bad.headers });
    expect(answer.status).toBe(bad.status);
    expect(answer.body.status).toBe('error');
    expect(answer.body.message).toMatch(bad.message);
    expect(await snapshot(gateway)).toEqual(before);
  });

  it('lists each invalid field with its path', async () => {
    const answer = await gateway.request('POST', '/api/v1/clients', { json: { ...SAMPLE_CLIENT, name: '', version: -1 } });
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([
      { path: 'name', message: 'name must not be empty' },
      { path: 'version', message: 'version must be 0 or more' },
    ]);
  });
});

/** Every table the API writes, as rows, to prove a refused request wrote nothing. */
async function snapshot(gateway: RunningGateway): Promise<unknown> {
  const answer = await gateway.request('GET', '/api/v1/clients?limit=500');
  const { db } = gateway.database;
  const { outbox, clientAlgorithms, idempotencyKeys } = await import('@podsync/db');
  return {
    clients: answer.body.data.items,
    outbox: await db.select().from(outbox),
    algorithms: await db.select().from(clientAlgorithms),
    keys: await db.select().from(idempotencyKeys),
  };
}
