/**
 * SQLite result codes (better-sqlite3 names them with their extended code, SQLITE_BUSY_SNAPSHOT and so on) for a
 * database that is there but cannot be written or read now: locked by another writer, read-only, gone, failing.
 */
const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|READONLY|CANTOPEN|IOERR|FULL|PROTOCOL|NOLFS)/;

/**
 * PostgreSQL SQLSTATEs: 08 connection exceptions, 57P01-57P03 admin/crash shutdown and "cannot connect now"
 * (starting up, recovering), 53300 too many connections, 25006 a read-only transaction (a standby).
 */
const POSTGRESQL_UNAVAILABLE = /^(08[0-9A-Z]{3}|57P0[123]|53300|25006)$/;

/** Node's socket errors on the way to a database server. */
const SOCKET_UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** pg's and knex's errors that carry no code: a connection that broke, a pool that found none. */
const UNAVAILABLE_MESSAGE =
  /Connection terminated|connection error and is not queryable|Client was closed and is not queryable|Timeout acquiring a connection/;

/**
 * Whether `error`, as the database driver or its pool threw it, says the database cannot be used right now, as
 * opposed to a fault of the request or of this code: retrying later may work. Wrapped errors (`cause`) are not
 * looked into: a failed fetch to llama.cpp carries ECONNREFUSED there too.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message, name } = error as { code?: unknown; message?: unknown; name?: unknown };
  if (typeof code === 'string') {
    if (SQLITE_UNAVAILABLE.test(code) || POSTGRESQL_UNAVAILABLE.test(code) || SOCKET_UNAVAILABLE.has(code)) return true;
  }
  return name === 'KnexTimeoutError' || (typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message));
}
