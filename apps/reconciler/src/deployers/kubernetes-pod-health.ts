import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { POD_PHASES, type PodHealth, type PodPhase } from '@podsync/domain';

/**
 * Waiting reasons of a container that is on its way up: normal progress, not a problem to
 * report (kubectl shows them too, but nothing is wrong yet).
 */
const STARTING = new Set(['ContainerCreating', 'PodInitializing']);

interface Explanation {
  reason: string;
  message: string | null;
}

function phaseOf(pod: V1Pod): PodPhase {
  const phase = pod.status?.phase;
  // A pod the API server has just stored has no status yet: the kubelet has not seen it.
  if (phase === undefined) return 'Pending';
  return (POD_PHASES as readonly string[]).includes(phase) ? (phase as PodPhase) : 'Unknown';
}

/**
 * Why a container is not running well: waiting (CrashLoopBackOff, ImagePullBackOff, ...),
 * terminated now, or, when it is not ready, how its last run ended (OOMKilled, Error). A
 * ready container that was once OOMKilled counts in `restarts`, not as something wrong now.
 */
function containerExplanation(container: V1ContainerStatus): Explanation | undefined {
  const waiting = container.state?.waiting;
  if (waiting?.reason !== undefined && !STARTING.has(waiting.reason))
    return { reason: waiting.reason, message: waiting.message ?? null };
  const terminated = container.state?.terminated ?? (container.ready ? undefined : container.lastState?.terminated);
  if (terminated?.reason !== undefined) return { reason: terminated.reason, message: terminated.message ?? null };
  return undefined;
}

function explanation(pod: V1Pod): Explanation | undefined {
  const status = pod.status;
  if (status?.reason !== undefined) return { reason: status.reason, message: status.message ?? null };
  for (const container of status?.containerStatuses ?? []) {
    const found = containerExplanation(container);
    if (found !== undefined) return found;
  }
  const scheduled = status?.conditions?.find((condition) => condition.type === 'PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason !== undefined)
    return { reason: scheduled.reason, message: scheduled.message ?? null };
  return undefined;
}

/** A pod's health as its status reports it (DESIGN §2): phase, the Ready condition, restarts, why not healthy. */
export function podHealth(pod: V1Pod): PodHealth {
  const status = pod.status;
  const ready = status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') ?? false;
  const restarts = (status?.containerStatuses ?? []).reduce((sum, container) => sum + (container.restartCount ?? 0), 0);
  const why = explanation(pod);
  return {
    phase: phaseOf(pod),
    ready,
    restarts,
    reason: why?.reason ?? null,
    message: why?.message ?? null,
    node: pod.spec?.nodeName ?? null,
  };
}
