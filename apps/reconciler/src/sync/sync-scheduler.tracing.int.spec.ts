import { randomBytes } from 'node:crypto';
import { propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { SyncTrigger } from '@podsync/db';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMigratedDatabase, type MigratedTestDatabase } from '../../../../test/support/test-database';
import { waitUntil } from '../../../../test/support/wait-until';
import { EmbeddedLeaderElector } from '../leader/embedded-leader-elector';
import type { Lease } from '../leader/leader-elector';
import type { RoundScope, RoundSummary, SyncRoundRunner } from './sync-engine';
import { SyncScheduler } from './sync-scheduler';

/** Stands in for the engine: every round finishes at once, and the test sees its scope. */
class InstantRounds implements SyncRoundRunner {
  readonly scopes: RoundScope[] = [];

  async runRound(lease: Lease, trigger: SyncTrigger, scope: RoundScope): Promise<RoundSummary> {
    this.scopes.push(scope);
    const now = new Date();
    return {
      ...{ id: this.scopes.length, epoch: lease.epoch, trigger, startedAt: now, finishedAt: now },
      scope: scope === 'full' ? 'full' : { clientIds: [...scope.clientIds] },
      ...{ planned: 0, done: 0, failed: 0, guarded: false, deletesHeld: 0, paused: false, forced: false, backedOff: [] },
    };
  }

  guarded(): boolean {
    return false;
  }
}

/** The trace context an event's message carries: `{traceparent}` of a span of its own. */
function eventContext(): { carrier: { traceparent: string }; traceId: string; spanId: string } {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { carrier: { traceparent: `00-${traceId}-${spanId}-01` }, traceId, spanId };
}

describe(`${SyncScheduler.name} round spans`, () => {
  const exporter = new InMemorySpanExporter();
  let testDatabase: MigratedTestDatabase;
  let elector: EmbeddedLeaderElector;
  let runner: InstantRounds;
  let scheduler: SyncScheduler;

  beforeAll(async () => {
    // This test file's worker alone: the SDK records into memory, W3C trace context is propagated.
    trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }));
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    testDatabase = await createMigratedDatabase();
  });

  beforeEach(async () => {
    exporter.reset();
    runner = new InstantRounds();
    elector = new EmbeddedLeaderElector(testDatabase.database.db, { replicaId: 'replica-a' });
    // Events gather for 50 ms, so that two requested together are served by one round.
    scheduler = new SyncScheduler(runner, elector, testDatabase.database.db, pino({ level: 'silent' }), {
      intervalMs: 3_600_000,
      eventDelayMs: 50,
    });
    scheduler.start();
    await elector.start();
    await waitUntil(() => runner.scopes.length === 1, 'the startup round');
  });

  afterEach(async () => {
    await scheduler.stop();
    await elector.stop();
  });

  afterAll(async () => {
    await testDatabase.dispose();
    trace.disable();
    propagation.disable();
  });

  const roundSpan = async (scope: string): Promise<ReadableSpan> => {
    const find = () =>
      exporter.getFinishedSpans().find((span) => span.name === 'sync round' && span.attributes['podsync.round.scope'] === scope);
    await waitUntil(() => find() !== undefined, `the round span of clients ${scope}`);
    return find() as ReadableSpan;
  };

  it('continues the trace of the one event a round serves', async () => {
    const event = eventContext();

    scheduler.requestClients([7], [event.carrier]);

    const span = await roundSpan('7');
    expect(span.spanContext().traceId).toBe(event.traceId);
    expect(span.parentSpanContext?.spanId).toBe(event.spanId);
    expect(span.links).toEqual([]);
    expect(span.attributes).toMatchObject({ 'podsync.round.trigger': 'event', 'podsync.round.id': 2 });
  });

  it('starts a trace of its own for a round serving several events, linking each', async () => {
    const first = eventContext();
    const second = eventContext();

    scheduler.requestClients([8], [first.carrier]);
    scheduler.requestClients([9], [second.carrier]);

    const span = await roundSpan('8,9');
    expect(span.parentSpanContext).toBeUndefined();
    expect([first.traceId, second.traceId]).not.toContain(span.spanContext().traceId);
    expect(span.links.map((link) => link.context.spanId).sort()).toEqual([first.spanId, second.spanId].sort());
  });

  it('starts a trace for a full round, which serves no event', async () => {
    const startup = await roundSpan('full');

    expect(startup.parentSpanContext).toBeUndefined();
    expect(startup.attributes['podsync.round.trigger']).toBe('startup');
  });
});
