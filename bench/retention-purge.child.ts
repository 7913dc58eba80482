// The history purge of the retention benchmark in a process of its own, as the leader runs it:
// the real HistoryPurge under an embedded lease, on its own small connection pool, so that its
// CPU is not the load generator's. Started by retention.bench.ts with its settings as JSON in
// argv[2]; answers with one PurgeRun over the IPC channel and exits.
import { openDatabase } from '@podsync/db';
import pino from 'pino';
import { Registry } from 'prom-client';
import { EmbeddedLeaderElector } from '../apps/reconciler/src/leader/embedded-leader-elector';
import { HistoryPurge } from '../apps/reconciler/src/retention/history-purge';

export interface PurgeSettings {
  databaseUrl: string;
  retentionMs: number;
  batchSize: number;
  /** Undefined: the purge's default. */
  pauseMs: number | undefined;
}

export interface PurgeRun {
  operations: number;
  syncRounds: number;
  seconds: number;
}

async function main(): Promise<void> {
  const settings = JSON.parse(process.argv[2] ?? '') as PurgeSettings;
  const database = openDatabase({ url: settings.databaseUrl, dataDir: '', poolSize: 2 });
  const elector = new EmbeddedLeaderElector(database.db, { replicaId: 'bench-purge' });
  await elector.start();
  const lease = elector.current();
  if (lease === undefined) throw new Error('the embedded elector did not lead');
  const purge = new HistoryPurge(database.db, pino({ level: 'silent' }), new Registry(), {
    retentionMs: settings.retentionMs,
    batchSize: settings.batchSize,
    pauseMs: settings.pauseMs,
  });
  const startedAt = performance.now();
  const purged = await purge.purge(lease);
  const run: PurgeRun = {
    operations: purged.operations,
    syncRounds: purged.sync_rounds,
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
