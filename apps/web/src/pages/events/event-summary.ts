import type { LiveEvent } from '../../api/live-events';

const text = (value: unknown): string | undefined =>
  typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;

/** "Running, ready" from a pod.status message's `from` or `to`. */
function podState(state: unknown): string | undefined {
  if (typeof state !== 'object' || state === null) return undefined;
  const { phase, ready } = state as { phase?: unknown; ready?: unknown };
  return `${text(phase) ?? '?'}${ready === true ? ', ready' : ready === false ? ', not ready' : ''}`;
}

/**
 * One line per event, in words, from the messages the stream carries (libs/bus: ops,
 * pod.status, leader, round.finished). Fields it does not know are left out, not guessed.
 */
export function summaryOf(event: LiveEvent): string {
  const payload = event.payload;
  switch (event.type) {
    case 'operation': {
      const outcome = payload.result === 'failed' ? `failed${text(payload.error) ? `: ${text(payload.error)}` : ''}` : 'done';
      return `${text(payload.kind) ?? 'operation'} ${text(payload.pod) ?? ''} ${outcome}`;
    }
    case 'pod-status': {
      const from = podState(payload.from);
      const to = podState(payload.to) ?? 'changed';
      const reason = text(payload.reason);
      return `${text(payload.pod) ?? 'pod'} ${from === undefined ? '' : `${from} → `}${to}${reason === undefined ? '' : ` (${reason})`}`;
    }
    case 'leader':
      return `${text(payload.replicaId) ?? '?'} leads, epoch ${text(payload.epoch) ?? '?'}`;
    case 'round': {
      const counts = `${text(payload.planned) ?? 0} planned, ${text(payload.done) ?? 0} done, ${text(payload.failed) ?? 0} failed`;
      const trigger = text(payload.trigger);
      return `round ${text(payload.round) ?? ''}${trigger === undefined ? '' : ` (${trigger})`}: ${counts}${payload.guarded === true ? ', deletions held back' : ''}`;
    }
    default:
      return JSON.stringify(payload);
  }
}
