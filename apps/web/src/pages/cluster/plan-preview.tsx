import type { Plan } from '../../api/views';

/** How many operations of the plan the preview lists; the counts above it cover all of them. */
const SHOWN_OPERATIONS = 50;

/** What the next full round would do, in the order it would do it. */
export function PlanPreview({ operations, deletes, running }: Pick<Plan, 'operations' | 'deletes' | 'running'>) {
  return (
    <>
      <p class="muted">
        {operations.length} operation{operations.length === 1 ? '' : 's'} planned, {deletes} deletion{deletes === 1 ? '' : 's'},{' '}
        {running} pod
        {running === 1 ? '' : 's'} running.
      </p>
      {operations.length === 0 ? (
        <p class="empty">Nothing to do: the pods match the database.</p>
      ) : (
        <ol class="plan">
          {operations.slice(0, SHOWN_OPERATIONS).map((operation) => (
            <li key={`${operation.kind}-${operation.pod}`}>
              <span class={`badge badge-${operation.kind}`}>{operation.kind}</span> <span class="mono">{operation.pod}</span>
              {operation.reason !== undefined && <span class="muted"> — {operation.reason}</span>}
            </li>
          ))}
        </ol>
      )}
      {operations.length > SHOWN_OPERATIONS && <p class="muted">… and {operations.length - SHOWN_OPERATIONS} more.</p>}
    </>
  );
}
