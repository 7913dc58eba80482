import { type LeaderClock, systemClock } from './leader-clock';
import type { LeaderElector } from './leader-elector';
import { type ReplicaHeartbeat, type ReplicaRegistry, roleOf } from './replica-registry';

/** The one-process default: the only replica is this one, always alive. */
export class EmbeddedReplicaRegistry implements ReplicaRegistry {
  constructor(
    private readonly elector: LeaderElector,
    private readonly settings: { replicaId: string },
    private readonly clock: LeaderClock = systemClock,
  ) {}

  async start(): Promise<void> {
    // Nothing to announce: no other process reads this registry.
  }

  async stop(): Promise<void> {
    // Nothing was announced.
  }

  async list(): Promise<ReplicaHeartbeat[]> {
    return [{ replicaId: this.settings.replicaId, role: roleOf(this.elector), lastSeen: this.clock.now() }];
  }
}
