import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startKubeApiServer, type KubeApiCall, type KubeApiServer } from './kube-api-server';

const PODS = '/api/v1/namespaces/ns/pods';

function podBody(name: string, labels: Record<string, string> = {}): object {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { containers: [{ name: 'app', image: 'nginx' }] } };
}

describe(startKubeApiServer.name, () => {
  let server: KubeApiServer;

  const request = async (
    method: string,
    path: string,
    body?: object,
  ): Promise<{ status: number; json: Record<string, unknown> }> => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-podsync-replica': 'r1', 'x-podsync-epoch': '3' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };

  const names = (list: Record<string, unknown>): string[] =>
    (list.items as { metadata: { name: string } }[]).map((pod) => pod.metadata.name);

  beforeEach(async () => {
    server = await startKubeApiServer();
  });

  afterEach(async () => {
    await server.close();
  });

  it('creates a pod (201), refuses its twin (409 AlreadyExists), reads it, deletes it, then answers 404 NotFound', async () => {
    const created = await request('POST', PODS, podBody('a'));
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: { name: 'a', namespace: 'ns', uid: expect.any(String) },
    });

    expect(await request('POST', PODS, podBody('a'))).toEqual({
      status: 409,
      json: expect.objectContaining({
        kind: 'Status',
        status: 'Failure',
        reason: 'AlreadyExists',
        code: 409,
        details: { name: 'a', kind: 'pods' },
      }),
    });
    expect((await request('GET', `${PODS}/a`)).status).toBe(200);
    expect((await request('DELETE', `${PODS}/a`)).json).toMatchObject({ metadata: { name: 'a' } });
    expect(await request('DELETE', `${PODS}/a`)).toMatchObject({
      status: 404,
      json: { kind: 'Status', reason: 'NotFound', message: 'pods "a" not found' },
    });
    expect((await request('GET', `${PODS}/a`)).status).toBe(404);
  });

  it('refuses an invalid pod with 422 Invalid and a body that is not JSON with 400', async () => {
    expect(await request('POST', PODS, podBody('Not_A_Label'))).toMatchObject({ status: 422, json: { reason: 'Invalid' } });
    const response = await fetch(`${server.url}${PODS}`, { method: 'POST', body: '{' });
    expect(response.status).toBe(400);
    expect(server.pods()).toEqual([]);
  });

  it('lists a PodList filtered by equality, inequality and existence selectors', async () => {
    await request('POST', PODS, podBody('a', { app: 'x', tier: 'web' }));
    await request('POST', PODS, podBody('b', { app: 'x' }));
    await request('POST', PODS, podBody('c', { app: 'y' }));
    await request('POST', '/api/v1/namespaces/other/pods', podBody('d', { app: 'x' }));

    const all = await request('GET', PODS);
    expect(all.json).toMatchObject({ kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: expect.any(String) } });
    expect(names(all.json)).toEqual(['a', 'b', 'c']);
    expect(names((await request('GET', `${PODS}?labelSelector=${encodeURIComponent('app=x')}`)).json)).toEqual(['a', 'b']);
    expect(names((await request('GET', `${PODS}?labelSelector=${encodeURIComponent('app==x,tier')}`)).json)).toEqual(['a']);
    expect(names((await request('GET', `${PODS}?labelSelector=${encodeURIComponent('app!=x')}`)).json)).toEqual(['c']);
    expect(names((await request('GET', `${PODS}?labelSelector=${encodeURIComponent('!tier')}`)).json)).toEqual(['b', 'c']);
    expect((await request('GET', `${PODS}?labelSelector=${encodeURIComponent('app in (x,y)')}`)).status).toBe(400);
  });

  it('pages with limit and continue until metadata.continue is absent', async () => {
    for (const name of ['e', 'a', 'd', 'b', 'c']) await request('POST', PODS, podBody(name));

    const first = await request('GET', `${PODS}?limit=2`);
    const firstMeta = first.json.metadata as { continue?: string; remainingItemCount?: number };
    expect(names(first.json)).toEqual(['a', 'b']);
    expect(firstMeta.remainingItemCount).toBe(3);
    const second = await request('GET', `${PODS}?limit=2&continue=${encodeURIComponent(firstMeta.continue ?? '')}`);
    const secondMeta = second.json.metadata as { continue?: string };
    expect(names(second.json)).toEqual(['c', 'd']);
    const third = await request('GET', `${PODS}?limit=2&continue=${encodeURIComponent(secondMeta.continue ?? '')}`);
    expect(names(third.json)).toEqual(['e']);
    expect(third.json.metadata).not.toHaveProperty('continue');
    expect((await request('GET', `${PODS}?continue=garbage`)).status).toBe(400);
  });

  it('answers injected failures with Status objects, for the method asked, then recovers', async () => {
    server.failNext(503, 2, 'post');

    expect((await request('GET', PODS)).status).toBe(200);
    expect(await request('POST', PODS, podBody('a'))).toMatchObject({
      status: 503,
      json: { kind: 'Status', reason: 'ServiceUnavailable', code: 503 },
    });
    expect((await request('POST', PODS, podBody('a'))).status).toBe(503);
    expect((await request('POST', PODS, podBody('a'))).status).toBe(201);
  });

  it('records each call with its pod, caller and status', async () => {
    const before = Date.now();
    await request('POST', PODS, podBody('a'));
    await request('DELETE', `${PODS}/b`);

    expect(server.calls).toEqual<KubeApiCall[]>([
      {
        method: 'POST',
        path: PODS,
        query: {},
        namespace: 'ns',
        pod: 'a',
        replicaId: 'r1',
        epoch: 3,
        at: expect.any(Number),
        status: 201,
      },
      {
        method: 'DELETE',
        path: `${PODS}/b`,
        query: {},
        namespace: 'ns',
        pod: 'b',
        replicaId: 'r1',
        epoch: 3,
        at: expect.any(Number),
        status: 404,
      },
    ]);
    expect(server.calls[0]?.at).toBeGreaterThanOrEqual(before);
    expect((await request('GET', '/_calls')).json).toHaveLength(2);
  });
});

describe('kube-api-server as its own process', () => {
  let child: ChildProcess | undefined;

  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }
  });

  it('prints the url it listens on, serves the pods API and the call log, and stops on SIGTERM', async () => {
    const started = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'kube-api-server.ts')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child = started;
    const exited = once(started, 'exit');
    if (started.stdout === null) throw new Error('the child has no stdout');
    const lines = createInterface({ input: started.stdout });
    const [line] = (await once(lines, 'line', { signal: AbortSignal.timeout(20_000) })) as [string];

    const url = /^listening (http:\/\/127\.0\.0\.1:\d+)$/.exec(line)?.[1];
    expect(url).toBeDefined();
    const created = await fetch(`${url}${PODS}`, {
      method: 'POST',
      headers: { 'x-podsync-epoch': '2' },
      body: JSON.stringify(podBody('a')),
    });
    expect(created.status).toBe(201);
    const calls = (await (await fetch(`${url}/_calls`)).json()) as KubeApiCall[];
    expect(calls).toEqual([expect.objectContaining({ method: 'POST', pod: 'a', epoch: 2, status: 201 })]);
    const failed = await fetch(`${url}/_fail?status=500&count=1`, { method: 'POST' });
    expect(failed.status).toBe(200);
    expect((await fetch(`${url}${PODS}`)).status).toBe(500);
    expect((await (await fetch(`${url}/_pods`)).json()) as unknown[]).toHaveLength(1);

    started.kill('SIGTERM');
    expect(await exited).toEqual([0, null]);
  });
});
