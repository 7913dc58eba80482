import { describe, expect, it } from 'vitest';
import { subjectMatches } from './subject-matches';

describe(subjectMatches.name, () => {
  it.each([
    ['podsync.ops.create', 'podsync.ops.create', true],
    ['podsync.ops.create', 'podsync.ops.delete', false],
    ['podsync.ops.*', 'podsync.ops.create', true],
    ['podsync.ops.*', 'podsync.ops', false],
    ['podsync.ops.*', 'podsync.ops.create.extra', false],
    ['podsync.*.create', 'podsync.ops.create', true],
    ['podsync.events.>', 'podsync.events.client.created', true],
    ['podsync.events.>', 'podsync.events', false],
    ['podsync.>', 'podsync.leader', true],
    ['>', 'podsync.leader', true],
    ['podsync.leader', 'podsync.leader.x', false],
    ['podsync.leader.x', 'podsync.leader', false],
  ])('%s against %s is %s', (pattern, subject, expected) => {
    expect(subjectMatches(pattern, subject)).toBe(expected);
  });
});
