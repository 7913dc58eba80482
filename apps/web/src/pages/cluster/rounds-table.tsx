import type { Round } from '../../api/views';
import { Timestamp } from '../../components/timestamp';

/** The latest sync rounds, newest first, with what each planned, did and failed. */
export function RoundsTable({ rounds }: { rounds: Round[] }) {
  if (rounds.length === 0) return <p class="empty">No round has run yet.</p>;
  return (
    <table class="table">
      <thead>
        <tr>
          <th scope="col" class="number">
            Round
          </th>
          <th scope="col">Started</th>
          <th scope="col">Trigger</th>
          <th scope="col" class="number">
            Took
          </th>
          <th scope="col" class="number">
            Planned
          </th>
          <th scope="col" class="number">
            Done
          </th>
          <th scope="col" class="number">
            Failed
          </th>
          <th scope="col">Notes</th>
        </tr>
      </thead>
      <tbody>
        {rounds.map((round) => (
          <tr key={round.id}>
            <td class="number">{round.id}</td>
            <td>
              <Timestamp at={round.startedAt} />
            </td>
            <td>
              {round.trigger}
              {round.scope !== null && (
                <span class="muted small">
                  {' '}
                  ({round.scope.length} client{round.scope.length === 1 ? '' : 's'})
                </span>
              )}
            </td>
            <td class="number">{durationOf(round)}</td>
            <td class="number">{round.planned}</td>
            <td class="number">{round.done}</td>
            <td class={`number ${round.failed > 0 ? 'text-bad' : ''}`}>{round.failed}</td>
            <td>{notesOf(round)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function durationOf(round: Round): string {
  if (round.finishedAt === null) return 'running';
  const ms = Date.parse(round.finishedAt) - Date.parse(round.startedAt);
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function notesOf(round: Round): string {
  const notes = [round.paused && 'paused', round.guarded && 'deletions held back', round.error].filter(Boolean);
  return notes.length === 0 ? '' : notes.join('; ');
}
