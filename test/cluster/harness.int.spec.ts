import { existsSync } from 'node:fs';
import { connect as connectNats } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Cluster, startCluster } from '../support/cluster';
import type { ReplicaProcess } from '../support/replica-process';
import { SAMPLE_CLIENT } from '../support/gateway-harness';
import { TEST_SERVERS } from '../support/servers';

async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

async function natsAnswers(url: string): Promise<boolean> {
  try {
    const connection = await connectNats({ servers: url, timeout: 1_000, reconnect: false });
    await connection.flush();
    await connection.close();
    return true;
  } catch {
    return false;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function databaseExists(url: string): Promise<boolean> {
  const name = new URL(url).pathname.slice(1);
  const admin = postgres(TEST_SERVERS.postgres.url, { max: 1, onnotice: () => undefined });
  try {
    return (await admin`select 1 from pg_database where datname = ${name}`).length === 1;
  } finally {
    await admin.end();
  }
}

describe('cluster harness: the gateway as a process, servers of its own', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({ replicas: 0 });
  });

  afterAll(async () => {
    await cluster?.close();
  });

  beforeEach(({ onTestFailed }) => onTestFailed(() => console.log(cluster.dumpLogs())));

  it('runs the gateway, which serves /api/ready and creates a client in the cluster database', async () => {
    expect((await cluster.gateway.request('GET', '/api/ready')).status).toBe(200);

    const created = await cluster.gateway.request('POST', '/api/v1/clients', { json: SAMPLE_CLIENT });
    expect(created.status).toBe(201);
    expect((await cluster.gateway.request('GET', `/api/v1/clients/${created.body.data.id}`)).body.data.name).toBe('acme');

    const sql = postgres(cluster.databaseUrl, { max: 1, onnotice: () => undefined });
    try {
      expect(await sql`select id::int as id, name from clients`).toEqual([{ id: created.body.data.id, name: 'acme' }]);
    } finally {
      await sql.end();
    }
    expect(cluster.gateway.output.find({ component: 'http', msg: 'request completed' })).toBeDefined();
  });

  it('stops and restarts its NATS on the same port and store, and the gateway follows', async () => {
    const { url } = cluster.nats;
    await cluster.nats.stop();
    expect(await natsAnswers(url)).toBe(false);
    await cluster.waitFor(async () => (await cluster.gateway.request('GET', '/api/ready')).status === 503, {
      what: 'the gateway to report itself not ready without NATS',
    });

    await cluster.nats.start();
    expect(cluster.nats.url).toBe(url);
    expect(await natsAnswers(url)).toBe(true);
    await cluster.waitFor(async () => (await cluster.gateway.request('GET', '/api/ready')).status === 200, {
      what: 'the gateway to be ready again once NATS is back',
    });
  });

  it('kills and restarts its Redis on the same port', async () => {
    const { url } = cluster.redis;
    expect(await redisAnswers(url)).toBe(true);
    await cluster.redis.kill();
    expect(await redisAnswers(url)).toBe(false);
    await cluster.redis.restart();
    expect(cluster.redis.url).toBe(url);
    expect(await redisAnswers(url)).toBe(true);
  });

  it('restarts the gateway on the same port, and keeps its output across the restart', async () => {
    const before = cluster.gateway.pid;
    await cluster.gateway.restart();
    expect(cluster.gateway.pid).not.toBe(before);
    expect((await cluster.gateway.request('GET', '/api/v1/clients')).body.data.items).toHaveLength(1);
    const pids = new Set(cluster.gateway.output.lines().map((line) => line.pid));
    expect(pids).toEqual(new Set([before, cluster.gateway.pid]));
  });
});

describe('cluster harness: close()', () => {
  it('kills every process, paused ones too, stops its servers, drops its database and removes its files', async () => {
    const cluster = await startCluster({ replicas: 1 });
    const processes = [cluster.gateway, cluster.kube, cluster.redis, cluster.nats, ...cluster.replicas];
    const pids = processes.map((running) => running.pid).filter((pid): pid is number => pid !== undefined);
    try {
      expect(pids).toHaveLength(processes.length);
      cluster.gateway.pause();
      cluster.replicas.forEach((replica) => replica.pause());
    } finally {
      await cluster.close();
    }
    expect(pids.filter(alive)).toEqual([]);
    expect(existsSync(cluster.kubeconfigPath)).toBe(false);
    expect(await databaseExists(cluster.databaseUrl)).toBe(false);
  });
});

describe('cluster harness: the gateway and two reconciler replicas', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({ replicas: 2, ttl: '2s' });
  });

  afterAll(async () => {
    await cluster?.close();
  });

  beforeEach(({ onTestFailed }) => onTestFailed(() => console.log(cluster.dumpLogs())));

  const leaders = async (): Promise<ReplicaProcess[]> => {
    const running = cluster.replicas.filter((replica) => replica.running);
    const leading = await Promise.all(running.map((replica) => replica.isLeader()));
    return running.filter((_, index) => leading[index]);
  };

  const theLeader = async (): Promise<ReplicaProcess> => {
    await cluster.waitFor(async () => (await leaders()).length === 1, { what: 'exactly one leader among the running replicas' });
    const [leader] = await leaders();
    if (leader === undefined) throw new Error('the leader went away');
    return leader;
  };

  it('elects exactly one replica, which says so in its log', async () => {
    const leader = await theLeader();
    expect(leader.output.find({ component: 'leader', msg: 'elected leader' })).toBeDefined();
    expect(await Promise.all(cluster.replicas.map((replica) => replica.isLeader()))).toEqual(
      cluster.replicas.map((replica) => replica === leader),
    );
  });

  it('has the leader create, in the shared test Kubernetes API, the pod of an algorithm switched on through the gateway', async () => {
    const created = await cluster.gateway.request('POST', '/api/v1/clients', { json: SAMPLE_CLIENT });
    expect(created.status).toBe(201);
    const id: number = created.body.data.id;
    expect((await cluster.gateway.request('PUT', `/api/v1/status/${id}`, { json: { VWAP: true } })).status).toBe(200);

    await cluster.waitFor(
      async () => (await cluster.kube.pods(cluster.namespace)).some((pod) => pod.metadata.name === `vwap-${id}`),
      {
        what: `pod vwap-${id} in the test Kubernetes API`,
      },
    );
    const leader = await theLeader();
    const createCall = (await cluster.kubeCalls()).find((call) => call.method === 'POST' && call.pod === `vwap-${id}`);
    expect(createCall).toMatchObject({ replicaId: leader.id, status: 201 });
    await cluster.waitFor(
      async () =>
        leader.output.find({ msg: 'operation completed', component: 'sync/reconciler', pod_operation: `<CREATE> vwap-${id}` }) !==
        undefined,
      { what: `the leader to log the creation of vwap-${id}` },
    );
  });

  it('lets the other replica lead once the leader is killed', async () => {
    const first = await theLeader();
    await first.kill('SIGKILL');
    const second = await theLeader();
    expect(second.id).not.toBe(first.id);
    expect(second.output.find({ component: 'leader', msg: 'elected leader' })).toBeDefined();
  });
});
