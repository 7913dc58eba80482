import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, SAMPLE_CLIENT, startGateway } from '../../../test/support/gateway-harness';

describe('health, metrics, docs and log level', () => {
  let gateway: RunningGateway;

  beforeAll(async () => {
    gateway = await startGateway({ driver: 'postgres' });
  });
  afterAll(() => gateway?.close());

  it('answers liveness with {"status":"ok"} and readiness with the database up', async () => {
    expect(await gateway.request('GET', '/api/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
    const ready = await gateway.request('GET', '/api/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ok', details: { database: { status: 'up' } } });
  });

  it('serves Prometheus text with the request histogram and the process metrics', async () => {
    await gateway.request('POST', '/api/v1/clients', { json: SAMPLE_CLIENT });
    const metrics = await gateway.request('GET', '/metrics').catch((error: unknown) => Promise.reject(error));
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(metrics.text).toMatch(
      /podsync_http_request_duration_seconds_count\{route="\/api\/v1\/clients",method="POST",status="201"\} 1/,
    );
    expect(metrics.text).toMatch(/^process_cpu_seconds_total /m);
    expect(metrics.text).toMatch(/^nodejs_eventloop_lag_seconds /m);
  });

  it('serves Swagger UI and an OpenAPI document generated from the request schemas', async () => {
    const ui = await fetch(`${gateway.url}/api/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toMatch(/swagger/i);
    const document = await gateway.request('GET', '/api/docs-json');
    expect(document.status).toBe(200);
    const createClient = document.body.paths['/api/v1/clients'].post;
    const schema = createClient.requestBody.content['application/json'].schema;
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'version', 'image', 'cpu', 'mem']));
    expect(schema.properties.name).toMatchObject({ type: 'string', maxLength: 50 });
    expect(schema.additionalProperties).toBe(false);
    const podFilters = document.body.paths['/api/v1/pods'].get.parameters;
    expect(podFilters.map((parameter: { name: string }) => parameter.name).sort()).toEqual(
      ['algorithm', 'clientId', 'cursor', 'limit', 'phase', 'ready'].sort(),
    );
    expect(podFilters.find((parameter: { name: string }) => parameter.name === 'phase')).toMatchObject({
      in: 'query',
      required: false,
      schema: { enum: ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'] },
    });
    expect(Object.keys(document.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/clients/{id}',
        '/api/v1/status/{id}',
        '/api/v1/operations',
        '/api/v1/pods',
        '/api/v1/log-level',
        '/api/health',
        '/api/ready',
      ]),
    );
  });

  it('shows an example answer for every endpoint in the OpenAPI document', async () => {
    const document = await gateway.request('GET', '/api/docs-json');
    const missing: string[] = [];
    for (const [path, operations] of Object.entries(
      document.body.paths as Record<string, Record<string, { responses: object }>>,
    )) {
      for (const [method, operation] of Object.entries(operations)) {
        const examples = Object.values(operation.responses).filter(
          (response: { content?: Record<string, { example?: unknown }> }) =>
            response.content?.['application/json']?.example !== undefined,
        );
        if (examples.length === 0) missing.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('changes the log level at run time', async () => {
    const answer = await gateway.request('PUT', '/api/v1/log-level', { json: { level: 'error' } });
    expect(answer).toMatchObject({ status: 200, body: { status: 'ok', message: 'log level set to error' } });
  });

  it('takes a sane X-Request-Id and returns it, and makes one otherwise', async () => {
    const given = await gateway.request('GET', '/api/health', { headers: { 'x-request-id': 'trace-123' } });
    expect(given.headers.get('x-request-id')).toBe('trace-123');
    const made = await gateway.request('GET', '/api/health', { headers: { 'x-request-id': 'no spaces or <tags>' } });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
