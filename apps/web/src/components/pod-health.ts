/** A pod as the dashboard shows it: the API's pod health, Kubernetes's vocabulary. */
export interface PodView {
  name: string;
  algorithm: string;
  phase: string;
  ready: boolean;
  restarts: number;
  reason: string | null;
  since: string | null;
}

/** The colour a pod is drawn in: green, amber, red, grey. */
export type PodHealth = 'healthy' | 'starting' | 'failing' | 'unknown';

/** Reasons Kubernetes gives while a pod is on its way up; any other reason is a problem. */
const STARTING_REASONS = new Set(['ContainerCreating', 'PodInitializing', 'Scheduled', 'Pulling']);

export function podHealth(pod: Pick<PodView, 'phase' | 'ready' | 'reason'>): PodHealth {
  if (pod.phase === 'Failed' || (pod.reason !== null && !STARTING_REASONS.has(pod.reason))) return 'failing';
  if (pod.phase === 'Running' && pod.ready) return 'healthy';
  if (pod.phase === 'Pending' || pod.phase === 'Running') return 'starting';
  return 'unknown';
}

/**
 * The pods of a client's answer. Older gateways list pod names only: such a pod is
 * shown with phase Unknown rather than guessed healthy.
 */
export function podViewsOf(pods: unknown): PodView[] {
  if (!Array.isArray(pods)) return [];
  return pods.flatMap((pod: unknown): PodView[] => {
    if (typeof pod === 'string')
      return [
        { name: pod, algorithm: algorithmOfName(pod), phase: 'Unknown', ready: false, restarts: 0, reason: null, since: null },
      ];
    if (typeof pod !== 'object' || pod === null) return [];
    const fields = pod as Record<string, unknown>;
    if (typeof fields.name !== 'string') return [];
    return [
      {
        name: fields.name,
        algorithm: typeof fields.algorithm === 'string' ? fields.algorithm : algorithmOfName(fields.name),
        phase: typeof fields.phase === 'string' ? fields.phase : 'Unknown',
        ready: fields.ready === true,
        restarts: typeof fields.restarts === 'number' ? fields.restarts : 0,
        reason: typeof fields.reason === 'string' && fields.reason !== '' ? fields.reason : null,
        since: typeof fields.since === 'string' ? fields.since : null,
      },
    ];
  });
}

/** Pod names are `<algorithm lower-case>-<client id>`. */
const algorithmOfName = (name: string): string => name.replace(/-\d+$/, '').toUpperCase();

/** "Running, ready", "Pending (ContainerCreating)", "CrashLoopBackOff, 4 restarts". */
export function describePod(pod: PodView): string {
  const parts = [pod.reason ?? pod.phase];
  if (pod.phase === 'Running') parts.push(pod.ready ? 'ready' : 'not ready');
  if (pod.restarts > 0) parts.push(`${pod.restarts} restart${pod.restarts === 1 ? '' : 's'}`);
  return parts.join(', ');
}

/** A client is unhealthy when a pod of it is not healthy, or an algorithm switched on has no pod. */
export function isUnhealthy(client: { algorithms: Record<string, boolean>; pods: PodView[] }): boolean {
  if (client.pods.some((pod) => podHealth(pod) !== 'healthy')) return true;
  const running = new Set(client.pods.map((pod) => pod.algorithm.toUpperCase()));
  return Object.entries(client.algorithms).some(([algorithm, on]) => on && !running.has(algorithm.toUpperCase()));
}
