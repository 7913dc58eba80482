import type { Operation } from '../../api/views';
import { Timestamp } from '../../components/timestamp';

/** What the leader did to a client's pods, newest first. */
export function OperationsTable({ operations }: { operations: Operation[] }) {
  if (operations.length === 0) return <p class="empty">No operations yet.</p>;
  return (
    <table class="table">
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Operation</th>
          <th scope="col">Pod</th>
          <th scope="col">Result</th>
          <th scope="col" class="number">
            Epoch
          </th>
        </tr>
      </thead>
      <tbody>
        {operations.map((operation) => (
          <tr key={operation.id}>
            <td>
              <Timestamp at={operation.at} />
            </td>
            <td>{operation.kind}</td>
            <td class="mono">{operation.pod}</td>
            <td>
              <span class={`badge ${operation.result === 'ok' ? 'badge-ok' : 'badge-bad'}`}>{operation.result}</span>
              {operation.error ? <div class="small muted">{operation.error}</div> : null}
            </td>
            <td class="number">{operation.epoch}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
