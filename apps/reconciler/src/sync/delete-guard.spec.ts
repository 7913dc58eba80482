import { describe, expect, it } from 'vitest';
import { DELETE_GUARD_FLOOR, deleteGuardHolds } from './delete-guard';

describe(deleteGuardHolds.name, () => {
  const base = { running: 100, share: 0.5, force: false };

  it('holds a round that deletes more than the share of running pods and more than the floor', () => {
    expect(deleteGuardHolds({ ...base, deletes: 51 })).toBe(true);
    expect(deleteGuardHolds({ ...base, deletes: 50 })).toBe(false);
  });

  it('lets a small fleet lose up to the floor at once', () => {
    expect(deleteGuardHolds({ ...base, running: 12, deletes: DELETE_GUARD_FLOOR })).toBe(false);
    expect(deleteGuardHolds({ ...base, running: 12, deletes: DELETE_GUARD_FLOOR + 1 })).toBe(true);
  });

  it('is lifted by force and turned off by a share of 1', () => {
    expect(deleteGuardHolds({ ...base, deletes: 100, force: true })).toBe(false);
    expect(deleteGuardHolds({ ...base, deletes: 100, share: 1 })).toBe(false);
  });

  it('holds every round above the floor with a share of 0', () => {
    expect(deleteGuardHolds({ ...base, deletes: DELETE_GUARD_FLOOR + 1, share: 0 })).toBe(true);
  });
});
