// Bounded concurrency for file reads over many keystores: a data directory with 1,000 keys means 2,000 files, and
// opening them all at once can exceed the process's file-descriptor limit (often 1,024).

/** Files read at the same time (far below common descriptor limits, enough to keep the disk busy). */
export const READ_CONCURRENCY = 32;

/** `fn` over `items` with at most `limit` calls in flight; results in input order; the first rejection rejects. */
export async function mapLimit<T, R>(
  items: readonly T[],
  fn: (item: T, index: number) => Promise<R>,
  limit: number = READ_CONCURRENCY,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}
