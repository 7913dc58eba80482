import type { ClientPod } from '../api/views';

/** The colour a pod is drawn in: green, amber, red, grey. */
export type PodHealth = 'healthy' | 'starting' | 'failing' | 'unknown';

/** Reasons Kubernetes gives while a pod is on its way up; any other reason is a problem. */
const STARTING_REASONS = new Set(['ContainerCreating', 'PodInitializing', 'Scheduled', 'Pulling']);

export function podHealth(pod: Pick<ClientPod, 'phase' | 'ready' | 'reason'>): PodHealth {
  if (pod.phase === 'Failed' || (pod.reason !== null && !STARTING_REASONS.has(pod.reason))) return 'failing';
  if (pod.phase === 'Running' && pod.ready) return 'healthy';
  if (pod.phase === 'Pending' || pod.phase === 'Running') return 'starting';
  return 'unknown';
}

/** "Running, ready", "ContainerCreating", "CrashLoopBackOff, not ready, 4 restarts". */
export function describePod(pod: ClientPod): string {
  const parts = [pod.reason ?? pod.phase];
  if (pod.phase === 'Running') parts.push(pod.ready ? 'ready' : 'not ready');
  if (pod.restarts > 0) parts.push(`${pod.restarts} restart${pod.restarts === 1 ? '' : 's'}`);
  return parts.join(', ');
}
