import { Redis, type RedisOptions } from 'ioredis';

/**
 * Options that make a dead or hung Redis fail a command within a third of the lease TTL instead
 * of queueing it: a renewal must fail while the lease is still valid, so the leader steps down
 * before its deadline rather than hanging past it. Reconnection never gives up, so the replica
 * campaigns again as soon as Redis is back.
 */
export function leaderRedisOptions(ttlMs: number): RedisOptions {
  const failWithinMs = Math.ceil(ttlMs / 3);
  return {
    connectTimeout: failWithinMs,
    commandTimeout: failWithinMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    // A lock command re-sent after a reconnect could take a lease nobody is waiting for.
    autoResendUnfulfilledCommands: false,
    retryStrategy: (attempt) => Math.min(50 * attempt, Math.ceil(ttlMs / 5)),
  };
}

/** A connection for election and heartbeats; errors surface as failed commands, not as events. */
export function connectLeaderRedis(url: string, ttlMs: number): Redis {
  const redis = new Redis(url, leaderRedisOptions(ttlMs));
  // Without a listener ioredis prints every failed reconnect; the elector sees the same failures
  // as failed lock commands and reports them in its demotions.
  redis.on('error', () => undefined);
  return redis;
}

/** Resolves once `redis` is ready to take commands, or after `timeoutMs` if it is not; never rejects. */
export function readyOrTimeout(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    redis.once('ready', done);
  });
}
