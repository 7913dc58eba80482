import { describe, expect, it } from 'vitest';
import { describePod, podHealth } from './pod-health';

const pod = {
  name: 'vwap-7',
  algorithm: 'VWAP',
  phase: 'Running',
  ready: true,
  restarts: 0,
  reason: null,
  since: '2026-12-01T00:00:00.000Z',
};

describe('podHealth', () => {
  it('is healthy only when running and ready', () => {
    expect(podHealth(pod)).toBe('healthy');
    expect(podHealth({ ...pod, ready: false })).toBe('starting');
    expect(podHealth({ ...pod, phase: 'Pending', ready: false, reason: 'ContainerCreating' })).toBe('starting');
  });

  it('is failing when the pod failed or Kubernetes gives a reason that is not a start-up step', () => {
    expect(podHealth({ ...pod, phase: 'Failed', ready: false })).toBe('failing');
    expect(podHealth({ ...pod, ready: false, reason: 'CrashLoopBackOff' })).toBe('failing');
    expect(podHealth({ ...pod, phase: 'Pending', ready: false, reason: 'ImagePullBackOff' })).toBe('failing');
  });

  it('is unknown for phases that say nothing about health', () => {
    expect(podHealth({ ...pod, phase: 'Unknown', ready: false })).toBe('unknown');
    expect(podHealth({ ...pod, phase: 'Succeeded', ready: false })).toBe('unknown');
  });
});

describe('describePod', () => {
  it('says the phase or reason, readiness and restarts', () => {
    expect(describePod(pod)).toBe('Running, ready');
    expect(describePod({ ...pod, ready: false, reason: 'CrashLoopBackOff', restarts: 4 })).toBe(
      'CrashLoopBackOff, not ready, 4 restarts',
    );
  });
});
