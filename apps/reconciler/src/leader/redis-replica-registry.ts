import type { Redis } from 'ioredis';
import { z } from 'zod';
import { type LeaderClock, systemClock } from './leader-clock';
import type { LeaderElector } from './leader-elector';
import { readyOrTimeout } from './redis-connection';
import { type ReplicaHeartbeat, type ReplicaRegistry, type ReplicaRole, roleOf } from './replica-registry';

export interface RedisRegistrySettings {
  replicaId: string;
  /** The leader lease TTL: heartbeats go out every TTL/3 and expire after 3 × TTL. */
  ttlMs: number;
  /** Namespace of the heartbeat keys (`<prefix>replica:<id>`), `podsync:` in production. */
  keyPrefix: string;
}

/** Three heartbeats may be lost before a live replica drops off the list. */
const EXPIRY_IN_TTLS = 3;
const HEARTBEATS_PER_TTL = 3;
const SCAN_BATCH = 100;

interface Running {
  cancelBeat: () => void;
  unsubscribe: () => void;
}

const heartbeatSchema = z.object({
  replicaId: z.string(),
  role: z.enum(['leader', 'follower'] satisfies ReplicaRole[]),
  lastSeen: z.iso.datetime({ offset: true }).transform((text) => new Date(text)),
});

/**
 * Heartbeats as Redis keys with a TTL, written to every server of the quorum and listed from all
 * that answer, so that the list survives the loss of any of them. A change of role is announced at
 * once rather than at the next beat.
 */
export class RedisReplicaRegistry implements ReplicaRegistry {
  private running: Running | undefined;
  private beating: Promise<void> = Promise.resolve();

  constructor(
    private readonly servers: readonly Redis[],
    private readonly elector: LeaderElector,
    private readonly settings: RedisRegistrySettings,
    private readonly clock: LeaderClock = systemClock,
  ) {}

  async start(): Promise<void> {
    if (this.running !== undefined) return;
    const running: Running = { cancelBeat: () => undefined, unsubscribe: () => undefined };
    this.running = running;
    const everyMs = this.settings.ttlMs / HEARTBEATS_PER_TTL;
    // With the offline queue off, a first beat sent while connecting would be lost for a whole period.
    await Promise.all(this.servers.map((server) => readyOrTimeout(server, everyMs)));
    if (this.running !== running) return;
    running.unsubscribe = this.elector.onChange(() => this.beat());
    const next = (): void => {
      running.cancelBeat = this.clock.schedule(everyMs, () => {
        this.beat();
        next();
      });
    };
    next();
    this.beat();
    await this.beating;
  }

  async stop(): Promise<void> {
    const running = this.running;
    if (running === undefined) return;
    this.running = undefined;
    running.cancelBeat();
    running.unsubscribe();
    // A beat still in flight would otherwise write the key again after it is deleted.
    await this.beating;
    await Promise.allSettled(this.servers.map((server) => server.del(this.keyOf(this.settings.replicaId))));
  }

  async list(): Promise<ReplicaHeartbeat[]> {
    const answers = await Promise.allSettled(this.servers.map((server) => this.heartbeatsOn(server)));
    const latest = new Map<string, ReplicaHeartbeat>();
    let answered = false;
    for (const answer of answers) {
      if (answer.status === 'rejected') continue;
      answered = true;
      for (const heartbeat of answer.value) {
        const known = latest.get(heartbeat.replicaId);
        if (known === undefined || known.lastSeen < heartbeat.lastSeen) latest.set(heartbeat.replicaId, heartbeat);
      }
    }
    if (!answered) {
      const failures = answers.map((answer) => (answer.status === 'rejected' ? answer.reason : undefined));
      throw new AggregateError(failures, 'no Redis server answered the replica list');
    }
    return [...latest.values()].sort((a, b) => a.replicaId.localeCompare(b.replicaId));
  }

  /** Writes this replica's heartbeat to every server; a server that fails gets the next one. */
  private beat(): void {
    const heartbeat = {
      replicaId: this.settings.replicaId,
      role: roleOf(this.elector),
      lastSeen: this.clock.now().toISOString(),
    };
    const key = this.keyOf(this.settings.replicaId);
    const expiryMs = Math.round(this.settings.ttlMs * EXPIRY_IN_TTLS);
    const writes = Promise.allSettled(this.servers.map((server) => server.set(key, JSON.stringify(heartbeat), 'PX', expiryMs)));
    // Each server's commands run in order on its one connection, so the latest beat finishes last.
    this.beating = writes.then(() => undefined);
  }

  private async heartbeatsOn(server: Redis): Promise<ReplicaHeartbeat[]> {
    const heartbeats: ReplicaHeartbeat[] = [];
    let cursor = '0';
    do {
      const [nextCursor, keys] = await server.scan(
        cursor,
        'MATCH',
        `${globEscape(this.settings.keyPrefix)}replica:*`,
        'COUNT',
        SCAN_BATCH,
      );
      cursor = nextCursor;
      if (keys.length === 0) continue;
      for (const value of await server.mget(...keys)) {
        const heartbeat = value === null ? undefined : parseHeartbeat(value);
        if (heartbeat !== undefined) heartbeats.push(heartbeat);
      }
    } while (cursor !== '0');
    return heartbeats;
  }

  private keyOf(replicaId: string): string {
    return `${this.settings.keyPrefix}replica:${replicaId}`;
  }
}

/** A heartbeat read back from Redis, or undefined for a value that is not one. */
function parseHeartbeat(value: string): ReplicaHeartbeat | undefined {
  try {
    const parsed = heartbeatSchema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
