import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Cluster, startCluster } from '../support/cluster';
import { RECONCILER_METRICS } from '../support/podsync-metrics';
import type { OutputLine } from '../support/process-output';
import type { ReplicaProcess } from '../support/replica-process';

/** What an operator sees of the replicas: metrics, readiness, the log level, and a SIGTERM handover. */
describe('cluster operability: replicas as processes', () => {
  let cluster: Cluster;
  const token = 'replica-admin-token';

  beforeAll(async () => {
    cluster = await startCluster({
      replicas: 2,
      ttl: '2s',
      gatewayEnv: { LOG_LEVEL: 'warn' },
      replicaEnv: { PODSYNC_API_TOKENS: `${token}:admin` },
    });
  });
  afterAll(() => cluster?.close());
  beforeEach(({ onTestFailed }) => onTestFailed(() => console.log(cluster.dumpLogs())));

  const leader = async (): Promise<ReplicaProcess> => {
    let found: ReplicaProcess | undefined;
    await cluster.waitFor(
      async () => {
        const flags = await Promise.all(cluster.replicas.map(async (replica) => replica.running && (await replica.isLeader())));
        found = cluster.replicas[flags.indexOf(true)];
        return flags.filter(Boolean).length === 1;
      },
      { what: 'exactly one leader' },
    );
    if (found === undefined) throw new Error('no leader');
    return found;
  };

  it("exposes the reconciler's metrics on each replica's own listener", async () => {
    const current = await leader();
    await cluster.waitFor(
      async () => (await current.metric('podsync_sync_round_duration_seconds_count', { trigger: 'startup' })) !== undefined,
      {
        what: 'a startup round on the leader',
      },
    );
    const text = await current.metrics();
    for (const name of [...RECONCILER_METRICS, 'process_resident_memory_bytes']) {
      expect(text, name).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
    }
    const follower = cluster.replicas.find((replica) => replica !== current);
    expect(await follower?.metric('podsync_leader')).toBe(0);
  });

  it('prints one startup line per replica: its loopback metrics URL, id, servers and deployer', async () => {
    const database = new URL(cluster.databaseUrl);
    const hostOf = (url: string): string => new URL(url).host;
    for (const replica of cluster.replicas) {
      await cluster.waitFor(() => replica.output.lines({ component: 'startup' }).length > 0, {
        what: `the startup line of ${replica.id}`,
      });
      const lines = replica.output.lines({ component: 'startup' });
      expect(lines, replica.id).toHaveLength(1);
      expect(new URL(replica.metricsUrl).hostname).toBe('127.0.0.1');
      expect(lines[0]?.json, replica.id).toMatchObject({
        url: replica.metricsUrl,
        msg:
          `podsync reconciler ${replica.id} serving health and metrics on ${replica.metricsUrl}/metrics — ` +
          `PostgreSQL ${database.host}${database.pathname}, redis ${hostOf(cluster.redis.url)}, nats ${hostOf(cluster.nats.url)}, ` +
          `kubernetes pods in namespace ${cluster.namespace}`,
      });
    }
  });

  it('changes a replica log level with the admin token only', async () => {
    const replica = cluster.replicas[0];
    if (replica === undefined) throw new Error('no replica');
    const put = (headers: Record<string, string>) =>
      fetch(`${replica.metricsUrl}/log-level`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ level: 'debug' }),
      });
    expect((await put({})).status).toBe(401);
    const answer = await put({ authorization: `Bearer ${token}` });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ status: 'ok', message: 'log level set to debug' });
    const bad = await fetch(`${replica.metricsUrl}/log-level`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ level: 'loud' }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ status: 'error' });
  });

  it('logs one request at the level its X-Log-Level header asks for, and no other', async () => {
    const requestLine = (id: string) => (line: OutputLine) => (line.json?.req as { id?: string } | undefined)?.id === id;
    await cluster.gateway.request('GET', '/api/v1/clients', { headers: { 'x-request-id': 'quiet-request' } });
    await cluster.gateway.request('GET', '/api/v1/clients', {
      headers: { 'x-request-id': 'loud-request', 'x-log-level': 'info' },
    });
    await cluster.waitFor(() => cluster.gateway.output.find(requestLine('loud-request')) !== undefined, {
      what: 'the request completed line of the request that asked for info',
    });
    expect(cluster.gateway.output.find(requestLine('loud-request'))?.json).toMatchObject({
      level: 'info',
      msg: 'request completed',
    });
    expect(cluster.gateway.output.find(requestLine('quiet-request'))).toBeUndefined();
  });

  it('reports a replica not ready while Redis is down, and ready again once it is back', async () => {
    const replica = cluster.replicas[0];
    if (replica === undefined) throw new Error('no replica');
    const readyStatus = async () => (await fetch(`${replica.metricsUrl}/ready`)).status;
    expect(await readyStatus()).toBe(200);
    await cluster.redis.kill();
    try {
      await cluster.waitFor(async () => (await readyStatus()) === 503, { what: 'the replica not ready without Redis' });
      const body = await (await fetch(`${replica.metricsUrl}/ready`)).json();
      expect(body).toMatchObject({ status: 'error', message: expect.stringMatching(/redis/) });
    } finally {
      await cluster.redis.restart();
    }
    await cluster.waitFor(async () => (await readyStatus()) === 200, { what: 'the replica ready again' });
  });

  it('hands leadership over at once when the leader gets SIGTERM', async () => {
    const old = await leader();
    const oldEpoch = await old.metric('podsync_leader_epoch');
    const stoppedAt = performance.now();
    await old.stop();
    const exitedMs = performance.now() - stoppedAt;
    const successor = await leader();
    const handoverMs = performance.now() - stoppedAt;
    expect(successor).not.toBe(old);
    expect(await successor.metric('podsync_leader_epoch')).toBeGreaterThan(oldEpoch ?? 0);
    expect(old.output.find({ msg: 'stopping: finishing the round in flight and releasing the lease' })).toBeDefined();
    console.log(
      `SIGTERM handover: old leader exited after ${exitedMs.toFixed(0)} ms, new leader after ${handoverMs.toFixed(0)} ms`,
    );
    await old.start();
  });
});
