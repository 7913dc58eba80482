import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_CLIENT } from '../support/gateway-harness';
import { ancestry, OTLP_KIND, OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver';
import { StandaloneProcess } from '../support/standalone-process';
import { waitUntil } from '../support/wait-until';

/** The built app boots in seconds, but a loaded two-core machine can make that a minute. */
const START_TIMEOUT_MS = 120_000;

/** A caller's own trace: the request carries it in `traceparent`, so the test knows which trace to read. */
function callerTrace(): { traceId: string; spanId: string; traceparent: string } {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

describe.each(['http/json', 'http/protobuf'])('traces exported over OTLP %s', (protocol) => {
  let receiver: OtlpReceiver;
  let app: StandaloneProcess;

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    app = await StandaloneProcess.start({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
      OTEL_SERVICE_NAME: 'podsync-under-test',
      // Spans leave within a tenth of a second instead of the default five.
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
  }, START_TIMEOUT_MS);
  afterAll(async () => {
    await app?.close();
    await receiver?.close();
  });

  /** Whether a finished round served the event of this trace: continued it, or linked it among several. */
  const roundServed = (traceId: string): boolean =>
    receiver.spans.some(
      (span) => span.name === 'sync round' && (span.traceId === traceId || span.links.some((link) => link.traceId === traceId)),
    );

  it('follows a status change in one trace: request, statements, outbox event, round, pod creation', async () => {
    const creation = callerTrace();
    const created = await app.request('POST', '/api/v1/clients', {
      json: SAMPLE_CLIENT,
      headers: { traceparent: creation.traceparent },
    });
    expect(created.status).toBe(201);
    const id: number = created.body.data.id;
    // The client's own event is served first, so that the status change's round serves it alone.
    await waitUntil(() => roundServed(creation.traceId), 'the round of the client creation', 20_000, 50);

    const change = callerTrace();
    const changed = await app.request('PUT', `/api/v1/status/${id}`, {
      json: { VWAP: true },
      headers: { traceparent: change.traceparent },
    });
    expect(changed.status).toBe(200);
    const podCreation = (): ReceivedSpan | undefined =>
      receiver
        .trace(change.traceId)
        .find((span) => span.name === 'deployer create' && span.attributes['podsync.pod'] === `vwap-${id}`);
    // Spans are exported as they end, the enclosing ones last: wait for the chain back to the request.
    const reachesRequest = (): boolean => {
      const pod = podCreation();
      return pod !== undefined && ancestry(pod, receiver.trace(change.traceId)).at(-1)?.kind === OTLP_KIND.server;
    };
    await waitUntil(reachesRequest, 'the spans from the pod creation back to the request', 20_000, 50);

    const trace = receiver.trace(change.traceId);
    const server = trace.find((span) => span.kind === OTLP_KIND.server);
    expect(server).toMatchObject({
      name: 'PUT /api/v1/status/:id',
      parentSpanId: change.spanId,
      service: 'podsync-under-test',
      attributes: { 'http.route': '/api/v1/status/:id', 'http.response.status_code': 200 },
    });
    const podSpan = podCreation();
    expect(podSpan?.kind).toBe(OTLP_KIND.client);
    // From the pod call back to the request: round, then the event's publish, then the write.
    const chain = (podSpan === undefined ? [] : ancestry(podSpan, trace)).map((span) => span.name);
    expect(chain).toEqual(
      expect.arrayContaining([
        'deployer create',
        'sync round',
        'publish podsync.events.status.updated',
        'PUT /api/v1/status/:id',
      ]),
    );
    expect(chain.at(-1)).toBe('PUT /api/v1/status/:id');
    const outboxInsert = trace.find((span) => span.name === 'INSERT outbox');
    expect(outboxInsert).toMatchObject({ kind: OTLP_KIND.client, attributes: { 'db.system.name': 'postgresql' } });
    expect(ancestry(outboxInsert as ReceivedSpan, trace).at(-1)?.spanId).toBe(server?.spanId);
    expect(trace.find((span) => span.name === 'publish podsync.events.status.updated')?.kind).toBe(OTLP_KIND.producer);
    expect(receiver.exports.every((request) => request.contentType.includes(protocol.split('/')[1] ?? ''))).toBe(true);
    // Statements outside a trace (the relay polling the outbox) start no trace of their own.
    expect(receiver.spans.filter((span) => 'db.query.text' in span.attributes && span.parentSpanId === undefined)).toEqual([]);
  });

  it('writes trace_id and span_id on the log lines of a traced request and of the round it causes', async () => {
    const creation = callerTrace();
    const created = await app.request('POST', '/api/v1/clients', {
      json: SAMPLE_CLIENT,
      headers: { traceparent: creation.traceparent },
    });
    const id: number = created.body.data.id;
    await waitUntil(() => roundServed(creation.traceId), 'the round of the client creation', 20_000, 50);
    const change = callerTrace();
    await app.request('PUT', `/api/v1/status/${id}`, { json: { TWAP: true }, headers: { traceparent: change.traceparent } });
    const linesOfTrace = () => app.output.lines((line) => line.json?.trace_id === change.traceId);
    await waitUntil(
      () => linesOfTrace().some((line) => line.json?.msg === 'operation completed'),
      'the operation log line of the status change',
      20_000,
      50,
    );
    const request = linesOfTrace().find((line) => line.json?.msg === 'request completed');
    expect(request?.json).toMatchObject({ component: 'http', req: { url: `/api/v1/status/${id}` }, span_id: expect.any(String) });
    expect(linesOfTrace().find((line) => line.json?.msg === 'operation completed')?.json).toMatchObject({
      component: 'sync/reconciler',
      pod_operation: `<CREATE> twap-${id}`,
      span_id: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
  });
});

describe('without OTEL variables', () => {
  let app: StandaloneProcess;

  beforeAll(async () => {
    app = await StandaloneProcess.start();
  }, START_TIMEOUT_MS);
  afterAll(() => app?.close());

  it('runs as before: a status change reaches its pod, and no log line carries a trace id', async () => {
    const { traceparent } = callerTrace();
    const id: number = (await app.request('POST', '/api/v1/clients', { json: SAMPLE_CLIENT })).body.data.id;
    const changed = await app.request('PUT', `/api/v1/status/${id}`, { json: { VWAP: true }, headers: { traceparent } });
    expect(changed.status).toBe(200);
    await waitUntil(
      async () => (await app.request('GET', `/api/v1/clients/${id}`)).body.data.pods.length === 1,
      `the pod of client ${id}`,
      20_000,
      50,
    );
    // The pod is in the table once its operation is recorded; its log line may follow a moment later.
    await waitUntil(() => app.output.find({ msg: 'operation completed' }) !== undefined, 'the operation log line', 5_000, 50);
    expect(app.output.lines((line) => line.json !== undefined && 'trace_id' in line.json)).toEqual([]);
  });
});
