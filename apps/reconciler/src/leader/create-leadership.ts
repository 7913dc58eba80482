import type { Db } from '@podsync/db';
import { Redlock } from '@sesamecare-oss/redlock';
import { EmbeddedLeaderElector } from './embedded-leader-elector';
import { EmbeddedReplicaRegistry } from './embedded-replica-registry';
import { type LeaderClock, systemClock } from './leader-clock';
import type { LeaderElector } from './leader-elector';
import { RedlockLeaderElector } from './redlock-leader-elector';
import { connectLeaderRedis } from './redis-connection';
import { RedisReplicaRegistry } from './redis-replica-registry';
import type { ReplicaRegistry } from './replica-registry';

/** The key namespace of DESIGN §4: the lock is `podsync:leader`. */
export const DEFAULT_KEY_PREFIX = 'podsync:';

export interface LeadershipSettings {
  replicaId: string;
  /** Independent Redis servers of the Redlock quorum; none means this process is always leader. */
  redisUrls: readonly string[];
  ttlMs: number;
  /** Namespace of every Redis key; defaults to `podsync:`. */
  keyPrefix?: string;
}

export interface Leadership {
  elector: LeaderElector;
  registry: ReplicaRegistry;
  /** For readiness: throws unless a majority of the Redis servers answers (embedded: never throws). */
  ping(): Promise<void>;
  /** Stops heartbeats and the elector (releasing the lease), then closes the Redis connections. */
  close(): Promise<void>;
}

/** The elector and registry for the configuration: Redlock over `redisUrls`, or embedded without them. */
export function createLeadership(settings: LeadershipSettings, db: Db, clock: LeaderClock = systemClock): Leadership {
  if (settings.redisUrls.length === 0) {
    const elector = new EmbeddedLeaderElector(db, settings, clock);
    const registry = new EmbeddedReplicaRegistry(elector, settings, clock);
    return { elector, registry, ping: async () => undefined, close: () => stopBoth(elector, registry) };
  }
  const servers = settings.redisUrls.map((url) => connectLeaderRedis(url, settings.ttlMs));
  const redisSettings = {
    replicaId: settings.replicaId,
    ttlMs: settings.ttlMs,
    keyPrefix: settings.keyPrefix ?? DEFAULT_KEY_PREFIX,
  };
  const elector = new RedlockLeaderElector(new Redlock(servers, { retryCount: 0 }), db, redisSettings, clock);
  const registry = new RedisReplicaRegistry(servers, elector, redisSettings, clock);
  return {
    elector,
    registry,
    async ping() {
      const answers = await Promise.allSettled(servers.map((server) => server.ping()));
      const up = answers.filter((answer) => answer.status === 'fulfilled').length;
      // Without a majority no replica can hold the lease (DESIGN §4).
      if (up * 2 <= servers.length)
        throw new Error(`${up} of ${servers.length} Redis servers answer; the lease needs a majority`);
    },
    async close() {
      await stopBoth(elector, registry);
      for (const server of servers) server.disconnect();
    },
  };
}

async function stopBoth(elector: LeaderElector, registry: ReplicaRegistry): Promise<void> {
  await registry.stop();
  await elector.stop();
}
