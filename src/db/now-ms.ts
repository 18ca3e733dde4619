import type { Dialect } from './dialect.js';

/**
 * The database's clock in Unix milliseconds, as SQL: instances on several machines compare heartbeats on one
 * clock, never on their own.
 */
export function nowMsSql(dialect: Dialect): string {
  return dialect === 'sqlite'
    ? "cast(round((julianday('now') - 2440587.5) * 86400000) as integer)"
    : '(extract(epoch from clock_timestamp()) * 1000)::bigint';
}
