type Statement = unknown;
type SqliteConnection = { prepare: (sql: string) => Statement };

/** Distinct SQL texts kept prepared; statements with generated IN lists or multi-row VALUES vary. */
const MAX_STATEMENTS = 1000;

/**
 * Knex prepares every SQLite statement anew, each time it runs, which costs more than running it. This keeps the
 * prepared statements of a connection by their SQL text. Safe because better-sqlite3 runs a statement to its end
 * synchronously, so one prepared statement is never in use twice at once.
 */
export function cachePreparedStatements(connection: SqliteConnection): void {
  const prepare = connection.prepare.bind(connection);
  const cache = new Map<string, Statement>();
  connection.prepare = (sql: string) => {
    let statement = cache.get(sql);
    if (statement === undefined) {
      statement = prepare(sql);
      if (cache.size >= MAX_STATEMENTS) cache.delete(cache.keys().next().value!);
      cache.set(sql, statement);
    }
    return statement;
  };
}
