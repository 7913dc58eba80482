import type { Replica } from '../../api/views';
import { Timestamp } from '../../components/timestamp';

/** Every reconciler replica, leader first as the API lists them. */
export function ReplicasTable({ replicas }: { replicas: Replica[] }) {
  if (replicas.length === 0) return <p class="empty">No replica answered: there is no leader right now.</p>;
  return (
    <table class="table">
      <thead>
        <tr>
          <th scope="col">Replica</th>
          <th scope="col">Role</th>
          <th scope="col">Last seen</th>
        </tr>
      </thead>
      <tbody>
        {replicas.map((replica) => (
          <tr key={replica.replicaId}>
            <td class="mono">{replica.replicaId}</td>
            <td>
              <span class={`badge ${replica.role === 'leader' ? 'badge-ok' : ''}`}>{replica.role}</span>
            </td>
            <td>
              <Timestamp at={replica.lastSeen} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
