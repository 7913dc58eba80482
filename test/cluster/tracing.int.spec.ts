import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Cluster, startCluster } from '../support/cluster';
import { SAMPLE_CLIENT } from '../support/gateway-harness';
import { readStream } from '../support/jetstream-streams';
import { ancestry, OTLP_KIND, OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver';

/**
 * A trace across processes: the gateway writes the change and its outbox row, the leading
 * replica publishes the event on NATS, runs the round and creates the pod on the Kubernetes API.
 */
describe('cluster mode: one trace from the gateway to the pod the replica creates', () => {
  let receiver: OtlpReceiver;
  let cluster: Cluster;

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    cluster = await startCluster({
      replicas: 1,
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '100',
      },
    });
  }, 120_000);
  afterAll(async () => {
    await cluster?.close();
    await receiver?.close();
  });
  beforeEach(({ onTestFailed }) => onTestFailed(() => console.log(cluster.dumpLogs())));

  it('follows a status change through the outbox, the NATS message and the round to the Kubernetes call', async () => {
    const creation = randomBytes(16).toString('hex');
    const created = await cluster.gateway.request('POST', '/api/v1/clients', {
      json: SAMPLE_CLIENT,
      headers: { traceparent: `00-${creation}-${randomBytes(8).toString('hex')}-01` },
    });
    const id: number = created.body.data.id;
    // The client's own event is served first, so that the status change's round serves it alone.
    await cluster.waitFor(
      () =>
        receiver.spans.some(
          (span) =>
            span.name === 'sync round' && (span.traceId === creation || span.links.some((link) => link.traceId === creation)),
        ),
      { what: 'the round of the client creation', timeoutMs: 20_000 },
    );

    const traceId = randomBytes(16).toString('hex');
    const changed = await cluster.gateway.request('PUT', `/api/v1/status/${id}`, {
      json: { VWAP: true },
      headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
    });
    expect(changed.status).toBe(200);
    const podCreation = (): ReceivedSpan | undefined =>
      receiver.trace(traceId).find((span) => span.name === 'deployer create' && span.attributes['podsync.pod'] === `vwap-${id}`);
    const kubeCall = (): ReceivedSpan | undefined =>
      receiver.trace(traceId).find((span) => span.kind === OTLP_KIND.client && span.parentSpanId === podCreation()?.spanId);
    // Spans are exported as they end, the enclosing ones last: wait for the chain back to the request.
    const reachesRequest = (): boolean => {
      const pod = podCreation();
      const root = pod === undefined ? undefined : ancestry(pod, receiver.trace(traceId)).at(-1);
      return root?.kind === OTLP_KIND.server && root.service === 'podsync-gateway' && kubeCall() !== undefined;
    };
    await cluster.waitFor(reachesRequest, { what: 'the spans from the pod creation back to the request', timeoutMs: 20_000 });

    const trace = receiver.trace(traceId);
    const server = trace.find((span) => span.kind === OTLP_KIND.server && span.name === 'PUT /api/v1/status/:id');
    expect(server?.service).toBe('podsync-gateway');
    const pod = podCreation() as ReceivedSpan;
    expect(pod).toMatchObject({
      service: 'podsync-reconciler',
      kind: OTLP_KIND.client,
      attributes: { 'podsync.deployer': 'kubernetes' },
    });
    const chain = ancestry(pod, trace);
    expect(chain.map((span) => `${span.service} ${span.name}`)).toEqual(
      expect.arrayContaining([
        'podsync-reconciler sync round',
        'podsync-reconciler publish podsync.events.status.updated',
        'podsync-gateway PUT /api/v1/status/:id',
      ]),
    );
    expect(chain.at(-1)?.spanId).toBe(server?.spanId);
    expect(kubeCall()).toMatchObject({ service: 'podsync-reconciler', attributes: { 'http.request.method': 'POST' } });
    // The gateway's statements on PostgreSQL, the outbox row among them, under its request.
    const outboxInsert = trace.find((span) => span.name === 'INSERT outbox');
    expect(outboxInsert).toMatchObject({ service: 'podsync-gateway', kind: OTLP_KIND.client });
    expect(ancestry(outboxInsert as ReceivedSpan, trace).at(-1)?.spanId).toBe(server?.spanId);

    // The messages carry the trace in their headers: the event to any consumer, the operation to auditors.
    const events = await readStream(cluster.nats.url, 'PODSYNC_EVENTS');
    const event = events.find(
      (message) =>
        message.subject === 'podsync.events.status.updated' && (message.payload as { clientId: number }).clientId === id,
    );
    expect(event?.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    const operations = await readStream(cluster.nats.url, 'PODSYNC_OPS');
    const operation = operations.find((message) => (message.payload as { pod: string }).pod === `vwap-${id}`);
    expect(operation?.traceparent).toMatch(new RegExp(`^00-${traceId}-`));
  });
});
