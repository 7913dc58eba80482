import type { LiveEvent } from '../../api/live-events';

const text = (value: unknown): string | undefined =>
  typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;

/** One line per event, in words: what happened to which pod, replica or round. */
export function summaryOf(event: LiveEvent): string {
  const payload = event.payload;
  switch (event.type) {
    case 'operation': {
      const outcome = payload.result === 'failed' ? `failed${text(payload.error) ? `: ${text(payload.error)}` : ''}` : 'done';
      return `${text(payload.kind) ?? 'operation'} ${text(payload.pod) ?? ''} ${outcome}`;
    }
    case 'pod-status': {
      const state = [
        text(payload.reason) ?? text(payload.phase) ?? 'changed',
        payload.ready === true ? 'ready' : payload.ready === false ? 'not ready' : undefined,
      ];
      return `${text(payload.name) ?? text(payload.pod) ?? 'pod'} ${state.filter(Boolean).join(', ')}`;
    }
    case 'leader':
      return text(payload.replicaId) === undefined
        ? 'no leader'
        : `${text(payload.replicaId)} leads, epoch ${text(payload.epoch) ?? '?'}`;
    case 'round':
      return `round ${text(payload.id) ?? ''}: ${text(payload.planned) ?? 0} planned, ${text(payload.done) ?? 0} done, ${text(payload.failed) ?? 0} failed`;
    default:
      return JSON.stringify(payload);
  }
}
