import type { EntityManager } from '@mikro-orm/knex';
import { runSql } from '../src/db/run-sql.js';

const EXPRESSION = Symbol('sql expression');

/** A column set to an SQL expression over the row itself, like `message_count + 1`; never built from input. */
export type SqlExpression = { [EXPRESSION]: { sql: string; params: (string | number)[] } };
export const sqlExpression = (sql: string, ...params: (string | number)[]): SqlExpression => ({
  [EXPRESSION]: { sql, params },
});

type Value = string | number | boolean | null | SqlExpression | Record<string, unknown>;

// A symbol key: no JSON a person sent (metadata) can pass for an expression.
const isExpression = (value: Value): value is SqlExpression =>
  typeof value === 'object' && value !== null && EXPRESSION in value;

/** JSON columns take text; the database parses it (jsonb) or keeps it (SQLite). */
const bind = (value: Value) =>
  typeof value === 'object' && value !== null ? JSON.stringify(value) : (value as string | number | boolean | null);

/**
 * Read models are written with plain SQL: the projectors run inside every append, where MikroORM's unit of work
 * costs more than the statements. Column lists come from the call sites, so each statement's text is constant.
 */
export async function insertRow(em: EntityManager, table: string, row: Record<string, Value>): Promise<void> {
  const columns = Object.keys(row);
  await runSql(
    em,
    `insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`,
    columns.map((column) => bind(row[column]!)),
  );
}

/** Updates the row `id` of `table`; a missing row is an error, so the append that caused it is rolled back. */
export async function updateRow(
  em: EntityManager,
  table: string,
  id: string,
  changes: Record<string, Value>,
): Promise<void> {
  const assignments: string[] = [];
  const params: (string | number | boolean | null)[] = [];
  for (const [column, value] of Object.entries(changes)) {
    if (isExpression(value)) {
      assignments.push(`${column} = ${value[EXPRESSION].sql}`);
      params.push(...value[EXPRESSION].params);
    } else {
      assignments.push(`${column} = ?`);
      params.push(bind(value));
    }
  }
  const updated = await runSql(em, `update ${table} set ${assignments.join(', ')} where id = ? returning id`, [
    ...params,
    id,
  ]);
  if (updated.length === 0) throw new Error(`${table} has no row ${id} to update`);
}

/** One column of one row, JSON parsed when the database hands it back as text. */
export async function selectJson<T>(em: EntityManager, table: string, column: string, id: string): Promise<T> {
  const [row] = await runSql<Record<string, unknown>>(em, `select ${column} from ${table} where id = ?`, [id]);
  if (!row) throw new Error(`${table} has no row ${id}`);
  const value = row[column];
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}
