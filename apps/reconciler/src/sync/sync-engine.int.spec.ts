import { EmbeddedEventBus, opsMessageSchema, PublishError, type PublishOptions } from '@podsync/bus';
import {
  advanceLeaderEpoch,
  allPods,
  type Database,
  findClient,
  insertClient,
  openDatabase,
  operationMessage,
  operations,
  replaceClient,
  setAlgorithmFlags,
  setPaused,
  StaleEpochError,
  syncRounds,
  touchClientStatus,
} from '@podsync/db';
import {
  type Deployer,
  DeployerError,
  type PodChange,
  type PodListing,
  type PodToRun,
  type RunningPod,
  specHash,
} from '@podsync/domain';
import { asc, sql } from 'drizzle-orm';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database';
import { SimulatedDeployer } from '../deployers/simulated.deployer';
import { EmbeddedLeaderElector } from '../leader/embedded-leader-elector';
import { type Lease, LeaseLostError } from '../leader/leader-elector';
import { SyncEngine, type SyncEngineSettings } from './sync-engine';
import { SyncMetrics } from './sync-metrics';

const CATALOGUE = ['VWAP', 'TWAP', 'HFT'];
const SPEC = { version: 1, image: 'registry.example.com/algo:1', cpu: '500m', mem: '256Mi' };
const silent = pino({ level: 'silent' });

/** The simulated deployer, with every call it receives noted and a hook that runs before it. */
class RecordingDeployer implements Deployer {
  readonly calls: string[] = [];
  /** Runs before each call reaches the pods; throwing fails the call. */
  beforeCall: (call: string) => void | Promise<void> = () => undefined;
  private readonly pods = new SimulatedDeployer();

  async list(signal: AbortSignal): Promise<PodListing> {
    await this.enter('list');
    return this.pods.list(signal);
  }

  watch(from: string, signal: AbortSignal): AsyncIterable<PodChange> {
    return this.pods.watch(from, signal);
  }

  async create(pod: PodToRun, signal: AbortSignal): Promise<void> {
    await this.enter(`create ${pod.name}`);
    await this.pods.create(pod, signal);
  }

  async delete(name: string, signal: AbortSignal): Promise<void> {
    await this.enter(`delete ${name}`);
    await this.pods.delete(name, signal);
  }

  /** The calls that change pods. */
  changes(): string[] {
    return this.calls.filter((call) => call !== 'list');
  }

  /** The running pods as the pods table keeps them (without their health), by name. */
  async running(): Promise<RunningPod[]> {
    return (await this.pods.list(new AbortController().signal)).pods
      .map(({ name, clientId, algorithm, specHash: hash, epoch }) => ({ name, clientId, algorithm, specHash: hash, epoch }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  private async enter(call: string): Promise<void> {
    this.calls.push(call);
    await this.beforeCall(call);
  }
}

/** The embedded bus, noting each publish with its message id; `failing` makes publishes fail. */
class RecordingBus extends EmbeddedEventBus {
  readonly published: Array<{ subject: string; payload: unknown; msgId: string | undefined }> = [];
  failing = false;

  override async publish(subject: string, payload: unknown, options?: PublishOptions): Promise<void> {
    if (this.failing) throw new PublishError(subject, { cause: new Error('no stream answered') });
    this.published.push({ subject, payload, msgId: options?.msgId });
    await super.publish(subject, payload, options);
  }
}

interface LogEntry {
  level: string;
  msg: string;
  [field: string]: unknown;
}

describe(SyncEngine.name, () => {
  let testDatabase: TestDatabase;
  let database: Database;
  let elector: EmbeddedLeaderElector;
  let lease: Lease;
  let deployer: RecordingDeployer;
  let bus: RecordingBus;
  let registry: Registry;
  let logLines: string[];

  beforeAll(async () => {
    testDatabase = await createTestDatabase();
    database = openDatabase({ url: testDatabase.url, dataDir: '' });
    await database.migrate();
  });

  beforeEach(async () => {
    await database.db.execute(
      sql`truncate clients, client_algorithms, pods, operations, sync_rounds, cluster_settings restart identity cascade`,
    );
    elector = new EmbeddedLeaderElector(database.db, { replicaId: 'replica-a' });
    await elector.start();
    const current = elector.current();
    if (current === undefined) throw new Error('the embedded elector did not lead');
    lease = current;
    deployer = new RecordingDeployer();
    bus = new RecordingBus({ logger: silent });
    logLines = [];
  });

  afterEach(async () => {
    await elector.stop();
    await bus.close();
  });

  afterAll(async () => {
    await database.close();
    await testDatabase.drop();
  });

  /** A new engine; `registry` is then its metrics registry. */
  function engine(settings: Partial<SyncEngineSettings> = {}): SyncEngine {
    registry = new Registry();
    // The level as a label, as the original service logged it.
    const logger = pino(
      { level: 'debug', formatters: { level: (label) => ({ level: label }) } },
      { write: (line: string) => void logLines.push(line) },
    ).child({ component: 'sync/reconciler' });
    return new SyncEngine(database.db, deployer, bus, logger, new SyncMetrics(registry), {
      replicaId: 'replica-a',
      algorithms: CATALOGUE,
      concurrency: 4,
      opsPerSecond: 100_000,
      deleteGuard: 0.5,
      // Small batches, so every round here reads its clients over several queries.
      desiredBatchSize: 4,
      retry: { maxAttempts: 3, backoff: { initialMs: 1, maxMs: 4 } },
      ...settings,
    });
  }

  async function client(
    name: string,
    algorithms: Record<string, boolean>,
    fields: Partial<typeof SPEC & { priority: number }> = {},
  ) {
    const row = await insertClient(database.db, { name, ...SPEC, ...fields });
    await setAlgorithmFlags(database.db, row.id, algorithms);
    return row.id;
  }

  async function runningNames(): Promise<string[]> {
    return (await deployer.running()).map((pod) => pod.name);
  }

  function operationRows() {
    return database.db.select().from(operations).orderBy(asc(operations.id));
  }

  function logEntries(): LogEntry[] {
    return logLines.map((line) => JSON.parse(line) as LogEntry);
  }

  /** The value of the sample `name` (a histogram's `_count` included) carrying `labels`. */
  async function metric(name: string, labels: Record<string, string | number> = {}): Promise<number | undefined> {
    for (const family of await registry.getMetricsAsJSON()) {
      for (const sample of family.values) {
        const sampleName = 'metricName' in sample && typeof sample.metricName === 'string' ? sample.metricName : family.name;
        const matches = Object.entries(labels).every(([key, value]) => sample.labels[key] === value);
        if (sampleName === name && matches) return sample.value;
      }
    }
    return undefined;
  }

  it('creates every desired pod from nothing and records each operation in the table, on the bus and in the log', async () => {
    const acme = await client('acme', { VWAP: true, TWAP: true });
    const beta = await client('beta', { HFT: true }, { priority: 10 });
    const idle = await client('idle', { VWAP: false });
    const sync = engine();

    const summary = await sync.runRound(lease, 'startup', 'full');

    expect(summary).toMatchObject({ epoch: lease.epoch, trigger: 'startup', scope: 'full', planned: 3, done: 3, failed: 0 });
    expect(summary).toMatchObject({ guarded: false, deletesHeld: 0, paused: false, forced: false });
    expect(await runningNames()).toEqual([`hft-${beta}`, `twap-${acme}`, `vwap-${acme}`]);
    expect(await deployer.running()).toContainEqual({
      name: `vwap-${acme}`,
      clientId: acme,
      algorithm: 'VWAP',
      specHash: specHash(SPEC),
      epoch: lease.epoch,
    });
    expect(await allPods(database.db)).toEqual(await deployer.running());

    const rows = await operationRows();
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row).toMatchObject({
        epoch: lease.epoch,
        round: summary.id,
        replicaId: 'replica-a',
        kind: 'create',
        result: 'ok',
        error: null,
      });
    }
    expect(bus.published).toEqual(
      rows.map((row) => ({ subject: 'podsync.ops.create', payload: operationMessage(row), msgId: String(row.id) })),
    );
    for (const { payload } of bus.published)
      expect(opsMessageSchema.safeParse(JSON.parse(JSON.stringify(payload))).success).toBe(true);

    const completed = logEntries().filter((entry) => entry.msg === 'operation completed');
    expect(completed).toHaveLength(3);
    expect(completed).toContainEqual(
      expect.objectContaining({
        level: 'info',
        msg: 'operation completed',
        component: 'sync/reconciler',
        pod_operation: `<CREATE> vwap-${acme}`,
        client_id: acme,
        result: 'ok',
      }),
    );

    const [round] = await database.db.select().from(syncRounds);
    expect(round).toMatchObject({
      id: summary.id,
      epoch: lease.epoch,
      trigger: 'startup',
      scope: null,
      planned: 3,
      done: 3,
      failed: 0,
    });
    expect(round?.finishedAt).toBeInstanceOf(Date);
    expect((await findClient(database.db, acme))?.spawnedAt).toBeInstanceOf(Date);
    expect((await findClient(database.db, idle))?.spawnedAt).toBeNull();

    expect(await metric('podsync_pod_operations_total', { kind: 'create', result: 'ok' })).toBe(3);
    expect(await metric('podsync_sync_round_operations', { state: 'done' })).toBe(3);
    expect(await metric('podsync_sync_round_duration_seconds_count', { trigger: 'startup' })).toBe(1);
    expect(await metric('podsync_pods', { state: 'desired' })).toBe(3);
    expect(await metric('podsync_pods', { state: 'actual' })).toBe(3);
    expect(await metric('podsync_delete_guard_active')).toBe(0);

    expect(await sync.runRound(lease, 'periodic', 'full')).toMatchObject({ planned: 0, done: 0 });
  });

  it('deletes the pods of a deleted client', async () => {
    const acme = await client('acme', { VWAP: true, HFT: true });
    const beta = await client('beta', { VWAP: true });
    const sync = engine();
    await sync.runRound(lease, 'startup', 'full');

    await database.db.execute(sql`delete from clients where id = ${acme}`);
    const summary = await sync.runRound(lease, 'periodic', 'full');

    expect(summary).toMatchObject({ planned: 2, done: 2 });
    expect(await runningNames()).toEqual([`vwap-${beta}`]);
    expect(await allPods(database.db)).toEqual(await deployer.running());
    expect(bus.published.slice(-2).map((message) => message.subject)).toEqual(['podsync.ops.delete', 'podsync.ops.delete']);
  });

  it('reconciles only the given clients in a scoped round, reading their pods from the pods table', async () => {
    const acme = await client('acme', { VWAP: true, TWAP: true });
    const beta = await client('beta', { VWAP: true });
    const sync = engine();
    await sync.runRound(lease, 'startup', 'full');
    deployer.calls.length = 0;

    await database.db.execute(sql`delete from clients where id = ${acme}`);
    await replaceClient(database.db, beta, { name: 'beta', ...SPEC, image: 'registry.example.com/algo:2' });
    const gamma = await client('gamma', { HFT: true });
    const summary = await sync.runRound(lease, 'event', { clientIds: [acme, gamma] });

    expect(summary).toMatchObject({ trigger: 'event', scope: { clientIds: [acme, gamma] }, planned: 3, done: 3 });
    expect(deployer.calls).not.toContain('list');
    expect(await runningNames()).toEqual([`hft-${gamma}`, `vwap-${beta}`]);
    expect((await deployer.running()).find((pod) => pod.clientId === beta)?.specHash).toBe(specHash(SPEC));
    expect(await allPods(database.db)).toEqual(await deployer.running());
    const [round] = await database.db
      .select()
      .from(syncRounds)
      .where(sql`${syncRounds.id} = ${summary.id}`);
    expect(round?.scope).toEqual([acme, gamma]);
  });

  it('recreates the pods of a client whose spec changed', async () => {
    const acme = await client('acme', { VWAP: true, TWAP: true });
    const sync = engine();
    await sync.runRound(lease, 'startup', 'full');
    deployer.calls.length = 0;

    const updated = { ...SPEC, image: 'registry.example.com/algo:2', version: 2 };
    await replaceClient(database.db, acme, { name: 'acme', ...updated });
    const summary = await sync.runRound(lease, 'periodic', 'full');

    expect(summary).toMatchObject({ planned: 2, done: 2 });
    expect(deployer.changes().sort()).toEqual([
      `create twap-${acme}`,
      `create vwap-${acme}`,
      `delete twap-${acme}`,
      `delete vwap-${acme}`,
    ]);
    expect(deployer.changes().indexOf(`delete vwap-${acme}`)).toBeLessThan(deployer.changes().indexOf(`create vwap-${acme}`));
    expect((await deployer.running()).map((pod) => pod.specHash)).toEqual([specHash(updated), specHash(updated)]);
    expect((await allPods(database.db)).map((pod) => pod.specHash)).toEqual([specHash(updated), specHash(updated)]);
    expect((await operationRows()).slice(-2).map((row) => row.kind)).toEqual(['restart', 'restart']);
    expect(logEntries().map((entry) => entry.pod_operation)).toContain(`<RESTART> vwap-${acme}`);
  });

  it('recreates each running pod of a client that asked for a restart once, then clears the request', async () => {
    const acme = await client('acme', { VWAP: true, HFT: true });
    const beta = await client('beta', { VWAP: true });
    const sync = engine();
    await sync.runRound(lease, 'startup', 'full');
    const spawnedBefore = (await findClient(database.db, acme))?.spawnedAt?.getTime() ?? 0;
    deployer.calls.length = 0;

    await touchClientStatus(database.db, acme, true);
    const summary = await sync.runRound(lease, 'periodic', 'full');

    expect(summary).toMatchObject({ planned: 2, done: 2 });
    expect(deployer.changes().sort()).toEqual([
      `create hft-${acme}`,
      `create vwap-${acme}`,
      `delete hft-${acme}`,
      `delete vwap-${acme}`,
    ]);
    const cleared = await findClient(database.db, acme);
    expect(cleared?.needRestart).toBe(false);
    expect(cleared?.spawnedAt?.getTime()).toBeGreaterThan(spawnedBefore);
    expect(await runningNames()).toEqual([`hft-${acme}`, `vwap-${acme}`, `vwap-${beta}`]);

    expect(await sync.runRound(lease, 'periodic', 'full')).toMatchObject({ planned: 0 });
  });

  it('keeps a restart asked for during the round, so the next round restarts again', async () => {
    const acme = await client('acme', { VWAP: true });
    const sync = engine();
    await sync.runRound(lease, 'startup', 'full');
    await touchClientStatus(database.db, acme, true);
    deployer.beforeCall = async (call) => {
      if (call === `delete vwap-${acme}`) await touchClientStatus(database.db, acme, true);
    };

    expect(await sync.runRound(lease, 'periodic', 'full')).toMatchObject({ planned: 1, done: 1 });
    expect((await findClient(database.db, acme))?.needRestart).toBe(true);

    deployer.beforeCall = () => undefined;
    deployer.calls.length = 0;
    expect(await sync.runRound(lease, 'periodic', 'full')).toMatchObject({ planned: 1, done: 1 });
    expect(deployer.changes()).toEqual([`delete vwap-${acme}`, `create vwap-${acme}`]);
    expect((await findClient(database.db, acme))?.needRestart).toBe(false);
  });

  it('clears a served restart request although the client was edited during the round', async () => {
    const acme = await client('acme', { VWAP: true });
    const sync = engine();
    await sync.runRound(lease, 'startup', 'full');
    await touchClientStatus(database.db, acme, true);
    deployer.beforeCall = async (call) => {
      if (call === `create vwap-${acme}`) await replaceClient(database.db, acme, { name: 'renamed', ...SPEC, priority: 3 });
    };

    await sync.runRound(lease, 'periodic', 'full');

    expect(await findClient(database.db, acme)).toMatchObject({ name: 'renamed', needRestart: false });
  });

  it('keeps the restart request of a client whose restart failed', async () => {
    const acme = await client('acme', { VWAP: true, TWAP: true });
    const sync = engine();
    await sync.runRound(lease, 'startup', 'full');
    await touchClientStatus(database.db, acme, true);
    deployer.beforeCall = (call) => {
      if (call === `create twap-${acme}`) throw new DeployerError('quota exceeded', { terminal: true });
    };

    expect(await sync.runRound(lease, 'periodic', 'full')).toMatchObject({ planned: 2, done: 1, failed: 1 });

    expect((await findClient(database.db, acme))?.needRestart).toBe(true);
    expect(await runningNames()).toEqual([`vwap-${acme}`]);
    expect(await allPods(database.db)).toEqual(await deployer.running());
  });

  it('deletes the pod of an algorithm switched off or dropped from the catalogue', async () => {
    const acme = await client('acme', { VWAP: true, TWAP: true, HFT: true });
    await engine().runRound(lease, 'startup', 'full');

    await setAlgorithmFlags(database.db, acme, { TWAP: false });
    const summary = await engine({ algorithms: ['VWAP', 'TWAP'] }).runRound(lease, 'periodic', 'full');

    expect(summary).toMatchObject({ planned: 2, done: 2 });
    expect(await runningNames()).toEqual([`vwap-${acme}`]);
  });

  it('holds back every delete of a round that would delete most of the fleet until a forced round', async () => {
    for (let n = 0; n < 10; n++) await client(`client-${n}`, { VWAP: true, TWAP: true });
    const sync = engine();
    await sync.runRound(lease, 'startup', 'full');
    expect(await deployer.running()).toHaveLength(20);

    await database.db.execute(sql`delete from clients`);
    const newcomer = await client('newcomer', { HFT: true });
    const guarded = await sync.runRound(lease, 'periodic', 'full');

    expect(guarded).toMatchObject({ planned: 21, done: 1, failed: 0, guarded: true, deletesHeld: 20 });
    expect(await deployer.running()).toHaveLength(21);
    expect(await runningNames()).toContain(`hft-${newcomer}`);
    expect(sync.guarded()).toBe(true);
    expect(await metric('podsync_delete_guard_active')).toBe(1);
    const warning = logEntries().find((entry) => entry.level === 'warn' && entry.msg.includes('mass-deletion guard'));
    expect(warning?.msg).toContain('POST /api/v1/sync?force=true');
    expect(warning).toMatchObject({ component: 'sync/reconciler', deletes: 20, running: 20 });
    const [row] = await database.db
      .select()
      .from(syncRounds)
      .where(sql`${syncRounds.id} = ${guarded.id}`);
    expect(row).toMatchObject({ guarded: true, planned: 21, done: 1 });

    expect(await sync.runRound(lease, 'periodic', 'full')).toMatchObject({ guarded: true, done: 0 });
    expect(await deployer.running()).toHaveLength(21);

    const forced = await sync.runRound(lease, 'manual', 'full', { force: true });
    expect(forced).toMatchObject({ planned: 20, done: 20, guarded: false, forced: true });
    expect(await runningNames()).toEqual([`hft-${newcomer}`]);
    expect(sync.guarded()).toBe(false);
    expect(await metric('podsync_delete_guard_active')).toBe(0);
  });

  it('weighs the deletes of a scoped round against the whole fleet', async () => {
    const ids: number[] = [];
    for (let n = 0; n < 12; n++) ids.push(await client(`client-${n}`, { VWAP: true }));
    for (let n = 0; n < 20; n++) await client(`keeper-${n}`, { VWAP: true });
    const sync = engine({ deleteGuard: 0.3 });
    await sync.runRound(lease, 'startup', 'full');

    await database.db.execute(sql`delete from clients where id in ${sql.raw(`(${ids.join(',')})`)}`);
    expect(await sync.runRound(lease, 'event', { clientIds: ids })).toMatchObject({ planned: 12, done: 0, guarded: true });
    expect(sync.guarded()).toBe(true);

    const relaxed = engine({ deleteGuard: 0.5 });
    expect(await relaxed.runRound(lease, 'event', { clientIds: ids })).toMatchObject({ planned: 12, done: 12, guarded: false });
    expect(await deployer.running()).toHaveLength(20);
  });

  it('plans but carries out nothing while the cluster is paused', async () => {
    const acme = await client('acme', { VWAP: true, TWAP: true });
    await touchClientStatus(database.db, acme, true);
    await setPaused(database.db, true);
    const sync = engine();

    const summary = await sync.runRound(lease, 'periodic', 'full');

    expect(summary).toMatchObject({ paused: true, planned: 2, done: 0, failed: 0 });
    expect(deployer.changes()).toEqual([]);
    expect(await operationRows()).toEqual([]);
    expect((await findClient(database.db, acme))?.needRestart).toBe(true);
    const [row] = await database.db.select().from(syncRounds);
    expect(row).toMatchObject({ paused: true, planned: 2, done: 0 });

    await setPaused(database.db, false);
    expect(await sync.runRound(lease, 'manual', 'full')).toMatchObject({ paused: false, planned: 2, done: 2 });
  });

  it('retries a failing call with backoff and succeeds when the deployer recovers', async () => {
    const acme = await client('acme', { VWAP: true });
    let failures = 2;
    deployer.beforeCall = (call) => {
      if (call.startsWith('create') && failures-- > 0)
        throw new DeployerError('the API server is unavailable', { terminal: false });
    };

    expect(await engine().runRound(lease, 'startup', 'full')).toMatchObject({ done: 1, failed: 0 });

    expect(deployer.changes()).toEqual([`create vwap-${acme}`, `create vwap-${acme}`, `create vwap-${acme}`]);
    expect(logEntries().find((entry) => entry.msg === 'operation completed')).toMatchObject({ calls: 3 });
  });

  it('records an operation failed when its retries run out, and carries it out in the next round', async () => {
    const acme = await client('acme', { VWAP: true, TWAP: true });
    deployer.beforeCall = (call) => {
      if (call === `create twap-${acme}`) throw new DeployerError('the API server is unavailable', { terminal: false });
    };
    const sync = engine();

    const failing = await sync.runRound(lease, 'startup', 'full');

    expect(failing).toMatchObject({ planned: 2, done: 1, failed: 1 });
    expect(deployer.changes().filter((call) => call === `create twap-${acme}`)).toHaveLength(3);
    const failed = (await operationRows()).find((row) => row.result === 'failed');
    expect(failed).toMatchObject({ kind: 'create', pod: `twap-${acme}`, error: 'the API server is unavailable' });
    expect(bus.published.find((message) => message.msgId === String(failed?.id))?.payload).toMatchObject({
      result: 'failed',
      error: 'the API server is unavailable',
    });
    expect(logEntries().find((entry) => entry.msg === 'operation failed')).toMatchObject({
      level: 'warn',
      component: 'sync/reconciler',
      pod_operation: `<CREATE> twap-${acme}`,
      result: 'failed',
      error: 'the API server is unavailable',
    });
    expect(await metric('podsync_pod_operations_total', { kind: 'create', result: 'failed' })).toBe(1);
    expect(await metric('podsync_sync_round_operations', { state: 'failed' })).toBe(1);

    deployer.beforeCall = () => undefined;
    expect(await sync.runRound(lease, 'periodic', 'full')).toMatchObject({ planned: 1, done: 1, failed: 0 });
    expect(await runningNames()).toEqual([`twap-${acme}`, `vwap-${acme}`]);
  });

  it('does not retry a terminal error', async () => {
    const acme = await client('acme', { VWAP: true });
    deployer.beforeCall = (call) => {
      if (call.startsWith('create')) throw new DeployerError('pods "vwap" is forbidden', { terminal: true, status: 403 });
    };

    expect(await engine().runRound(lease, 'startup', 'full')).toMatchObject({ done: 0, failed: 1 });

    expect(deployer.changes()).toEqual([`create vwap-${acme}`]);
    expect((await operationRows())[0]).toMatchObject({ result: 'failed', error: 'pods "vwap" is forbidden' });
  });

  it('stops at a write refused as stale and rejects with StaleEpochError', async () => {
    for (let n = 0; n < 4; n++) await client(`client-${n}`, { VWAP: true });
    deployer.beforeCall = async (call) => {
      if (call.startsWith('create') && deployer.changes().length === 1) await advanceLeaderEpoch(database.db, 'replica-b');
    };

    await expect(engine({ concurrency: 1 }).runRound(lease, 'startup', 'full')).rejects.toBeInstanceOf(StaleEpochError);

    expect(deployer.changes()).toHaveLength(1);
    expect(await operationRows()).toEqual([]);
    expect(bus.published).toEqual([]);
    const [round] = await database.db.select().from(syncRounds);
    expect(round?.finishedAt).toBeNull();
  });

  it('sends no pod call once the lease is lost and rejects with LeaseLostError', async () => {
    for (let n = 0; n < 4; n++) await client(`client-${n}`, { VWAP: true });
    deployer.beforeCall = async (call) => {
      if (call.startsWith('create')) await elector.stop();
    };

    await expect(engine({ concurrency: 2 }).runRound(lease, 'startup', 'full')).rejects.toBeInstanceOf(LeaseLostError);

    // The calls in flight when the lease was lost were refused by the deployer and are recorded as failed.
    const sent = deployer.changes();
    expect(sent.length).toBeGreaterThanOrEqual(1);
    expect(sent.length).toBeLessThanOrEqual(2);
    expect(await deployer.running()).toEqual([]);
    const rows = await operationRows();
    expect(rows).toHaveLength(sent.length);
    for (const row of rows) expect(row).toMatchObject({ result: 'failed', error: 'the leader elector was stopped' });
    const [round] = await database.db.select().from(syncRounds);
    expect(round).toMatchObject({ error: 'the leader elector was stopped', failed: sent.length, finishedAt: expect.any(Date) });
  });

  it('refuses to start a round on a lost lease', async () => {
    await client('acme', { VWAP: true });
    await elector.stop();

    await expect(engine().runRound(lease, 'startup', 'full')).rejects.toBeInstanceOf(LeaseLostError);

    expect(deployer.calls).toEqual([]);
    expect(await database.db.select().from(syncRounds)).toEqual([]);
  });

  it('keeps an operation whose message could not be published, and counts the failure', async () => {
    await client('acme', { VWAP: true });
    bus.failing = true;

    expect(await engine().runRound(lease, 'startup', 'full')).toMatchObject({ done: 1, failed: 0 });

    expect(await operationRows()).toHaveLength(1);
    expect(await metric('podsync_nats_publish_failures_total')).toBe(1);
    expect(logEntries().find((entry) => entry.msg === 'could not publish the operation message')).toMatchObject({
      level: 'warn',
    });
  });

  it('previews a full round from the deployer or the pods table without acting', async () => {
    const acme = await client('acme', { VWAP: true, TWAP: true });
    const sync = engine();
    await sync.runRound(lease, 'startup', 'full');
    await setAlgorithmFlags(database.db, acme, { TWAP: false, HFT: true });
    await touchClientStatus(database.db, acme, true);
    deployer.calls.length = 0;

    const expected = [
      { kind: 'delete', pod: `twap-${acme}`, clientId: acme, algorithm: 'TWAP' },
      { kind: 'create', pod: `hft-${acme}`, clientId: acme, algorithm: 'HFT' },
      { kind: 'restart', pod: `vwap-${acme}`, clientId: acme, algorithm: 'VWAP', reason: 'restart-requested' },
    ];
    expect(await sync.plan()).toEqual({
      operations: expected,
      deletes: 1,
      running: 2,
      guarded: false,
      paused: false,
      runningFrom: 'pods-table',
    });
    expect(await sync.plan(lease)).toMatchObject({ operations: expected, runningFrom: 'deployer' });
    expect(deployer.changes()).toEqual([]);
    expect(await operationRows()).toHaveLength(2);
  });

  it('previews the guard decision, lifted by a pending forced round', async () => {
    for (let n = 0; n < 12; n++) await client(`client-${n}`, { VWAP: true });
    const sync = engine();
    await sync.runRound(lease, 'startup', 'full');
    await database.db.execute(sql`delete from clients`);

    expect(await sync.plan()).toMatchObject({ deletes: 12, running: 12, guarded: true });
    await database.db.execute(sql`insert into cluster_settings (id, round_requests, forced_round_request) values (1, 1, 1)`);
    expect(await sync.plan()).toMatchObject({ deletes: 12, guarded: false });
  });
});
