import type { ClientPod } from '../api/views';
import { describePod, podHealth } from './pod-health';

/** A pod as a chip coloured by its health: its name, and its state in words for readers and screen readers. */
export function PodChip({ pod }: { pod: ClientPod }) {
  const state = describePod(pod);
  return (
    <span class={`pod-chip pod-${podHealth(pod)}`} title={state} data-pod={pod.name} data-phase={pod.phase}>
      <span class="pod-dot" aria-hidden="true" />
      <span class="pod-name">{pod.name}</span>
      <span class="visually-hidden">: {state}</span>
    </span>
  );
}
