import { type Database, readClusterSettings, StaleEpochError, type SyncTrigger } from '@podsync/db';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMigratedDatabase, type MigratedTestDatabase } from '../../../../test/support/test-database';
import { EmbeddedLeaderElector } from '../leader/embedded-leader-elector';
import type { Lease } from '../leader/leader-elector';
import type { RoundOptions, RoundScope, RoundSummary, SyncRoundRunner } from './sync-engine';
import { SyncScheduler, type SyncSchedulerSettings } from './sync-scheduler';

const silent = pino({ level: 'silent' });
const WAIT_MS = 5_000;

/** A round the test holds open until it ends it. */
interface HeldRound {
  lease: Lease;
  trigger: SyncTrigger;
  scope: RoundScope;
  force: boolean;
  /** Ends the round; `outcome` overrides fields of its summary. */
  finish(outcome?: Partial<RoundSummary>): void;
  fail(error: unknown): void;
}

/** Rejects when `promise` has not settled within `ms`, so that every wait of a test is bounded. */
function within<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Stands in for the engine: each round stays open until the test finishes or fails it, or the lease is lost. */
class HeldRounds implements SyncRoundRunner {
  readonly rounds: HeldRound[] = [];
  inFlight = 0;
  mostInFlight = 0;
  private arrivals: Array<() => void> = [];

  runRound(lease: Lease, trigger: SyncTrigger, scope: RoundScope, options: RoundOptions = {}): Promise<RoundSummary> {
    this.inFlight++;
    this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
    return new Promise<RoundSummary>((resolve, reject) => {
      let settled = false;
      const settle = (outcome: () => void): void => {
        if (settled) return;
        settled = true;
        this.inFlight--;
        outcome();
      };
      const id = this.rounds.length + 1;
      const round: HeldRound = {
        lease,
        trigger,
        scope,
        force: options.force ?? false,
        finish: (outcome = {}) => settle(() => resolve({ ...summary(id, lease, trigger, scope), ...outcome })),
        fail: (error) => settle(() => reject(error)),
      };
      lease.signal.addEventListener('abort', () => round.fail(lease.signal.reason), { once: true });
      this.rounds.push(round);
      for (const arrived of this.arrivals.splice(0)) arrived();
    });
  }

  guarded(): boolean {
    return false;
  }

  /** The round numbered `n` (from 1), once the scheduler has started it. */
  async round(n: number): Promise<HeldRound> {
    const started = async (): Promise<HeldRound> => {
      for (;;) {
        const round = this.rounds[n - 1];
        if (round !== undefined) return round;
        await new Promise<void>((resolve) => this.arrivals.push(resolve));
      }
    };
    return within(started(), `round ${n}`);
  }
}

function summary(id: number, lease: Lease, trigger: SyncTrigger, scope: RoundScope): RoundSummary {
  const now = new Date();
  return {
    id,
    epoch: lease.epoch,
    trigger,
    scope: scope === 'full' ? 'full' : { clientIds: [...scope.clientIds] },
    startedAt: now,
    finishedAt: now,
    planned: 0,
    done: 0,
    failed: 0,
    guarded: false,
    deletesHeld: 0,
    paused: false,
    forced: false,
    backedOff: [],
  };
}

describe(SyncScheduler.name, () => {
  let testDatabase: MigratedTestDatabase;
  let database: Database;
  let elector: EmbeddedLeaderElector;
  let runner: HeldRounds;
  let scheduler: SyncScheduler;

  beforeAll(async () => {
    testDatabase = await createMigratedDatabase();
    ({ database } = testDatabase);
  });

  beforeEach(async () => {
    await database.db.execute(sql`truncate cluster_settings`);
    elector = new EmbeddedLeaderElector(database.db, { replicaId: 'replica-a' });
    runner = new HeldRounds();
  });

  afterEach(async () => {
    await elector.stop();
    await within(scheduler.stop(), 'the scheduler to stop');
  });

  afterAll(async () => {
    await testDatabase.dispose();
  });

  function schedule(settings: Partial<SyncSchedulerSettings> = {}): SyncScheduler {
    scheduler = new SyncScheduler(runner, elector, database.db, silent, { intervalMs: 3_600_000, eventDelayMs: 0, ...settings });
    scheduler.start();
    return scheduler;
  }

  it('runs a full startup round when elected, and nothing before', async () => {
    schedule();
    expect(runner.rounds).toEqual([]);

    await elector.start();

    const startup = await runner.round(1);
    expect(startup).toMatchObject({ trigger: 'startup', scope: 'full', force: false, lease: elector.current() });
  });

  it('never overlaps rounds, and unites the client requests made during a round into one follow-up', async () => {
    await elector.start();
    schedule();
    const startup = await runner.round(1);

    scheduler.requestClients([1, 2]);
    scheduler.requestClients([2, 3]);
    scheduler.requestClients([4]);
    startup.finish();

    const followUp = await runner.round(2);
    expect(followUp).toMatchObject({ trigger: 'event', scope: { clientIds: [1, 2, 3, 4] } });
    followUp.finish();

    scheduler.requestClients([9]);
    expect((await runner.round(3)).scope).toEqual({ clientIds: [9] });
    expect(runner.mostInFlight).toBe(1);
    expect(scheduler.lastRound()).toMatchObject({ id: 2, trigger: 'event' });
  });

  it('lets a full request made during a round absorb the client requests', async () => {
    await elector.start();
    schedule();
    const startup = await runner.round(1);

    scheduler.requestClients([1, 2]);
    await scheduler.requestFull('manual');
    scheduler.requestClients([3]);
    await scheduler.requestFull('periodic');
    startup.finish();

    const followUp = await runner.round(2);
    expect(followUp).toMatchObject({ trigger: 'manual', scope: 'full' });
    followUp.finish();

    scheduler.requestClients([7]);
    expect((await runner.round(3)).scope).toEqual({ clientIds: [7] });
    expect(runner.mostInFlight).toBe(1);
  });

  it('stores a forced request so that the next leader serves it, and marks it served after the round', async () => {
    schedule();
    await scheduler.requestFull('manual', true);
    expect((await readClusterSettings(database.db)).pendingRound).toEqual({ request: 1, force: true });

    await elector.start();
    const startup = await runner.round(1);
    expect(startup).toMatchObject({ trigger: 'startup', scope: 'full', force: true });
    startup.finish();

    scheduler.requestClients([1]);
    (await runner.round(2)).finish();
    expect((await readClusterSettings(database.db)).pendingRound).toBeUndefined();
  });

  it('leaves a stored request pending while the cluster is paused', async () => {
    schedule();
    await scheduler.requestFull('manual', true);
    await elector.start();

    (await runner.round(1)).finish({ paused: true });
    scheduler.requestClients([1]);
    (await runner.round(2)).finish();

    expect((await readClusterSettings(database.db)).pendingRound).toEqual({ request: 1, force: true });
  });

  it('keeps a stored request pending when its round did not finish', async () => {
    schedule();
    await scheduler.requestFull('manual', true);
    await elector.start();
    await runner.round(1);

    await elector.stop();
    await within(scheduler.stop(), 'the scheduler to stop');

    expect((await readClusterSettings(database.db)).pendingRound).toEqual({ request: 1, force: true });
  });

  it('aborts the round in flight when leadership is lost and starts no other', async () => {
    await elector.start();
    schedule();
    const startup = await runner.round(1);

    await elector.stop();
    scheduler.requestClients([1]);
    await scheduler.requestFull('periodic');

    expect(startup.lease.signal.aborted).toBe(true);
    await within(scheduler.stop(), 'the scheduler to stop');
    expect(runner.rounds).toHaveLength(1);
  });

  it('steps down when a round is refused as stale, and leads the next term with a startup round', async () => {
    await elector.start();
    schedule();
    const startup = await runner.round(1);

    startup.fail(new StaleEpochError(startup.lease.epoch, startup.lease.epoch + 1));

    const next = await runner.round(2);
    expect(next.trigger).toBe('startup');
    expect(next.lease.epoch).toBe(startup.lease.epoch + 1);
    expect(startup.lease.isValid()).toBe(false);
  });

  it('runs a failed round again after a backoff', async () => {
    await elector.start();
    schedule({ retryBackoff: { initialMs: 1, maxMs: 1 } });
    (await runner.round(1)).finish();
    scheduler.requestClients([5, 6]);

    (await runner.round(2)).fail(new Error('database unavailable'));

    expect((await runner.round(3)).scope).toEqual({ clientIds: [5, 6] });
  });

  it('looks again at the clients whose pods wait for their restart backoff once it has ended', async () => {
    await elector.start();
    schedule();
    (await runner.round(1)).finish({ backedOff: [{ clientId: 7, retryInMs: 5 }] });

    const retry = await runner.round(2);
    expect(retry.trigger).toBe('event');
    expect(retry.scope).toEqual({ clientIds: [7] });
  });

  it('runs a periodic full round each interval', async () => {
    await elector.start();
    schedule({ intervalMs: 20 });
    (await runner.round(1)).finish();

    const periodic = await runner.round(2);
    expect(periodic).toMatchObject({ trigger: 'periodic', scope: 'full' });
    periodic.finish();
    expect((await runner.round(3)).trigger).toBe('periodic');
  });

  it('ignores client requests while not leading', async () => {
    schedule();
    scheduler.requestClients([1]);

    await elector.start();

    const startup = await runner.round(1);
    expect(startup.trigger).toBe('startup');
    startup.finish();
    scheduler.requestClients([2]);
    expect((await runner.round(2)).scope).toEqual({ clientIds: [2] });
  });
});
