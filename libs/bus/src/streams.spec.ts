import { describe, expect, it } from 'vitest';
import { BusNamespace, EVENTS_STREAM, OPS_STREAM } from './streams';

describe(BusNamespace.name, () => {
  it('leaves subjects and streams as they are without a namespace', () => {
    const namespace = new BusNamespace(undefined);
    expect(namespace.subject('podsync.leader')).toBe('podsync.leader');
    expect(namespace.streams()).toEqual([EVENTS_STREAM, OPS_STREAM]);
  });

  it('prefixes subjects and suffixes stream names', () => {
    const namespace = new BusNamespace('t1a');
    expect(namespace.subject('podsync.ops.create')).toBe('t1a.podsync.ops.create');
    expect(namespace.unprefixed('t1a.podsync.ops.create')).toBe('podsync.ops.create');
    expect(namespace.streams().map(({ name, subjects }) => ({ name, subjects }))).toEqual([
      { name: 'PODSYNC_EVENTS_T1A', subjects: ['t1a.podsync.events.>'] },
      { name: 'PODSYNC_OPS_T1A', subjects: ['t1a.podsync.ops.>', 't1a.podsync.leader'] },
    ]);
  });

  it('refuses a namespace that is not one subject token', () => {
    expect(() => new BusNamespace('a.b')).toThrow(/namespace/);
    expect(() => new BusNamespace('')).toThrow(/namespace/);
  });

  it('keeps the events duplicate window at five minutes, above the outbox relay retries', () => {
    expect(EVENTS_STREAM.duplicateWindowMs).toBe(300_000);
  });
});
