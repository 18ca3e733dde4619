/** Bound parameters per statement for a list (`in (?, ?, ...)`), well under SQLite's 32,766 and pg's 65,535. */
export const LIST_BATCH = 500;

export const placeholders = (count: number, each = '?'): string => Array<string>(count).fill(each).join(', ');

/** Runs `work` on slices of `items` of at most `size`, in order, and joins what they return. */
export async function inBatches<T, R>(
  items: readonly T[],
  size: number,
  work: (batch: readonly T[]) => Promise<R[]>,
): Promise<R[]> {
  const all: R[] = [];
  for (let start = 0; start < items.length; start += size) all.push(...(await work(items.slice(start, start + size))));
  return all;
}
