import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientAlgorithms, pods } from '@podsync/db';
import type { PodPhase } from '@podsync/domain';
import { type RunningGateway, SAMPLE_CLIENT, startGateway } from '../../../../test/support/gateway-harness';

type PodInsert = typeof pods.$inferInsert;

/** The health a pod can be seen in, in Kubernetes's words; the fleet cycles through them. */
const HEALTHS: Array<Pick<PodInsert, 'phase' | 'ready' | 'restarts' | 'reason' | 'message' | 'node'>> = [
  { phase: 'Running', ready: true, restarts: 0, reason: null, message: null, node: 'worker-1' },
  { phase: 'Pending', ready: false, restarts: 0, reason: 'Unschedulable', message: '0/3 nodes are available', node: null },
  { phase: 'Running', ready: false, restarts: 4, reason: 'CrashLoopBackOff', message: 'back-off 1m20s', node: 'worker-2' },
  { phase: 'Running', ready: true, restarts: 1, reason: null, message: null, node: 'worker-3' },
  { phase: 'Failed', ready: false, restarts: 0, reason: 'Evicted', message: 'low on memory', node: 'worker-1' },
  { phase: 'Pending', ready: false, restarts: 0, reason: 'ImagePullBackOff', message: 'pull access denied', node: 'worker-2' },
  { phase: 'Succeeded', ready: false, restarts: 0, reason: 'Completed', message: null, node: 'worker-3' },
  { phase: 'Unknown', ready: false, restarts: 2, reason: 'NodeLost', message: null, node: 'worker-4' },
];

const ALGORITHMS = ['VWAP', 'TWAP', 'HFT'];

/** 70 clients × 3 algorithms, each pod in the next health of the cycle. */
const FLEET: PodInsert[] = Array.from({ length: 70 }, (_, client) =>
  ALGORITHMS.map((algorithm, index) => {
    const clientId = 5_001 + client;
    const health = HEALTHS[(client * ALGORITHMS.length + index) % HEALTHS.length] ?? HEALTHS[0];
    return {
      name: `${algorithm.toLowerCase()}-${clientId}`,
      clientId,
      algorithm,
      specHash: `hash-${clientId}`,
      epoch: 3,
      ...health,
      since: new Date(Date.UTC(2026, 10, 22, 9, 0, client)),
      observedAt: new Date(Date.UTC(2026, 10, 22, 10, 0, client)),
    };
  }),
).flat();

const namesOf = (fleet: PodInsert[]) => fleet.map((pod) => pod.name).sort();

describe('pods API on PostgreSQL', () => {
  let gateway: RunningGateway;

  beforeAll(async () => {
    gateway = await startGateway({ driver: 'postgres' });
    await gateway.database.db.insert(pods).values(FLEET);
  });
  afterAll(() => gateway?.close());

  /** Every page of GET /api/v1/pods with `query`, checking that no pod comes twice; the names in the order served. */
  async function collect(query: string, limit: number): Promise<string[]> {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page <= FLEET.length; page += 1) {
      const answer = await gateway.request(
        'GET',
        `/api/v1/pods?${query}&limit=${limit}${cursor === null ? '' : `&cursor=${cursor}`}`,
      );
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      const items: Array<{ name: string }> = answer.body.data.items;
      expect(items.length).toBeLessThanOrEqual(limit);
      seen.push(...items.map((item) => item.name));
      cursor = answer.body.data.nextCursor;
      if (cursor === null) break;
    }
    expect(cursor).toBeNull();
    expect(new Set(seen).size).toBe(seen.length);
    return seen;
  }

  it('lists a pod with its health, timestamps in ISO 8601', async () => {
    const answer = await gateway.request('GET', '/api/v1/pods?clientId=5003&algorithm=TWAP');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      status: 'ok',
      data: {
        items: [
          {
            name: 'twap-5003',
            clientId: 5003,
            algorithm: 'TWAP',
            phase: 'Unknown',
            ready: false,
            restarts: 2,
            reason: 'NodeLost',
            message: null,
            node: 'worker-4',
            since: '2026-11-22T09:00:02.000Z',
            observedAt: '2026-11-22T10:00:02.000Z',
          },
        ],
        nextCursor: null,
      },
    });
  });

  it('pages through every pod returning each exactly once, in name order', async () => {
    const whole = await gateway.request('GET', '/api/v1/pods?limit=500');
    const inOneGo: string[] = whole.body.data.items.map((item: { name: string }) => item.name);
    expect([...inOneGo].sort()).toEqual(namesOf(FLEET));
    expect(whole.body.data.nextCursor).toBeNull();
    expect(await collect('', 17)).toEqual(inOneGo);
    expect(await collect('', 1)).toEqual(inOneGo);
  });

  it('serves 100 pods a page unless told otherwise', async () => {
    const first = await gateway.request('GET', '/api/v1/pods');
    expect(first.body.data.items).toHaveLength(100);
    expect(first.body.data.nextCursor).toBe(first.body.data.items[99].name);
  });

  it.each<[string, (pod: PodInsert) => boolean]>([
    ['clientId=5007', (pod) => pod.clientId === 5007],
    ['algorithm=vwap', (pod) => pod.algorithm === 'VWAP'],
    ['algorithm=Hft', (pod) => pod.algorithm === 'HFT'],
    ...(['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'] as PodPhase[]).map<[string, (pod: PodInsert) => boolean]>(
      (phase) => [`phase=${phase}`, (pod) => pod.phase === phase],
    ),
    ['ready=false', (pod) => pod.ready === false],
    ['ready=true', (pod) => pod.ready === true],
    ['algorithm=TWAP&phase=Running&ready=false', (pod) => pod.algorithm === 'TWAP' && pod.phase === 'Running' && !pod.ready],
    ['clientId=5010&ready=false', (pod) => pod.clientId === 5010 && !pod.ready],
  ])('filters on %s, across pages', async (query, matches) => {
    const expected = namesOf(FLEET.filter(matches));
    expect(expected.length).toBeGreaterThan(0);
    expect([...(await collect(query, 4))].sort()).toEqual(expected);
  });

  it('answers an empty page when no pod matches', async () => {
    const answer = await gateway.request('GET', '/api/v1/pods?clientId=999999');
    expect(answer.status).toBe(200);
    expect(answer.body.data).toEqual({ items: [], nextCursor: null });
  });

  it('counts the pods of the cluster from the observed state, and the desired ones from the flags', async () => {
    const create = async () => (await gateway.request('POST', '/api/v1/clients', { json: SAMPLE_CLIENT })).body.data.id;
    const [first, second, third] = [await create(), await create(), await create()];
    await gateway.request('PUT', `/api/v1/status/${first}`, { json: { VWAP: true, TWAP: true } });
    await gateway.request('PUT', `/api/v1/status/${second}`, { json: { HFT: true, VWAP: false } });
    // An algorithm no longer in the catalogue asks for no pod.
    await gateway.database.db.insert(clientAlgorithms).values({ clientId: third, algorithm: 'ICEBERG', enabled: true });

    const answer = await gateway.request('GET', '/api/v1/cluster');
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({ leader: null, replicas: [] });
    const count = (matches: (pod: PodInsert) => boolean) => FLEET.filter(matches).length;
    expect(answer.body.data.pods).toEqual({
      desired: 3,
      running: count((pod) => pod.phase === 'Running'),
      ready: count((pod) => pod.ready === true),
      pending: count((pod) => pod.phase === 'Pending'),
      failed: count((pod) => pod.phase === 'Failed'),
    });
    expect(answer.body.data.pods.failed).toBeGreaterThan(0);
  });
});
