import type { Column, Row } from '../output';

const resultColour = (operation: Row) => (operation.result === 'ok' ? 'green' : 'red') as 'green' | 'red';

/** An operation as GET /api/v1/operations and the `podsync.ops.*` messages shape it. */
export const OPERATION_COLUMNS: Column[] = [
  { header: 'AT', value: (operation) => operation.at },
  { header: 'KIND', value: (operation) => operation.kind },
  { header: 'POD', value: (operation) => operation.pod },
  { header: 'CLIENT', value: (operation) => operation.clientId },
  { header: 'ALGORITHM', value: (operation) => operation.algorithm },
  { header: 'RESULT', value: (operation) => operation.result, colour: resultColour },
  { header: 'ROUND', value: (operation) => operation.round },
  { header: 'EPOCH', value: (operation) => operation.epoch },
  { header: 'REPLICA', value: (operation) => operation.replicaId },
  { header: 'ERROR', value: (operation) => operation.error },
];
