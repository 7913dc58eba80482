import { type EventBus, OPS_SUBJECTS } from '@podsync/bus';
import {
  assertEpochCurrent,
  deletePod,
  type Db,
  insertOperation,
  operationMessage,
  type OperationRow,
  upsertPod,
} from '@podsync/db';
import type { PodOperation, PodOperationKind } from '@podsync/domain';
import type { Logger } from 'pino';
import { errorText } from './error-text';
import type { PodOperationOutcome } from './pod-operation-runner';
import type { SyncMetrics } from './sync-metrics';

export interface RecordedOperation {
  operation: PodOperation;
  outcome: PodOperationOutcome;
  epoch: number;
  roundId: number;
  startedAt: Date;
  finishedAt: Date;
}

/**
 * Makes every operation auditable: one `operations` row written together with the pods table
 * change in a transaction that only the current epoch may commit, then one message on
 * `podsync.ops.<kind>` and one log line. A failed publish is logged and counted; the operation
 * stands, and the row remains the record of it.
 */
export class OperationRecorder {
  constructor(
    private readonly db: Db,
    private readonly bus: EventBus,
    /** The `sync/reconciler` component logger. */
    private readonly log: Logger,
    private readonly metrics: SyncMetrics,
    private readonly replicaId: string,
  ) {}

  /** Rejects with StaleEpochError when a newer leader exists: nothing was written then. */
  async record(entry: RecordedOperation): Promise<OperationRow> {
    const { operation, outcome, epoch } = entry;
    const { pod } = operation;
    const row = await this.db.transaction(async (tx) => {
      await assertEpochCurrent(tx, epoch);
      const inserted = await insertOperation(tx, {
        epoch,
        round: entry.roundId,
        replicaId: this.replicaId,
        kind: operation.kind,
        pod: pod.name,
        clientId: pod.clientId,
        algorithm: pod.algorithm,
        result: outcome.ok ? 'ok' : 'failed',
        error: outcome.ok ? null : errorText(outcome.error),
        startedAt: entry.startedAt,
        finishedAt: entry.finishedAt,
      });
      if (outcome.pod === 'running') {
        await upsertPod(tx, { name: pod.name, clientId: pod.clientId, algorithm: pod.algorithm, specHash: pod.specHash, epoch });
      } else if (outcome.pod === 'gone') {
        await deletePod(tx, pod.name);
      }
      return inserted;
    });
    this.metrics.operationCompleted(operation.kind, outcome.ok ? 'ok' : 'failed');
    await this.publish(row, operation.kind);
    this.logLine(row, outcome, entry);
    return row;
  }

  private async publish(row: OperationRow, kind: PodOperationKind): Promise<void> {
    try {
      await this.bus.publish(OPS_SUBJECTS[kind], operationMessage(row), { msgId: String(row.id) });
    } catch (error) {
      this.metrics.publishFailed('ops');
      this.log.warn({ err: error, operation_id: row.id, pod: row.pod }, 'could not publish the operation message');
    }
  }

  /** The original service's shape: `"pod_operation":"<CREATE> vwap-168317"`. */
  private logLine(row: OperationRow, outcome: PodOperationOutcome, entry: RecordedOperation): void {
    const fields = {
      pod_operation: `<${row.kind.toUpperCase()}> ${row.pod}`,
      operation_id: row.id,
      round: row.round,
      epoch: row.epoch,
      client_id: row.clientId,
      algorithm: row.algorithm,
      result: row.result,
      calls: outcome.calls,
      duration_ms: entry.finishedAt.getTime() - entry.startedAt.getTime(),
    };
    if (outcome.ok) this.log.info(fields, 'operation completed');
    else this.log.warn({ ...fields, error: row.error, err: outcome.error }, 'operation failed');
  }
}
