import type { Cluster, PodCounts } from '../../api/views';
import { Timestamp } from '../../components/timestamp';

interface ClusterSummaryProps {
  leader: Cluster['leader'];
  replicaCount: number;
  pods: PodCounts;
  paused: boolean;
  guarded: boolean;
}

/** The leader and its epoch, the replicas, the pods' readiness and whether rounds act: the first things an operator checks. */
export function ClusterSummary({ leader, replicaCount, pods, paused, guarded }: ClusterSummaryProps) {
  return (
    <dl class="stats">
      <div class="stat">
        <dt>Leader</dt>
        <dd class={leader === null ? 'stat-bad' : undefined}>{leader?.replicaId ?? 'none'}</dd>
        {leader !== null && (
          <dd class="muted small">
            since <Timestamp at={leader.since} />
          </dd>
        )}
      </div>
      <div class="stat">
        <dt>Epoch</dt>
        <dd>{leader?.epoch ?? '—'}</dd>
      </div>
      <div class="stat">
        <dt>Replicas</dt>
        <dd>{replicaCount}</dd>
      </div>
      <div class="stat">
        <dt>Pods ready</dt>
        <dd class={pods.ready < pods.desired ? 'stat-warn' : 'stat-ok'}>
          {pods.ready} of {pods.desired}
        </dd>
        <dd class="muted small">
          {pods.running} running · {pods.pending} pending · {pods.failed} failed
        </dd>
      </div>
      <div class="stat">
        <dt>Rounds</dt>
        <dd class={paused || guarded ? 'stat-warn' : 'stat-ok'}>{paused ? 'paused' : guarded ? 'guarded' : 'acting'}</dd>
      </div>
    </dl>
  );
}
