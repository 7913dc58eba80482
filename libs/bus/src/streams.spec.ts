import { describe, expect, it } from 'vitest';
import { BusPrefix, EVENTS_STREAM, OPS_STREAM } from './streams';

describe(BusPrefix.name, () => {
  it('leaves subjects and streams as they are without a prefix', () => {
    const prefix = new BusPrefix(undefined);
    expect(prefix.subject('podsync.leader')).toBe('podsync.leader');
    expect(prefix.streams()).toEqual([EVENTS_STREAM, OPS_STREAM]);
  });

  it('prefixes subjects and stream names', () => {
    const prefix = new BusPrefix('t1a');
    expect(prefix.subject('podsync.ops.create')).toBe('t1a.podsync.ops.create');
    expect(prefix.unprefixed('t1a.podsync.ops.create')).toBe('podsync.ops.create');
    expect(prefix.streams().map(({ name, subjects }) => ({ name, subjects }))).toEqual([
      { name: 'T1A_PODSYNC_EVENTS', subjects: ['t1a.podsync.events.>'] },
      { name: 'T1A_PODSYNC_OPS', subjects: ['t1a.podsync.ops.>', 't1a.podsync.leader'] },
    ]);
  });

  it.each(['a.b', '', 'Blue', '-a', 'a'.repeat(33)])('refuses the prefix "%s"', (prefix) => {
    expect(() => new BusPrefix(prefix)).toThrow(/NATS prefix/);
  });

  it('keeps the events duplicate window at five minutes, above the outbox relay retries', () => {
    expect(EVENTS_STREAM.duplicateWindowMs).toBe(300_000);
  });
});
