import type { Column, Row } from '../output';

/** Running and ready is healthy; anything else deserves a look. */
export function podHealthColour(pod: Row): 'green' | 'yellow' | 'red' | undefined {
  if (pod.phase === undefined) return undefined;
  if (pod.phase === 'Failed' || (typeof pod.reason === 'string' && pod.reason !== '')) return 'red';
  if (pod.phase === 'Running' && pod.ready === true) return 'green';
  return 'yellow';
}

/** A pod as DESIGN §3 shapes it: {name, clientId, algorithm, phase, ready, restarts, reason, since}. */
export const POD_COLUMNS: Column[] = [
  { header: 'NAME', value: (pod) => pod.name },
  { header: 'CLIENT', value: (pod) => pod.clientId },
  { header: 'ALGORITHM', value: (pod) => pod.algorithm },
  { header: 'PHASE', value: (pod) => pod.phase, colour: podHealthColour },
  {
    header: 'READY',
    value: (pod) => (pod.ready === undefined ? undefined : pod.ready === true ? 'yes' : 'no'),
    colour: podHealthColour,
  },
  { header: 'RESTARTS', value: (pod) => pod.restarts },
  { header: 'REASON', value: (pod) => pod.reason },
  { header: 'SINCE', value: (pod) => pod.since },
];
