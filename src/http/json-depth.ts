/** Deeper than any request needs: bodies and queries are checked for it before any recursive walk meets them. */
export const MAX_JSON_DEPTH = 64;

/**
 * The JSON pointer of the first object or array nested deeper than `maxDepth` levels (the value itself, if it is
 * one, is level 1), or undefined. Iterative, so a body nested a million levels deep cannot exhaust the stack.
 */
export function tooDeepAt(value: unknown, maxDepth: number): string | undefined {
  const pending: { value: unknown; depth: number; at: string }[] = [{ value, depth: 1, at: '' }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (typeof next.value !== 'object' || next.value === null) continue;
    if (next.depth > maxDepth) return next.at;
    for (const [key, item] of Object.entries(next.value)) {
      pending.push({ value: item, depth: next.depth + 1, at: `${next.at}/${escapePointer(key)}` });
    }
  }
  return undefined;
}

export const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');
