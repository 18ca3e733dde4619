import type { Database, Statement } from 'better-sqlite3';

export type SqliteBinding = string | number | bigint | boolean | null | Date | Buffer;

/** Distinct SQL texts kept prepared per connection; statements with generated IN lists or multi-row VALUES vary. */
const MAX_STATEMENTS = 1000;

const prepared = new WeakMap<Database, Map<string, Statement>>();

/**
 * Runs one statement on a better-sqlite3 connection, prepared once per SQL text: preparing costs more than running
 * a small statement, and knex prepares anew every time. Safe because better-sqlite3 runs a statement to its end
 * synchronously, so one prepared statement is never in use twice at once.
 */
export function runOnSqlite<T>(connection: Database, text: string, params: readonly SqliteBinding[]): T[] {
  const statement = preparedOn(connection, text);
  const values = params.map(toSqliteValue);
  // A statement with RETURNING is a reader too.
  if (statement.reader) return statement.all(values) as T[];
  statement.run(values);
  return [];
}

function preparedOn(connection: Database, text: string): Statement {
  let cache = prepared.get(connection);
  if (!cache) prepared.set(connection, (cache = new Map()));
  let statement = cache.get(text);
  if (statement === undefined) {
    statement = connection.prepare(text);
    if (cache.size >= MAX_STATEMENTS) cache.delete(cache.keys().next().value!);
    cache.set(text, statement);
  }
  return statement;
}

// What knex does for better-sqlite3, which binds neither booleans nor dates.
const toSqliteValue = (value: SqliteBinding) =>
  typeof value === 'boolean' ? Number(value) : value instanceof Date ? value.valueOf() : value;
