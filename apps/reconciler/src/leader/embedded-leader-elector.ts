import { advanceLeaderEpoch, type Db } from '@podsync/db';
import { HeldLease } from './held-lease';
import { type LeaderClock, systemClock } from './leader-clock';
import { type Lease, type LeaderElector, type LeadershipListener, LeaseLostError } from './leader-elector';
import { LeadershipListeners } from './leadership-listeners';
import { LeaseValidity } from './lease-validity';

/**
 * The one-process default: this replica is always leader. It still advances the fencing epoch,
 * so its operations carry a real epoch and a second process on the same database fences it off.
 */
export class EmbeddedLeaderElector implements LeaderElector {
  private readonly listeners = new LeadershipListeners();
  private lease: HeldLease | undefined;

  constructor(
    private readonly db: Db,
    private readonly settings: { replicaId: string },
    private readonly clock: LeaderClock = systemClock,
  ) {}

  async start(): Promise<void> {
    if (this.lease?.isValid()) return;
    await this.elect();
  }

  async stop(): Promise<void> {
    this.revoke('stopped');
  }

  async stepDown(): Promise<void> {
    if (!this.lease?.isValid()) return;
    this.revoke('stepped-down');
    await this.elect();
  }

  current(): Lease | undefined {
    return this.lease?.isValid() ? this.lease : undefined;
  }

  onChange(listener: LeadershipListener): () => void {
    return this.listeners.add(listener);
  }

  private async elect(): Promise<void> {
    const epoch = await advanceLeaderEpoch(this.db, this.settings.replicaId);
    this.lease = new HeldLease(epoch, this.clock.now(), new LeaseValidity(this.clock, Infinity));
    this.listeners.announce(this.lease);
  }

  private revoke(reason: 'stopped' | 'stepped-down'): void {
    this.lease?.revoke(new LeaseLostError(reason));
  }
}
