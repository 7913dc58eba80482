import type { ClientDetails } from '../../api/views';
import { switchAlgorithms } from '../../api/status';
import { useAction } from '../../api/use-api';
import { AlgorithmSwitches } from '../../components/algorithm-switches';
import { ErrorNote } from '../../components/error-note';
import { PodChip } from '../../components/pod-chip';
import { hrefOf } from '../../routing/route';

interface FleetRowProps {
  client: ClientDetails;
  /** Reads the fleet again once a switch was accepted. */
  onChanged: () => void;
}

/** A client of the fleet: its name, its algorithm switches, its pods coloured by health. */
export function FleetRow({ client, onChanged }: FleetRowProps) {
  const flip = useAction(async (algorithm: string, on: boolean) => {
    await switchAlgorithms(client.id, { [algorithm]: on });
    onChanged();
  });
  return (
    <tr data-client-id={client.id}>
      <td>
        <a href={hrefOf.client(client.id)} class="client-link">
          {client.name}
        </a>
        <div class="muted small">#{client.id}</div>
      </td>
      <td>
        <AlgorithmSwitches
          clientName={client.name}
          algorithms={client.algorithms}
          busy={flip.busy}
          onSwitch={(a, on) => void flip.run(a, on)}
        />
        <ErrorNote error={flip.error} />
      </td>
      <td>
        {client.pods.length === 0 ? (
          <span class="muted">no pods</span>
        ) : (
          <div class="pod-chips">
            {client.pods.map((pod) => (
              <PodChip key={pod.name} pod={pod} />
            ))}
          </div>
        )}
      </td>
    </tr>
  );
}
