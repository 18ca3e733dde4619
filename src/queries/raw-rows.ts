/**
 * A row read with plain SQL (runSql) shaped like the ORM would hand it over: JSON columns come back as text from
 * SQLite and parsed from PostgreSQL.
 */
export function withParsedMetadata<R extends { metadata: unknown }>(row: R): R {
  return typeof row.metadata === 'string' ? { ...row, metadata: JSON.parse(row.metadata) as unknown } : row;
}
