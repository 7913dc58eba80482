import type { PodOperation } from '@podsync/domain';

interface ClientSpawns {
  planned: number;
  succeeded: number;
}

/** The tally of one round, and whose pods it (re)created. */
export class RoundProgress {
  planned = 0;
  done = 0;
  failed = 0;
  private readonly spawns = new Map<number, ClientSpawns>();

  /** `restartRequests`: the clients that asked for a restart, with their request count as read. */
  constructor(private readonly restartRequests: ReadonlyMap<number, number>) {}

  /** Notes the operations the round will carry out. */
  expect(operations: readonly PodOperation[]): void {
    for (const operation of operations) {
      if (operation.kind === 'delete') continue;
      const spawns = this.spawns.get(operation.pod.clientId) ?? { planned: 0, succeeded: 0 };
      spawns.planned++;
      this.spawns.set(operation.pod.clientId, spawns);
    }
  }

  completed(operation: PodOperation, ok: boolean): void {
    if (ok) this.done++;
    else this.failed++;
    if (!ok || operation.kind === 'delete') return;
    const spawns = this.spawns.get(operation.pod.clientId);
    if (spawns !== undefined) spawns.succeeded++;
  }

  /**
   * Clients whose restart request this round served — each of their pods was created or
   * recreated successfully — with the request count read before the round.
   */
  servedRestarts(): Array<{ clientId: number; restartRequests: number }> {
    const served: Array<{ clientId: number; restartRequests: number }> = [];
    for (const [clientId, restartRequests] of this.restartRequests) {
      const spawns = this.spawns.get(clientId);
      if (spawns !== undefined && spawns.planned > 0 && spawns.succeeded === spawns.planned)
        served.push({ clientId, restartRequests });
    }
    return served;
  }

  /** Clients with at least one pod created or recreated in this round. */
  spawnedClients(): number[] {
    return [...this.spawns].filter(([, spawns]) => spawns.succeeded > 0).map(([clientId]) => clientId);
  }
}
