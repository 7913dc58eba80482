import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { GatewayProcess } from './gateway-process';
import { KubeApiProcess } from './kube-api-process';
import { type KubeApiCall, kubeConfigFor } from './kube-api-server';
import type { ManagedProcess, ManagedProcessOptions } from './managed-process';
import { type NatsServerProcess, startNatsServer } from './nats-server-process';
import { type OwnPostgresServer, startOwnPostgresServer } from './own-postgres-server';
import { type OwnRedisServer, startOwnRedisServer } from './own-redis-server';
import { ReplicaProcess } from './replica-process';
import { TRACING_PRELOAD } from './standalone-process';
import { createTestDatabase, type TestDatabase } from './test-database';
import { waitUntil } from './wait-until';

const REPO_ROOT = join(__dirname, '..', '..');
const BUILD = join(REPO_ROOT, 'dist');
const GATEWAY_MAIN = join(BUILD, 'apps/gateway/src/main.js');
const RECONCILER_MAIN = join(BUILD, 'apps/reconciler/src/main.js');
const KUBE_API_SERVER = join(__dirname, 'kube-api-server.ts');
const ADMIN_TOKEN = 'cluster-admin-token';
/** A second start for an app that gave up while booting on a loaded machine, as its pod would be restarted. */
const APP_START_ATTEMPTS = 2;
/** Conditions here ask processes over HTTP: poll gently, two cores run the whole cluster. */
const WAIT_POLL_MS = 100;

export interface ClusterOptions {
  /** Reconciler replicas started with the cluster (default 2); more with `addReplica()`. */
  replicas?: number;
  /** Whether the gateway starts with the cluster (default true). */
  gateway?: boolean;
  /** PODSYNC_LEADER_TTL (default `2s`, so a fail-over fits in a short test). */
  ttl?: string;
  /** PODSYNC_SYNC_INTERVAL (default `30s`: rounds run on events and requests, the periodic one seldom interferes). */
  syncInterval?: string;
  /** PODSYNC_K8S_NAMESPACE (default `podsync`). */
  namespace?: string;
  /** Variables for the gateway and every replica, over the harness's own. */
  env?: Record<string, string>;
  gatewayEnv?: Record<string, string>;
  /** Variables for every replica, over `env`. */
  replicaEnv?: Record<string, string>;
  /** Output lines kept per process (default 2000). */
  logLines?: number;
  /** How long a process may take to answer its ready probe (default 30 s). */
  readyTimeoutMs?: number;
  /**
   * Run the database on a PostgreSQL server of the cluster's own, which a test may stop and start
   * (`cluster.postgres`), instead of on the shared server (default false).
   */
  ownPostgres?: boolean;
}

export interface WaitOptions {
  /** What is awaited, for the message when the wait times out. */
  what: string;
  /** Default 15 s. */
  timeoutMs?: number;
}

/**
 * The gateway and reconciler replicas as real processes, on servers of their own that a test may
 * stop: a fresh database, a redis-server, a nats-server with JetStream and the test Kubernetes API
 * server. Everything listens on 127.0.0.1 on free ports; `close()` leaves nothing behind.
 */
export interface Cluster {
  readonly databaseUrl: string;
  /** The cluster's own PostgreSQL server, when started with `ownPostgres`. */
  readonly postgres: OwnPostgresServer | undefined;
  readonly redis: OwnRedisServer;
  readonly nats: NatsServerProcess;
  readonly kube: KubeApiProcess;
  readonly namespace: string;
  /** The KUBECONFIG file every replica reads. */
  readonly kubeconfigPath: string;
  /** Throws when the cluster was started without one. */
  readonly gateway: GatewayProcess;
  /** In start order, including those added later and those killed since. */
  readonly replicas: readonly ReplicaProcess[];
  /** Starts one more replica (`replica-<n>`) with the cluster's settings and `env` over them. */
  addReplica(env?: Record<string, string>): Promise<ReplicaProcess>;
  /** GET /_calls of the test Kubernetes API server. */
  kubeCalls(): Promise<KubeApiCall[]>;
  /** Polls `condition` until it holds; a condition that throws counts as not yet, and its last error is reported on time-out. */
  waitFor(condition: () => boolean | Promise<boolean>, options: WaitOptions): Promise<void>;
  /**
   * The kept output of every process, to print when a test fails, e.g.
   * `beforeEach(({ onTestFailed }) => onTestFailed(() => console.log(cluster.dumpLogs())))`.
   */
  dumpLogs(): string;
  /** Kills every process (paused ones too), stops the servers, drops the database, removes the temp dir. Idempotent. */
  close(): Promise<void>;
}

/** Hands out free ports, never the same one twice in one cluster, so a restarted process gets its port back. */
class PortBook {
  private readonly taken = new Set<number>();

  async next(): Promise<number> {
    for (;;) {
      const port = await freePort();
      if (this.taken.has(port)) continue;
      this.taken.add(port);
      return port;
    }
  }
}

/** Only what the harness states: an inherited DATABASE_URL or PODSYNC_API_TOKENS must not change what a test runs. */
function baseEnv(): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin' };
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const withGateway = options.gateway ?? true;
  if (!existsSync(GATEWAY_MAIN) || (options.replicas !== 0 && !existsSync(RECONCILER_MAIN))) {
    throw new Error(
      `the cluster tests run the built apps: run \`npm run build\` first (${GATEWAY_MAIN} or ${RECONCILER_MAIN} is missing)`,
    );
  }
  const namespace = options.namespace ?? 'podsync';
  const logLines = options.logLines ?? 2_000;
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  const stopTimeoutMs = 10_000;
  const ports = new PortBook();
  const processes: ManagedProcess[] = [];
  const replicas: ReplicaProcess[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  let gateway: GatewayProcess | undefined;
  let closed = false;

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    const failures: unknown[] = [];
    // Processes first, so none of them sees its servers go away and logs or retries for nothing.
    const killed = await Promise.allSettled(processes.map((managed) => managed.kill('SIGKILL')));
    for (const result of killed) if (result.status === 'rejected') failures.push(result.reason);
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: unknown) => failures.push(error));
    }
    if (failures.length > 0) throw new AggregateError(failures, `closing the cluster failed ${failures.length} time(s)`);
  };

  try {
    const tempDir = await mkdtemp(join(tmpdir(), 'podsync-cluster-'));
    cleanups.push(() => rm(tempDir, { recursive: true, force: true }));
    const owned = async <T>(starting: Promise<T>, cleanup: (started: T) => Promise<void>): Promise<T> => {
      const started = await starting;
      cleanups.push(() => cleanup(started));
      return started;
    };
    const postgres =
      options.ownPostgres === true ? await owned(startOwnPostgresServer(), (started) => started.close()) : undefined;
    const [database, redis, nats] = await allStarted<[TestDatabase, OwnRedisServer, NatsServerProcess]>([
      // On the cluster's own server the database goes with the server.
      postgres === undefined ? owned(createTestDatabase(), (created) => created.drop()) : createTestDatabase(postgres.url),
      owned(startOwnRedisServer(), (started) => started.close()),
      owned(startNatsServer(), (started) => started.dispose()),
    ]);

    const kubePort = await ports.next();
    const kube = new KubeApiProcess({
      name: 'kube-api-server',
      // tsx resolves from the working directory, so this one runs from the repository.
      // Pods start after 100 ms; a deleted pod goes at once, so a restart (delete, then create)
      // finds its name free, as the scenarios' operation counts assume.
      args: ['--import', 'tsx', KUBE_API_SERVER, String(kubePort), '--start-delay-ms', '100', '--stop-delay-ms', '0'],
      env: baseEnv(),
      cwd: REPO_ROOT,
      url: `http://127.0.0.1:${kubePort}`,
      readyPath: '/_calls',
      readyTimeoutMs,
      stopTimeoutMs,
      logLines,
    });
    processes.push(kube);
    await kube.start();
    const kubeconfigPath = join(tempDir, 'kubeconfig');
    await writeFile(kubeconfigPath, (await kubeConfigFor(kube.url, namespace)).exportConfig());

    // Each app runs in the temp dir: a developer's .env in the repository must not reach it.
    const appProcess = (
      name: string,
      script: string,
      readyPath: string,
      env: Record<string, string>,
      port: number,
    ): ManagedProcessOptions => ({
      name,
      // As the image and the chart start them: the tracing entry first, a no-op without OTEL variables.
      args: ['--require', TRACING_PRELOAD, script],
      env: { ...baseEnv(), ...env },
      cwd: tempDir,
      url: `http://127.0.0.1:${port}`,
      readyPath,
      readyTimeoutMs,
      stopTimeoutMs,
      logLines,
      startAttempts: APP_START_ATTEMPTS,
    });

    const shared = {
      DATABASE_URL: database.url,
      NATS_URL: nats.url,
      LOG_LEVEL: 'info',
      PODSYNC_ALGORITHMS: 'VWAP,TWAP,HFT',
    };
    let replicaCount = 0;
    const addReplica = async (env: Record<string, string> = {}): Promise<ReplicaProcess> => {
      if (closed) throw new Error('the cluster is closed');
      replicaCount += 1;
      const id = `replica-${replicaCount}`;
      const port = await ports.next();
      const replica = new ReplicaProcess(
        appProcess(
          id,
          RECONCILER_MAIN,
          '/ready',
          {
            ...shared,
            PODSYNC_METRICS_PORT: String(port),
            REDIS_URLS: redis.url,
            PODSYNC_REPLICA_ID: id,
            PODSYNC_LEADER_TTL: options.ttl ?? '2s',
            PODSYNC_SYNC_INTERVAL: options.syncInterval ?? '30s',
            PODSYNC_DEPLOYER: 'kubernetes',
            KUBECONFIG: kubeconfigPath,
            PODSYNC_K8S_NAMESPACE: namespace,
            ...options.env,
            ...options.replicaEnv,
            ...env,
          },
          port,
        ),
        id,
      );
      processes.push(replica);
      replicas.push(replica);
      await replica.start();
      return replica;
    };

    const starting: Promise<unknown>[] = [];
    if (withGateway) {
      const port = await ports.next();
      gateway = new GatewayProcess(
        appProcess(
          'gateway',
          GATEWAY_MAIN,
          '/api/ready',
          {
            ...shared,
            PODSYNC_HTTP_PORT: String(port),
            PODSYNC_API_TOKENS: `${ADMIN_TOKEN}:admin`,
            PODSYNC_REPLICA_ID: 'gateway',
            ...options.env,
            ...options.gatewayEnv,
          },
          port,
        ),
        ADMIN_TOKEN,
      );
      processes.push(gateway);
      starting.push(gateway.start());
    }
    for (let index = 0; index < (options.replicas ?? 2); index += 1) starting.push(addReplica());
    await allStarted(starting);

    return {
      databaseUrl: database.url,
      postgres,
      redis,
      nats,
      kube,
      namespace,
      kubeconfigPath,
      get gateway(): GatewayProcess {
        if (gateway === undefined) throw new Error('this cluster was started without the gateway');
        return gateway;
      },
      replicas,
      addReplica,
      kubeCalls: () => kube.calls(),
      waitFor,
      dumpLogs: () => processes.map((managed) => `===== ${managed.name}\n${managed.output.dump()}`).join('\n'),
      close,
    };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}

/**
 * Promise.all that waits for every start to settle before it fails, so that the clean-up which
 * follows a failure also sees what the other starts brought up.
 */
async function allStarted<T extends readonly unknown[]>(starting: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const results = await Promise.allSettled(starting);
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return results.map((result) => (result as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

async function waitFor(condition: () => boolean | Promise<boolean>, { what, timeoutMs = 15_000 }: WaitOptions): Promise<void> {
  let lastError: unknown;
  const attempt = async (): Promise<boolean> => {
    try {
      return await condition();
    } catch (error) {
      lastError = error;
      return false;
    }
  };
  try {
    await waitUntil(attempt, what, timeoutMs, WAIT_POLL_MS);
  } catch (timedOut) {
    if (lastError === undefined) throw timedOut;
    const reason = lastError instanceof Error ? lastError.message : String(lastError);
    throw new Error(`${timedOut instanceof Error ? timedOut.message : String(timedOut)} (last error: ${reason})`, {
      cause: timedOut,
    });
  }
}
