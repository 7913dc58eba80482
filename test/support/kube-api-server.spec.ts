import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NODE_NAME, startKubeApiServer, type KubeApiCall, type KubeApiServer, type KubeWatchEvent } from './kube-api-server';

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
    server = await startKubeApiServer({ kubelet: false });
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

/** An open watch: its events as they arrive, one JSON object per line. */
class WatchStream {
  private buffered = '';
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();

  private constructor(readonly response: Response) {
    if (response.body === null) throw new Error('the watch has no body');
    this.reader = response.body.getReader();
  }

  static async open(url: string): Promise<WatchStream> {
    return new WatchStream(await fetch(url, { headers: { 'x-podsync-replica': 'r1', 'x-podsync-epoch': '3' } }));
  }

  /** The next `count` events, or fewer if the server ends the stream first. */
  async take(count: number, types?: KubeWatchEvent['type'][]): Promise<KubeWatchEvent[]> {
    const events: KubeWatchEvent[] = [];
    while (events.length < count) {
      const newline = this.buffered.indexOf('\n');
      if (newline >= 0) {
        const event = JSON.parse(this.buffered.slice(0, newline)) as KubeWatchEvent;
        this.buffered = this.buffered.slice(newline + 1);
        if (types === undefined || types.includes(event.type)) events.push(event);
        continue;
      }
      const { done, value } = await this.reader.read();
      if (done) break;
      this.buffered += this.decoder.decode(value, { stream: true });
    }
    return events;
  }

  async ended(): Promise<boolean> {
    for (;;) {
      const { done } = await this.reader.read();
      if (done) return true;
    }
  }

  close(): Promise<void> {
    return this.reader.cancel();
  }
}

const summary = (events: KubeWatchEvent[]): [string, string, string][] =>
  events.map((event) => {
    const metadata = (event.object as { metadata: { name?: string; resourceVersion: string } }).metadata;
    return [event.type, metadata.name ?? '', metadata.resourceVersion];
  });

describe('kube-api-server watches, status patches and the kubelet', () => {
  let server: KubeApiServer;
  const streams: WatchStream[] = [];

  const send = async (method: string, path: string, body?: object, contentType = 'application/json'): Promise<Response> =>
    fetch(`${server.url}${path}`, {
      method,
      headers: { 'content-type': contentType },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  const watch = async (query: string): Promise<WatchStream> => {
    const stream = await WatchStream.open(`${server.url}${PODS}?watch=1&${query}`);
    streams.push(stream);
    return stream;
  };

  afterEach(async () => {
    await Promise.all(streams.splice(0).map((stream) => stream.close().catch(() => undefined)));
    await server.close();
  });

  it('streams the changes after a resourceVersion, filtered by selector, and resumes from any version it holds', async () => {
    server = await startKubeApiServer({ kubelet: false });
    const start = server.resourceVersion();
    await send('POST', PODS, podBody('a', { app: 'x' }));
    await send('POST', PODS, podBody('b', { app: 'y' }));
    const afterA = String(Number(start) + 1);
    await send('DELETE', `${PODS}/a`);

    const all = await watch(`resourceVersion=${start}`);
    expect(all.response.status).toBe(200);
    expect(summary(await all.take(3))).toEqual([
      ['ADDED', 'a', afterA],
      ['ADDED', 'b', String(Number(start) + 2)],
      ['DELETED', 'a', String(Number(start) + 3)],
    ]);
    const selected = await watch(`resourceVersion=${afterA}&labelSelector=app%3Dx`);
    await send('POST', PODS, podBody('c', { app: 'x' }));
    expect(summary(await selected.take(2)).map(([type, name]) => [type, name])).toEqual([
      ['DELETED', 'a'],
      ['ADDED', 'c'],
    ]);
    expect(server.openWatches()).toBe(2);
    expect(server.calls.filter((call) => call.query.watch === '1')).toHaveLength(2);
  });

  it('starts a watch without a version with the pods there are now, as ADDED events', async () => {
    server = await startKubeApiServer({ kubelet: false });
    await send('POST', PODS, podBody('a'));

    const stream = await watch('');

    expect(summary(await stream.take(1)).map(([type, name]) => [type, name])).toEqual([['ADDED', 'a']]);
  });

  it('sends bookmarks at the current version when asked for, and ends the watch at timeoutSeconds', async () => {
    server = await startKubeApiServer({ kubelet: false, bookmarkIntervalMs: 20 });
    await send('POST', PODS, podBody('a'));

    const stream = await watch(`resourceVersion=${server.resourceVersion()}&allowWatchBookmarks=true&timeoutSeconds=1`);

    expect(await stream.take(1)).toEqual([
      { type: 'BOOKMARK', object: { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: server.resourceVersion() } } },
    ]);
    expect(await stream.ended()).toBe(true);
    expect(server.openWatches()).toBe(0);
  });

  it('answers a watch from a version older than its history with an ERROR event of 410 Expired', async () => {
    server = await startKubeApiServer({ kubelet: false, historySize: 2 });
    const start = server.resourceVersion();
    for (const name of ['a', 'b', 'c']) await send('POST', PODS, podBody(name));

    const expired = await watch(`resourceVersion=${start}`);
    const held = await watch(`resourceVersion=${Number(start) + 1}`);

    expect(await expired.take(1)).toEqual([
      {
        type: 'ERROR',
        object: expect.objectContaining({
          kind: 'Status',
          code: 410,
          reason: 'Expired',
          message: expect.stringMatching(/too old/),
        }),
      },
    ]);
    expect(await expired.ended()).toBe(true);
    expect(summary(await held.take(2)).map(([type, name]) => [type, name])).toEqual([
      ['ADDED', 'b'],
      ['ADDED', 'c'],
    ]);
  });

  it('merges a status patch into the pod, bumps its version and tells the watches', async () => {
    server = await startKubeApiServer({ kubelet: false });
    await send('POST', PODS, podBody('a'));
    const stream = await watch(`resourceVersion=${server.resourceVersion()}`);

    const patched = await send(
      'PATCH',
      `${PODS}/a/status`,
      {
        metadata: { labels: { ignored: 'yes' } },
        status: { phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' },
      },
      'application/merge-patch+json',
    );

    expect(patched.status).toBe(200);
    const body = (await patched.json()) as { metadata: { labels: object; resourceVersion: string }; status: object };
    expect(body.status).toEqual({
      phase: 'Failed',
      qosClass: 'Guaranteed',
      reason: 'Evicted',
      message: 'The node was low on resource: memory.',
    });
    expect(body.metadata.labels).toEqual({});
    expect(body.metadata.resourceVersion).toBe(server.resourceVersion());
    expect(summary(await stream.take(1))).toEqual([['MODIFIED', 'a', server.resourceVersion()]]);
    // null removes a field, as in any JSON merge patch.
    await send('PATCH', `${PODS}/a/status`, { status: { reason: null, message: null } }, 'application/merge-patch+json');
    expect(server.pods('ns')[0]?.status).toEqual({ phase: 'Failed', qosClass: 'Guaranteed' });
    expect((await send('PATCH', `${PODS}/missing/status`, { status: {} })).status).toBe(404);
    expect((await send('PATCH', `${PODS}/a/status`, [] as unknown as object)).status).toBe(400);
  });

  it('starts a created pod like a kubelet: Pending, then bound, Running and ready', async () => {
    server = await startKubeApiServer({ kubelet: { startDelayMs: 20, stopDelayMs: 20 } });
    const stream = await watch(`resourceVersion=${server.resourceVersion()}`);

    await send('POST', PODS, podBody('a'));
    const [added, started] = await stream.take(2);

    expect(added).toMatchObject({ type: 'ADDED', object: { status: { phase: 'Pending' } } });
    expect(started).toMatchObject({
      type: 'MODIFIED',
      object: {
        spec: { nodeName: NODE_NAME },
        status: {
          phase: 'Running',
          conditions: expect.arrayContaining([
            { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: expect.any(String) },
          ]),
          containerStatuses: [
            { name: 'app', ready: true, restartCount: 0, state: { running: { startedAt: expect.any(String) } } },
          ],
        },
      },
    });
  });

  it('deletes a running pod gracefully: terminating with a deletionTimestamp, then gone; at once with gracePeriodSeconds=0', async () => {
    server = await startKubeApiServer({ kubelet: { startDelayMs: 0, stopDelayMs: 100 } });
    for (const name of ['a', 'b']) await send('POST', PODS, podBody(name));
    await vi.waitFor(() =>
      expect(server.pods('ns').map((pod) => (pod.status as { phase: string }).phase)).toEqual(['Running', 'Running']),
    );
    const stream = await watch(`resourceVersion=${server.resourceVersion()}`);

    const deleted = (await (await send('DELETE', `${PODS}/a`)).json()) as { metadata: Record<string, unknown> };
    expect(deleted.metadata).toMatchObject({ deletionTimestamp: expect.any(String), deletionGracePeriodSeconds: 30 });
    expect((await send('POST', PODS, podBody('a'))).status).toBe(409);
    expect((await send('DELETE', `${PODS}/b?gracePeriodSeconds=0`)).status).toBe(200);

    expect(summary(await stream.take(3)).map(([type, name]) => [type, name])).toEqual([
      ['MODIFIED', 'a'],
      ['DELETED', 'b'],
      ['DELETED', 'a'],
    ]);
    expect(server.pods('ns')).toEqual([]);
    expect((await send('DELETE', `${PODS}/a`, { gracePeriodSeconds: -1 })).status).toBe(404);
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
