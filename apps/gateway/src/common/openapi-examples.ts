import type { ClientPod, PodView } from '@podsync/domain';

/** Answers as the API sends them, shown in the OpenAPI document beside each endpoint. */
const client = {
  id: 168317,
  name: 'acme',
  version: 3,
  image: 'registry.example.com/algo:3.1',
  cpu: '500m',
  mem: '256Mi',
  priority: 10,
  needRestart: false,
  spawnedAt: '2026-11-22T09:30:02.113Z',
  createdAt: '2026-11-20T08:00:00.000Z',
  updatedAt: '2026-11-22T09:30:01.870Z',
};

const round = {
  id: 42,
  epoch: 7,
  replicaId: 'podsync-reconciler-1',
  trigger: 'event',
  scope: [168317],
  startedAt: '2026-11-22T09:30:01.950Z',
  finishedAt: '2026-11-22T09:30:02.120Z',
  planned: 1,
  done: 1,
  failed: 0,
  guarded: false,
  paused: false,
  error: null,
};

const pod: PodView = {
  name: 'vwap-168317',
  clientId: 168317,
  algorithm: 'VWAP',
  phase: 'Running',
  ready: true,
  restarts: 0,
  reason: null,
  message: null,
  node: 'worker-3',
  since: '2026-11-22T09:30:09.402Z',
  observedAt: '2026-11-22T09:30:09.415Z',
};

const crashingPod: PodView = {
  name: 'twap-168317',
  clientId: 168317,
  algorithm: 'TWAP',
  phase: 'Running',
  ready: false,
  restarts: 4,
  reason: 'CrashLoopBackOff',
  message: 'back-off 1m20s restarting failed container=algo pod=twap-168317_default',
  node: 'worker-1',
  since: '2026-11-22T09:31:40.007Z',
  observedAt: '2026-11-22T09:33:02.551Z',
};

/** A pod as a client's view shows it: the health, without what the pods list adds. */
const clientPod = ({ name, algorithm, phase, ready, restarts, reason, since }: PodView): ClientPod => ({
  name,
  algorithm,
  phase,
  ready,
  restarts,
  reason,
  since,
});

const ok = (data: unknown) => ({ status: 'ok', data });
const message = (text: string) => ({ status: 'ok', message: text });

export const EXAMPLES = {
  health: { status: 'ok' },
  ready: { status: 'ok', info: { database: { status: 'up' } }, error: {}, details: { database: { status: 'up' } } },
  client: ok(client),
  clientPage: ok({ items: [client], nextCursor: '168317' }),
  clientDetails: ok({
    ...client,
    algorithms: { VWAP: true, TWAP: true, HFT: false },
    pods: [clientPod(crashingPod), clientPod(pod)],
  }),
  clientUpdated: message('client updated successfully'),
  statusUpdated: message('status updated successfully'),
  status: ok({ algorithms: { VWAP: true, TWAP: false, HFT: false }, needRestart: false }),
  operations: ok({
    items: [
      {
        id: 9001,
        epoch: 7,
        round: 42,
        replicaId: 'podsync-reconciler-1',
        kind: 'create',
        pod: 'vwap-168317',
        clientId: 168317,
        algorithm: 'VWAP',
        result: 'ok',
        at: '2026-11-22T09:30:02.101Z',
      },
    ],
    nextCursor: null,
  }),
  pods: ok({ items: [crashingPod, pod], nextCursor: null }),
  podsQueryError: {
    status: 'error',
    message: 'invalid request query: phase: phase must be one of Pending, Running, Succeeded, Failed, Unknown',
    errors: [{ path: 'phase', message: 'phase must be one of Pending, Running, Succeeded, Failed, Unknown' }],
  },
  logLevel: message('log level set to debug'),
  cluster: ok({
    leader: { replicaId: 'podsync-reconciler-1', epoch: 7, since: '2026-11-22T08:00:00.000Z' },
    replicas: [
      { replicaId: 'podsync-reconciler-1', role: 'leader', lastSeen: '2026-11-22T09:31:00.000Z' },
      { replicaId: 'podsync-reconciler-2', role: 'follower', lastSeen: '2026-11-22T09:30:59.500Z' },
    ],
    lastRound: round,
    paused: false,
    guarded: false,
    pods: { desired: 2, running: 2, ready: 1, pending: 0, failed: 0 },
  }),
  syncAccepted: ok({ accepted: true, force: false, replicaId: 'podsync-reconciler-1', epoch: 7 }),
  rounds: ok({ items: [round], nextCursor: null }),
  plan: ok({
    operations: [{ kind: 'create', pod: 'twap-168317', clientId: 168317, algorithm: 'TWAP' }],
    deletes: 0,
    running: 1,
    guarded: false,
    paused: false,
  }),
  paused: ok({ paused: true }),
  resumed: ok({ paused: false }),
  eventStream:
    'retry: 2000\nid: 1041-87\n\n' +
    'id: 1042-87\nevent: operation\ndata: {"id":9001,"epoch":7,"round":42,"replicaId":"podsync-reconciler-1","kind":"create",' +
    '"pod":"vwap-168317","clientId":168317,"algorithm":"VWAP","result":"ok","at":"2026-11-22T09:30:02.101Z"}\n\n' +
    ': ping\n\n',
  eventStreamTypesError: {
    status: 'error',
    message:
      'invalid request query: types: unknown event type "ops"; types must be a comma-separated list of operation, pod-status, leader, round',
    errors: [
      {
        path: 'types',
        message: 'unknown event type "ops"; types must be a comma-separated list of operation, pod-status, leader, round',
      },
    ],
  },
  validationError: {
    status: 'error',
    message: 'invalid request body: version: version must be 0 or more',
    errors: [{ path: 'version', message: 'version must be 0 or more' }],
  },
  notFound: { status: 'error', message: 'client 168317 not found' },
  noLeader: { status: 'error', message: 'no leader answered within 2 s; a replica may be taking over, retry shortly' },
} as const;
