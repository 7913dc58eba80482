import { apiCall } from '../api-call';
import type { CliContext, CliIo } from '../cli-context';
import { defineCommand, examples } from '../command';
import { cellText, type Row } from '../output';

interface ClusterView {
  leader: { replicaId: string; epoch: number; since: string } | null;
  replicas?: Row[];
  lastRound: Row | null;
  paused: boolean;
  guarded: boolean;
  pods?: Row;
}

/** `podsync cluster`: who leads, which replicas are there, the last round, pause and guard. */
export async function showCluster(context: CliContext): Promise<void> {
  const { data } = await apiCall(context.url, context.client.GET('/api/v1/cluster'));
  const cluster = data as ClusterView;
  const { output } = context;
  const round = cluster.lastRound;
  output.record(
    [
      ['leader', cluster.leader === null ? output.paint('none', 'red') : cluster.leader.replicaId],
      ['epoch', cluster.leader?.epoch],
      ['leader since', cluster.leader?.since],
      ['paused', cluster.paused ? output.paint('yes', 'yellow') : 'no'],
      ['delete guard', cluster.guarded ? output.paint('holding deletes (podsync sync --force lifts it)', 'red') : 'off'],
      [
        'last round',
        round === null
          ? undefined
          : `#${cellText(round.id)} ${cellText(round.trigger)}, planned ${cellText(round.planned)}, done ${cellText(round.done)}, failed ${cellText(round.failed)}, finished ${cellText(round.finishedAt)}`,
      ],
      ...(cluster.pods === undefined
        ? []
        : ([
            [
              'pods',
              Object.entries(cluster.pods)
                .map(([state, count]) => `${state} ${cellText(count)}`)
                .join(', '),
            ],
          ] as [string, unknown][])),
    ],
    cluster,
  );
  if (cluster.replicas !== undefined && cluster.replicas.length > 0) {
    output.line('');
    output.list(
      cluster.replicas,
      [
        { header: 'REPLICA', value: (replica) => replica.replicaId },
        {
          header: 'ROLE',
          value: (replica) => replica.role,
          colour: (replica) => (replica.role === 'leader' ? 'green' : undefined),
        },
        { header: 'LAST SEEN', value: (replica) => replica.lastSeen },
        { header: 'TARGETS', value: (replica) => replica.targets },
      ],
      cluster,
    );
  }
}

export const clusterCommand = (io: CliIo) =>
  defineCommand(io, 'cluster', showCluster)
    .description('Show the leader, its epoch, the replicas, the last round, pause and delete guard')
    .addHelpText('after', examples('podsync cluster', 'podsync cluster -o json'));
