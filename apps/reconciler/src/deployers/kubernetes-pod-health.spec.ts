import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { podHealth } from './kubernetes-pod-health';

/** Pod JSON as the API server sends it (kubectl get pod -o json), trimmed to metadata, nodeName and status. */
function pod(status: object, nodeName: string | null = 'node-a'): V1Pod {
  return JSON.parse(
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'vwap-1', namespace: 'trading', uid: 'e4f7c1de-1111-4c3a-9d55-0d1f7c9b2a10', resourceVersion: '4711' },
      spec: { nodeName: nodeName ?? undefined, containers: [{ name: 'vwap', image: 'registry.example.com/algo:3.1' }] },
      status: { qosClass: 'Guaranteed', hostIP: '10.0.0.11', podIP: '10.244.1.7', ...status },
    }),
  ) as V1Pod;
}

const condition = (type: string, status: 'True' | 'False', extra: object = {}): object => ({
  type,
  status,
  lastProbeTime: null,
  lastTransitionTime: '2026-12-01T20:14:03Z',
  ...extra,
});

const scheduledReady = (ready: boolean): object[] => [
  condition('Initialized', 'True'),
  condition('Ready', ready ? 'True' : 'False', ready ? {} : { reason: 'ContainersNotReady' }),
  condition('ContainersReady', ready ? 'True' : 'False'),
  condition('PodScheduled', 'True'),
];

describe(podHealth.name, () => {
  it('reports a running, ready pod with nothing wrong', () => {
    const running = pod({
      phase: 'Running',
      conditions: scheduledReady(true),
      containerStatuses: [
        {
          name: 'vwap',
          ready: true,
          started: true,
          restartCount: 0,
          image: 'registry.example.com/algo:3.1',
          imageID: 'registry.example.com/algo@sha256:ab12',
          state: { running: { startedAt: '2026-12-01T20:14:05Z' } },
          lastState: {},
        },
      ],
    });

    expect(podHealth(running)).toEqual({
      phase: 'Running',
      ready: true,
      restarts: 0,
      reason: null,
      message: null,
      node: 'node-a',
    });
  });

  it('reports a pod the scheduler cannot place as Pending and Unschedulable, on no node', () => {
    const unschedulable = pod(
      {
        phase: 'Pending',
        conditions: [
          condition('PodScheduled', 'False', {
            reason: 'Unschedulable',
            message: '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available.',
          }),
        ],
      },
      null,
    );

    expect(podHealth(unschedulable)).toEqual({
      phase: 'Pending',
      ready: false,
      restarts: 0,
      reason: 'Unschedulable',
      message: '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available.',
      node: null,
    });
  });

  it('reports a crash-looping container with its restarts, the waiting reason before the last termination', () => {
    const crashLooping = pod({
      phase: 'Running',
      conditions: scheduledReady(false),
      containerStatuses: [
        {
          name: 'vwap',
          ready: false,
          started: false,
          restartCount: 5,
          state: {
            waiting: {
              reason: 'CrashLoopBackOff',
              message: 'back-off 2m40s restarting failed container=vwap pod=vwap-1_trading(e4f7c1de)',
            },
          },
          lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: '2026-12-01T20:20:00Z' } },
        },
      ],
    });

    expect(podHealth(crashLooping)).toMatchObject({
      phase: 'Running',
      ready: false,
      restarts: 5,
      reason: 'CrashLoopBackOff',
      message: expect.stringMatching(/^back-off 2m40s/),
    });
  });

  it.each([
    ['ImagePullBackOff', 'Back-off pulling image "registry.example.com/algo:3.1"'],
    ['ErrImagePull', 'rpc error: code = NotFound desc = failed to pull and unpack image'],
    ['CreateContainerConfigError', 'secret "algo-keys" not found'],
  ])('reports a container waiting with %s', (reason, message) => {
    const waiting = pod({
      phase: 'Pending',
      conditions: scheduledReady(false),
      containerStatuses: [
        { name: 'vwap', ready: false, restartCount: 0, state: { waiting: { reason, message } }, lastState: {} },
      ],
    });

    expect(podHealth(waiting)).toMatchObject({ phase: 'Pending', ready: false, reason, message });
  });

  it('reports a container that is still being created as nothing wrong yet', () => {
    const creating = pod({
      phase: 'Pending',
      conditions: scheduledReady(false),
      containerStatuses: [
        { name: 'vwap', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } }, lastState: {} },
      ],
    });

    expect(podHealth(creating)).toMatchObject({ phase: 'Pending', ready: false, reason: null, message: null });
  });

  it('reports OOMKilled from the terminated state, and from the last state while the container is not ready', () => {
    const killed = pod({
      phase: 'Running',
      conditions: scheduledReady(false),
      containerStatuses: [
        {
          name: 'vwap',
          ready: false,
          restartCount: 1,
          state: { terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: '2026-12-01T20:20:00Z' } },
          lastState: {},
        },
      ],
    });
    const restarting = pod({
      phase: 'Running',
      conditions: scheduledReady(false),
      containerStatuses: [
        {
          name: 'vwap',
          ready: false,
          restartCount: 2,
          state: { running: { startedAt: '2026-12-01T20:21:00Z' } },
          lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } },
        },
      ],
    });
    const recovered = pod({
      phase: 'Running',
      conditions: scheduledReady(true),
      containerStatuses: [
        {
          name: 'vwap',
          ready: true,
          restartCount: 2,
          state: { running: { startedAt: '2026-12-01T20:21:00Z' } },
          lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } },
        },
      ],
    });

    expect(podHealth(killed)).toMatchObject({ restarts: 1, reason: 'OOMKilled' });
    expect(podHealth(restarting)).toMatchObject({ restarts: 2, reason: 'OOMKilled' });
    // Ready again: the restart is counted, and nothing is wrong now.
    expect(podHealth(recovered)).toMatchObject({ ready: true, restarts: 2, reason: null });
  });

  it('reports an evicted pod as Failed with the pod-level reason first', () => {
    const evicted = pod({
      phase: 'Failed',
      reason: 'Evicted',
      message: 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 91Mi. ',
      conditions: [
        condition('DisruptionTarget', 'True', { reason: 'TerminationByKubelet', message: 'memory pressure' }),
        ...scheduledReady(false),
      ],
      containerStatuses: [
        {
          name: 'vwap',
          ready: false,
          restartCount: 0,
          state: { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown' } },
          lastState: {},
        },
      ],
    });

    expect(podHealth(evicted)).toEqual({
      phase: 'Failed',
      ready: false,
      restarts: 0,
      reason: 'Evicted',
      message: 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 91Mi. ',
      node: 'node-a',
    });
  });

  it('sums restarts over the containers and takes the reason of the first one with a problem', () => {
    const sidecarFailing = pod({
      phase: 'Running',
      conditions: scheduledReady(false),
      containerStatuses: [
        { name: 'vwap', ready: true, restartCount: 1, state: { running: {} }, lastState: {} },
        { name: 'proxy', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: {} },
      ],
    });

    expect(podHealth(sidecarFailing)).toMatchObject({ ready: false, restarts: 4, reason: 'CrashLoopBackOff', message: null });
  });

  it('reads a pod without a status yet as Pending, and a phase it does not know as Unknown', () => {
    const fresh = JSON.parse(JSON.stringify({ metadata: { name: 'vwap-1' }, spec: { containers: [] } })) as V1Pod;

    expect(podHealth(fresh)).toEqual({ phase: 'Pending', ready: false, restarts: 0, reason: null, message: null, node: null });
    expect(podHealth(pod({ phase: 'Terminating' })).phase).toBe('Unknown');
    expect(podHealth(pod({ phase: 'Unknown', reason: 'NodeLost', message: 'node node-a is unreachable' }))).toMatchObject({
      phase: 'Unknown',
      reason: 'NodeLost',
    });
  });
});
