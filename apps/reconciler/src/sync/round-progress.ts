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
  /** The round carried out its operations (it was not paused, nor stopped before). */
  private acting = false;

  /** `restartRequests`: the clients that asked for a restart, with their request count as read. */
  constructor(private readonly restartRequests: ReadonlyMap<number, number>) {}

  /** Notes the operations the round will carry out. */
  expect(operations: readonly PodOperation[]): void {
    this.acting = true;
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
   * Clients whose restart request this round served, with the request count read before the
   * round: each of their pods was created or recreated successfully (`spawned`), or they have no
   * pod to run and so nothing to restart. A round that acts plans a create or a restart for every
   * desired pod of a client asking for a restart, so planning none means it has no pod.
   */
  servedRestarts(): Array<{ clientId: number; restartRequests: number; spawned: boolean }> {
    if (!this.acting) return [];
    const served: Array<{ clientId: number; restartRequests: number; spawned: boolean }> = [];
    for (const [clientId, restartRequests] of this.restartRequests) {
      const spawns = this.spawns.get(clientId) ?? { planned: 0, succeeded: 0 };
      if (spawns.succeeded === spawns.planned) served.push({ clientId, restartRequests, spawned: spawns.planned > 0 });
    }
    return served;
  }

  /** Clients with at least one pod created or recreated in this round. */
  spawnedClients(): number[] {
    return [...this.spawns].filter(([, spawns]) => spawns.succeeded > 0).map(([clientId]) => clientId);
  }
}
