// The history purge of the retention benchmark in a process of its own, as the leader runs it:
// the real HistoryPurge under an embedded lease, on its own small connection pool, so that its
// CPU is not the load generator's. Started by retention.bench.ts with its settings as JSON in
// argv[2]; answers with one PurgeRun over the IPC channel and exits.
import { openDatabase } from '@podsync/db';
import pino from 'pino';
import { Registry } from 'prom-client';
import { EmbeddedLeaderElector } from '../apps/reconciler/src/leader/embedded-leader-elector';
import { LeaseLostError } from '../apps/reconciler/src/leader/leader-elector';
import { HistoryPurge } from '../apps/reconciler/src/retention/history-purge';

export interface PurgeSettings {
  databaseUrl: string;
  retentionMs: number;
  batchSize: number;
  /** Undefined: the purge's default. */
  dutyCycle: number | undefined;
  /** The purge stops after this, as a leader whose term ends would, so the benchmark stays bounded. */
  maxSeconds: number;
}

export interface PurgeRun {
  operations: number;
  /** False when it was stopped at maxSeconds. */
  complete: boolean;
  seconds: number;
}

async function main(): Promise<void> {
  const settings = JSON.parse(process.argv[2] ?? '') as PurgeSettings;
  const database = openDatabase({ url: settings.databaseUrl, dataDir: '', poolSize: 2 });
  const elector = new EmbeddedLeaderElector(database.db, { replicaId: 'bench-purge' });
  await elector.start();
  const lease = elector.current();
  if (lease === undefined) throw new Error('the embedded elector did not lead');
  const registry = new Registry();
  const purge = new HistoryPurge(database.db, pino({ level: 'silent' }), registry, {
    retentionMs: settings.retentionMs,
    batchSize: settings.batchSize,
    dutyCycle: settings.dutyCycle,
  });
  const startedAt = performance.now();
  const deadline = setTimeout(() => void elector.stop(), settings.maxSeconds * 1_000);
  const complete = await purge.purge(lease).then(
    () => true,
    (error: unknown) => {
      if (error instanceof LeaseLostError) return false;
      throw error;
    },
  );
  clearTimeout(deadline);
  const counted = await registry.getSingleMetric('podsync_history_purged_rows_total')?.get();
  const run: PurgeRun = {
    operations: counted?.values.find((sample) => sample.labels.table === 'operations')?.value ?? 0,
    complete,
    seconds: Math.round((performance.now() - startedAt) / 100) / 10,
  };
  await elector.stop();
  await database.close();
  process.send?.(run);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
