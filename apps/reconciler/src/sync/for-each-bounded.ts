/**
 * Calls `work` for each item, in order, with at most `concurrency` calls in flight. Hands out no
 * further item once `signal` aborts or a call throws; waits for the calls in flight, then
 * rethrows the first error.
 */
export async function forEachBounded<T>(
  items: Iterable<T>,
  concurrency: number,
  signal: AbortSignal,
  work: (item: T) => Promise<void>,
): Promise<void> {
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new RangeError(`concurrency must be a whole number from 1, not ${concurrency}`);
  }
  // One iterator shared by the workers: each next() hands an item to exactly one of them.
  const queue = items[Symbol.iterator]();
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && !signal.aborted) {
      const step = queue.next();
      if (step.done === true) return;
      try {
        await work(step.value);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (failure !== undefined) throw failure.error;
}
