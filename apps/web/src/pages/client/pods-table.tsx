import { PodChip } from '../../components/pod-chip';
import type { ClientPod } from '../../api/views';
import { Timestamp } from '../../components/timestamp';

/** A client's pods with their health as Kubernetes reports it. */
export function PodsTable({ pods }: { pods: ClientPod[] }) {
  if (pods.length === 0) return <p class="empty">No pods: switch an algorithm on to run one.</p>;
  return (
    <table class="table">
      <thead>
        <tr>
          <th scope="col">Pod</th>
          <th scope="col">Algorithm</th>
          <th scope="col">Phase</th>
          <th scope="col">Ready</th>
          <th scope="col" class="number">
            Restarts
          </th>
          <th scope="col">Reason</th>
          <th scope="col">Since</th>
        </tr>
      </thead>
      <tbody>
        {pods.map((pod) => (
          <tr key={pod.name}>
            <td>
              <PodChip pod={pod} />
            </td>
            <td>{pod.algorithm}</td>
            <td data-cell="phase">{pod.phase}</td>
            <td>{pod.ready ? 'yes' : 'no'}</td>
            <td class="number">{pod.restarts}</td>
            <td>{pod.reason ?? <span class="muted">—</span>}</td>
            <td>
              <Timestamp at={pod.since} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
