/** Opaque page cursors: base64url of the sort key of the last item returned. */
export function encodeCursor(key: (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export class InvalidCursorError extends Error {}

export function decodeCursor<T extends (string | number)[]>(cursor: string, shape: ('string' | 'number')[]): T {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('cursor is not one this API returned');
  }
  const badString = (v: unknown) => typeof v === 'string' && (v.includes('\u0000') || /[\ud800-\udfff]/.test(v));
  if (!Array.isArray(key) || key.length !== shape.length || key.some((v, i) => typeof v !== shape[i] || badString(v))) {
    throw new InvalidCursorError('cursor is not one this API returned');
  }
  return key as T;
}

export type Page<T> = { items: T[]; next_cursor: string | null };

/** Pages are fetched with one extra row, which tells whether another page follows. */
export function toPage<R, T>(
  rows: R[],
  limit: number,
  map: (row: R) => T,
  key: (row: R) => (string | number)[],
): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items: items.map(map), next_cursor: rows.length > limit && last ? encodeCursor(key(last)) : null };
}
