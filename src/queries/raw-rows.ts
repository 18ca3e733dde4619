/** The JSON columns of the read models. */
const jsonColumns = ['metadata', 'settings'] as const;

/**
 * A row read with plain SQL (runSql) shaped like the ORM would hand it over: JSON columns come back as text from
 * SQLite and parsed from PostgreSQL.
 */
export function withParsedJson<R extends { metadata: unknown }>(row: R): R {
  const parsed: Record<string, unknown> = { ...row };
  for (const column of jsonColumns) {
    const value = parsed[column];
    if (typeof value === 'string') parsed[column] = JSON.parse(value) as unknown;
  }
  return parsed as R;
}
