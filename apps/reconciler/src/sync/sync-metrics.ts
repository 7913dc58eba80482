import type { OperationKind } from '@podsync/bus';
import type { SyncTrigger } from '@podsync/db';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type OperationResult = 'ok' | 'failed';

/** What a message that NATS did not acknowledge was: an operation, an outbox event, a leader announcement. */
export type PublishedStream = 'ops' | 'events' | 'leader' | 'round';

export interface RoundCounts {
  planned: number;
  done: number;
  failed: number;
}

/** The reconciler's sync and publishing metrics, registered on the process's registry. */
export class SyncMetrics {
  private readonly podOperations: Counter<'kind' | 'result'>;
  private readonly publishFailures: Counter<'stream'>;
  private readonly roundDuration: Histogram<'trigger'>;
  private readonly roundOperations: Gauge<'state'>;
  private readonly pods: Gauge<'state'>;
  private readonly deleteGuardActive: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.podOperations = new Counter({
      name: 'podsync_pod_operations_total',
      help: 'Pod operations performed by the leader, by kind and result',
      labelNames: ['kind', 'result'] as const,
      registers,
    });
    this.publishFailures = new Counter({
      name: 'podsync_nats_publish_failures_total',
      help: 'Messages NATS did not acknowledge, by stream: ops (the operation itself stands), events (retried from the outbox), leader, round (the finished-round notice)',
      labelNames: ['stream'] as const,
      registers,
    });
    this.roundDuration = new Histogram({
      name: 'podsync_sync_round_duration_seconds',
      help: 'Duration of sync rounds, by trigger',
      labelNames: ['trigger'] as const,
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
      registers,
    });
    this.roundOperations = new Gauge({
      name: 'podsync_sync_round_operations',
      help: 'Operations of the last sync round: planned, done and failed',
      labelNames: ['state'] as const,
      registers,
    });
    this.pods = new Gauge({
      name: 'podsync_pods',
      help: 'Pods the database asks for (desired) and pods running (actual), as of the last full round and the operations since',
      labelNames: ['state'] as const,
      registers,
    });
    this.deleteGuardActive = new Gauge({
      name: 'podsync_delete_guard_active',
      help: '1 while the mass-deletion guard holds deletes back, until a full round runs unguarded (POST /api/v1/sync?force=true)',
      registers,
    });
  }

  operationCompleted(kind: OperationKind, result: OperationResult): void {
    this.podOperations.inc({ kind, result });
  }

  publishFailed(stream: PublishedStream): void {
    this.publishFailures.inc({ stream });
  }

  roundFinished(trigger: SyncTrigger, seconds: number, counts: RoundCounts): void {
    this.roundDuration.observe({ trigger }, seconds);
    this.roundOperations.set({ state: 'planned' }, counts.planned);
    this.roundOperations.set({ state: 'done' }, counts.done);
    this.roundOperations.set({ state: 'failed' }, counts.failed);
  }

  /** A full round's count of desired pods and of the pods the deployer listed. */
  podsCounted(desired: number, actual: number): void {
    this.pods.set({ state: 'desired' }, desired);
    this.pods.set({ state: 'actual' }, actual);
  }

  /** A pod created (+1) or deleted (−1) since the last count. */
  actualPodsChanged(delta: number): void {
    this.pods.inc({ state: 'actual' }, delta);
  }

  deleteGuardChanged(active: boolean): void {
    this.deleteGuardActive.set(active ? 1 : 0);
  }
}
