import type { EntityManager } from '@mikro-orm/knex';
import { rowBufferOf } from './row-buffer.js';
import { deleteRowsNow, insertRows, selectRow, updateRowNow, type Change, type Value } from './sql-writes.js';

export { append, increment } from './sql-writes.js';

/**
 * How projectors write. Read models are written with plain SQL: the projectors run inside every append, where
 * MikroORM's unit of work costs more than the statements. In a rebuild the rows go to a row buffer instead
 * (row-buffer.ts), which writes each row once per batch.
 */
export async function insertRow(em: EntityManager, table: string, row: Record<string, Value>): Promise<void> {
  const buffer = rowBufferOf(em);
  if (buffer) return buffer.insert(table, row);
  await insertRows(em, table, [row]);
}

/** Updates the row `id` of `table`; a missing row is an error, so the append that caused it is rolled back. */
export async function updateRow(
  em: EntityManager,
  table: string,
  id: string,
  changes: Record<string, Change>,
): Promise<void> {
  const buffer = rowBufferOf(em);
  if (buffer) return buffer.update(table, id, changes);
  await updateRowNow(em, table, id, changes);
}

/** Deletes the rows of `table` whose `column` holds `value` (a purge). */
export async function deleteRows(em: EntityManager, table: string, column: string, value: string): Promise<void> {
  const buffer = rowBufferOf(em);
  if (buffer) return buffer.delete(table, column, value);
  await deleteRowsNow(em, table, column, value);
}

/** One column of one row, JSON parsed when the database hands it back as text. */
export async function selectJson<T>(em: EntityManager, table: string, column: string, id: string): Promise<T> {
  const { [column]: value } = await selectColumns(em, table, id, [column]);
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

/** Some columns of one row, as the database hands them back. */
export async function selectColumns<T extends Record<string, unknown>>(
  em: EntityManager,
  table: string,
  id: string,
  columns: (keyof T & string)[],
): Promise<T> {
  const buffer = rowBufferOf(em);
  const row = buffer ? await buffer.row(table, id) : await selectRow(em, table, id, columns);
  return Object.fromEntries(columns.map((column) => [column, row[column]])) as T;
}
