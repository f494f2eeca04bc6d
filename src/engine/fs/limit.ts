/** Bounded concurrency for async file-system work, so no burst floods libuv's pool. */

/**
 * Runs `fn` over `items` with at most `limit` calls in flight; resolves to the results in
 * the items' order. `fn` should not throw for operational problems (it records them instead);
 * if it does, the first rejection is returned once every started call has settled.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T, i);
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return results;
}
