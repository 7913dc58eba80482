import type { EventBus } from '@podsync/bus';
import {
  assertEpochCurrent,
  type Db,
  insertOperation,
  type NewOperation,
  operationMessage,
  type OperationRow,
} from '@podsync/db';
import { OPS_SUBJECTS, type PodOperation, type PodOperationKind } from '@podsync/domain';
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

/** Operations written in one transaction at most. */
const MAX_BATCH = 100;

interface Waiting {
  entry: RecordedOperation;
  resolve: (row: OperationRow) => void;
  reject: (error: unknown) => void;
}

/**
 * Makes every operation auditable: one `operations` row written in a transaction that only the
 * current epoch may commit (the pods table change is ObservedPods's), then one message on
 * `podsync.ops.<kind>` and one log line. A failed publish is logged and counted; the operation
 * stands, and the row remains the record of it.
 *
 * Rows are group-committed: operations that finish while a transaction is being written wait for
 * the next one and go together, with one epoch check and one commit for all of them. A lone
 * operation is written at once; under load, recording keeps up with the deployer calls instead of
 * spending a transaction (and its share of the process's CPU) on each.
 */
export class OperationRecorder {
  private readonly waiting: Waiting[] = [];
  private writing = false;

  constructor(
    private readonly db: Db,
    private readonly bus: EventBus,
    /** The `sync/reconciler` component logger. */
    private readonly log: Logger,
    private readonly metrics: SyncMetrics,
    private readonly replicaId: string,
  ) {}

  /** Rejects with StaleEpochError when a newer leader exists: nothing of its transaction was written then. */
  async record(entry: RecordedOperation): Promise<OperationRow> {
    const { operation, outcome } = entry;
    const row = await new Promise<OperationRow>((resolve, reject) => {
      this.waiting.push({ entry, resolve, reject });
      if (!this.writing) {
        this.writing = true;
        void this.writeWaiting();
      }
    });
    this.metrics.operationCompleted(operation.kind, outcome.ok ? 'ok' : 'failed');
    await this.publish(row, operation.kind);
    this.logLine(row, outcome, entry);
    return row;
  }

  /** Writes what waits, batch after batch, until nothing does; settles every waiting record(). */
  private async writeWaiting(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, MAX_BATCH);
      try {
        const rows = await this.write(batch.map((waiting) => waiting.entry));
        batch.forEach((waiting, index) => {
          const row = rows[index];
          if (row === undefined) waiting.reject(new Error('the operations insert returned no row'));
          else waiting.resolve(row);
        });
      } catch (error) {
        for (const waiting of batch) waiting.reject(error);
      }
    }
    // Cleared in the same turn as the last check of the queue, so no record() is left waiting.
    this.writing = false;
  }

  /**
   * One transaction for the batch: the epoch check and the operations rows, sent at once without
   * waiting for each other (the driver pipelines them on the transaction's connection); a failed
   * epoch check makes the transaction roll back whatever ran beside it.
   */
  private write(entries: readonly RecordedOperation[]): Promise<OperationRow[]> {
    return this.db.transaction(async (tx) => {
      const [, rows] = await Promise.all([
        Promise.all([...new Set(entries.map((entry) => entry.epoch))].map((epoch) => assertEpochCurrent(tx, epoch))),
        Promise.all(entries.map((entry) => insertOperation(tx, this.operationRow(entry)))),
      ]);
      return rows;
    });
  }

  private operationRow({ operation, outcome, epoch, roundId, startedAt, finishedAt }: RecordedOperation): NewOperation {
    const { pod } = operation;
    return {
      epoch,
      round: roundId,
      replicaId: this.replicaId,
      kind: operation.kind,
      pod: pod.name,
      clientId: pod.clientId,
      algorithm: pod.algorithm,
      result: outcome.ok ? 'ok' : 'failed',
      reason: operation.kind === 'restart' ? operation.reason : null,
      error: outcome.ok ? null : errorText(outcome.error),
      startedAt,
      finishedAt,
    };
  }

  private async publish(row: OperationRow, kind: PodOperationKind): Promise<void> {
    try {
      await this.bus.publish(OPS_SUBJECTS[kind], operationMessage(row), { msgId: row.eventId });
    } catch (error) {
      this.metrics.publishFailed('ops');
      this.log.warn(
        { err: error, operation_id: row.id, event_id: row.eventId, pod: row.pod },
        'could not publish the operation message',
      );
    }
  }

  /** The original service's shape: `"pod_operation":"<CREATE> vwap-168317"`. */
  private logLine(row: OperationRow, outcome: PodOperationOutcome, entry: RecordedOperation): void {
    const fields = {
      pod_operation: `<${row.kind.toUpperCase()}> ${row.pod}`,
      ...(row.reason === null ? {} : { reason: row.reason }),
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
