import type { Cluster } from '../support/cluster';
import { sampleValue } from '../support/prometheus-text';
import type { ReplicaProcess } from '../support/replica-process';

/** A replica leading with its fencing epoch, as its own metrics say. */
export interface Leading {
  replica: ReplicaProcess;
  epoch: number;
}

/** The replicas that run and are not paused: a paused one cannot answer, nor act. */
function awakeReplicas(cluster: Cluster): ReplicaProcess[] {
  return cluster.replicas.filter((replica) => replica.running && !replica.paused);
}

/** Every awake replica whose `podsync_leader` gauge is 1, with its `podsync_leader_epoch`. */
export async function leadingNow(cluster: Cluster): Promise<Leading[]> {
  const replicas = awakeReplicas(cluster);
  const answers = await Promise.all(
    replicas.map(async (replica) => {
      const metrics = await replica.metrics().catch(() => undefined);
      if (metrics === undefined) return undefined;
      if (sampleValue(metrics, 'podsync_leader') !== 1) return undefined;
      return { replica, epoch: sampleValue(metrics, 'podsync_leader_epoch') ?? 0 };
    }),
  );
  return answers.filter((answer): answer is Leading => answer !== undefined);
}

/** Waits for exactly one awake replica to lead with an epoch above `after` (default 0). */
export async function waitForLeader(cluster: Cluster, options: { after?: number; timeoutMs?: number } = {}): Promise<Leading> {
  const after = options.after ?? 0;
  let found: Leading | undefined;
  await cluster.waitFor(
    async () => {
      const leading = await leadingNow(cluster);
      [found] = leading;
      return leading.length === 1 && (found?.epoch ?? 0) > after;
    },
    { what: `exactly one replica leading with an epoch above ${after}`, timeoutMs: options.timeoutMs ?? 20_000 },
  );
  if (found === undefined) throw new Error('the leader went away');
  return found;
}

/** When the leader of `epoch` took office (its lease's `since`), from GET /api/v1/cluster. */
export async function leaderSince(cluster: Cluster, epoch: number, timeoutMs = 15_000): Promise<number> {
  let since: number | undefined;
  await cluster.waitFor(
    async () => {
      const leader = (await cluster.gateway.request('GET', '/api/v1/cluster')).body?.data?.leader;
      if (leader?.epoch !== epoch) return false;
      since = Date.parse(leader.since);
      return true;
    },
    { what: `GET /api/v1/cluster to show the leader of epoch ${epoch}`, timeoutMs },
  );
  if (since === undefined) throw new Error(`no leader of epoch ${epoch}`);
  return since;
}

interface RoundItem {
  epoch: number;
  finishedAt: string | null;
  error: string | null;
}

/** When the first round of `epoch` finished without error, from GET /api/v1/sync/rounds. */
export async function firstRoundFinished(cluster: Cluster, epoch: number, timeoutMs = 15_000): Promise<number> {
  let finished: number | undefined;
  await cluster.waitFor(
    async () => {
      const rounds: RoundItem[] = (await cluster.gateway.request('GET', '/api/v1/sync/rounds?limit=100')).body.data.items;
      const times = rounds
        .filter((round) => round.epoch === epoch && round.finishedAt !== null && round.error === null)
        .map((round) => Date.parse(round.finishedAt ?? ''));
      if (times.length === 0) return false;
      finished = Math.min(...times);
      return true;
    },
    { what: `a finished round of epoch ${epoch} in GET /api/v1/sync/rounds`, timeoutMs },
  );
  if (finished === undefined) throw new Error(`no finished round of epoch ${epoch}`);
  return finished;
}

/** One change of leader after a fault, with its times from the fault (ms). */
export interface Failover {
  from: { replicaId: string; epoch: number };
  to: { replicaId: string; epoch: number };
  /** Until the new leader took office. */
  leaderMs: number;
  /** Until its first round finished. */
  roundMs: number;
}

/**
 * Strikes the current leader with `fault` and measures the fail-over from the moment before the
 * fault: until a new term begins (its lease's `since`) and until its first round finished. Both
 * times are read from what the cluster recorded, not from when the test happened to poll.
 */
export async function measureFailover(
  cluster: Cluster,
  fault: (leader: ReplicaProcess) => Promise<unknown>,
  timeoutMs = 20_000,
): Promise<Failover> {
  const before = await waitForLeader(cluster, { timeoutMs });
  const faultAt = Date.now();
  await fault(before.replica);
  const after = await waitForLeader(cluster, { after: before.epoch, timeoutMs });
  const [since, round] = await Promise.all([
    leaderSince(cluster, after.epoch, timeoutMs),
    firstRoundFinished(cluster, after.epoch, timeoutMs),
  ]);
  return {
    from: { replicaId: before.replica.id, epoch: before.epoch },
    to: { replicaId: after.replica.id, epoch: after.epoch },
    leaderMs: since - faultAt,
    roundMs: round - faultAt,
  };
}
