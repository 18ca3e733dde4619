import type { EntityManager } from '@mikro-orm/knex';
import { runSql } from '../src/db/run-sql.js';

const OPERATION = Symbol('column operation');

/**
 * A change of a column computed from its current value. Both the database (one statement) and a rebuild's row
 * buffer (in memory) can apply it, which a change written as SQL text could not offer.
 */
export type ColumnOperation = { [OPERATION]: { kind: 'add'; by: number } | { kind: 'append'; text: string } };
export const increment = (by = 1): ColumnOperation => ({ [OPERATION]: { kind: 'add', by } });
export const append = (text: string): ColumnOperation => ({ [OPERATION]: { kind: 'append', text } });

export type Value = string | number | boolean | null | Record<string, unknown>;
export type Change = Value | ColumnOperation;

// A symbol key: no JSON a person sent (metadata) can pass for an operation.
const isOperation = (value: Change): value is ColumnOperation =>
  typeof value === 'object' && value !== null && OPERATION in value;

/** JSON columns take text; the database parses it (jsonb) or keeps it (SQLite). */
const bind = (value: Value) =>
  typeof value === 'object' && value !== null ? JSON.stringify(value) : (value as string | number | boolean | null);

/** What `change` makes of a column's current value, as the database would make it. */
export function applied(current: unknown, change: Change): Value {
  if (!isOperation(change)) return change;
  const operation = change[OPERATION];
  switch (operation.kind) {
    case 'add':
      return current === null ? null : Number(current) + operation.by;
    case 'append':
      return current === null ? null : `${current as string}${operation.text}`;
  }
}

/** Rows of one table with the same columns, in one statement. Column lists come from code, never from input. */
export async function insertRows(em: EntityManager, table: string, rows: Record<string, Value>[]): Promise<void> {
  const columns = Object.keys(rows[0]!);
  const values = `(${columns.map(() => '?').join(', ')})`;
  await runSql(
    em,
    `insert into ${table} (${columns.join(', ')}) values ${rows.map(() => values).join(', ')}`,
    rows.flatMap((row) => columns.map((column) => bind(row[column]!))),
  );
}

/** Updates the row `id` of `table`; a missing row is an error, so the append that caused it is rolled back. */
export async function updateRowNow(
  em: EntityManager,
  table: string,
  id: string,
  changes: Record<string, Change>,
): Promise<void> {
  const assignments: string[] = [];
  const params: (string | number | boolean | null)[] = [];
  for (const [column, change] of Object.entries(changes)) {
    if (isOperation(change)) {
      const operation = change[OPERATION];
      assignments.push(`${column} = ${column} ${operation.kind === 'add' ? '+' : '||'} ?`);
      params.push(operation.kind === 'add' ? operation.by : operation.text);
    } else {
      assignments.push(`${column} = ?`);
      params.push(bind(change));
    }
  }
  const updated = await runSql(em, `update ${table} set ${assignments.join(', ')} where id = ? returning id`, [
    ...params,
    id,
  ]);
  if (updated.length === 0) throw new Error(`${table} has no row ${id} to update`);
}

/** Deletes the rows of `table` whose `column` holds `value`; none is fine. */
export async function deleteRowsNow(em: EntityManager, table: string, column: string, value: string): Promise<void> {
  await runSql(em, `delete from ${table} where ${column} = ?`, [value]);
}

/** The row `id` of `table` as the database holds it (some columns, or all); a missing row is an error. */
export async function selectRow(
  em: EntityManager,
  table: string,
  id: string,
  columns: string[] = ['*'],
): Promise<Record<string, unknown>> {
  const [row] = await runSql<Record<string, unknown>>(em, `select ${columns.join(', ')} from ${table} where id = ?`, [
    id,
  ]);
  if (!row) throw new Error(`${table} has no row ${id}`);
  return row;
}
