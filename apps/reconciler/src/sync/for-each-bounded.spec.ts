import { describe, expect, it } from 'vitest';
import { forEachBounded } from './for-each-bounded';

/** A promise the test settles by hand. */
function gate(): { promise: Promise<void>; open(): void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

describe(forEachBounded.name, () => {
  it('starts items in order with no more than `concurrency` in flight', async () => {
    const gates = Array.from({ length: 5 }, gate);
    const started: number[] = [];
    let inFlight = 0;
    let mostInFlight = 0;
    const done = forEachBounded([0, 1, 2, 3, 4], 2, new AbortController().signal, async (item) => {
      started.push(item);
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      await gates[item]?.promise;
      inFlight--;
    });

    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    for (const item of [1, 0, 2, 3, 4]) gates[item]?.open();
    await done;
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(mostInFlight).toBe(2);
  });

  it('hands out nothing more once the signal aborts, and finishes the items in flight', async () => {
    const controller = new AbortController();
    const hold = gate();
    const finished: number[] = [];
    const done = forEachBounded([0, 1, 2, 3], 2, controller.signal, async (item) => {
      await hold.promise;
      finished.push(item);
    });

    controller.abort();
    hold.open();
    await done;
    expect(finished.sort()).toEqual([0, 1]);
  });

  it('rethrows the first error after the items in flight have finished', async () => {
    const hold = gate();
    const finished: number[] = [];
    const done = forEachBounded([0, 1, 2, 3], 2, new AbortController().signal, async (item) => {
      if (item === 0) throw new Error('first');
      await hold.promise;
      finished.push(item);
    });
    const outcome = done.then(
      () => 'resolved',
      (error: Error) => error.message,
    );

    hold.open();
    expect(await outcome).toBe('first');
    expect(finished).toEqual([1]);
  });
});
