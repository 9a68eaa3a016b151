/**
 * Runs `work` on every item with a few workers (connections, say), each taking the next item as
 * soon as it is free, so that one slow item does not hold up the rest. After a failure no new item
 * is started; once the items in flight have finished, the first error is thrown.
 *
 * @example
 * await inTurns(partitions, [client, sibling], (p, on) => dropPartition(on, p));
 */
export async function inTurns<T, W>(
  items: readonly T[],
  workers: readonly W[],
  work: (item: T, worker: W) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  await Promise.all(
    workers.map(async (worker) => {
      while (!failure && next < items.length) {
        const item = items[next++];
        try {
          await work(item, worker);
        } catch (error) {
          failure ??= { error };
        }
      }
    }),
  );
  if (failure) throw failure.error;
}
