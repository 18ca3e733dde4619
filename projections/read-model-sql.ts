import type { EntityManager } from '@mikro-orm/knex';
import { dialectOf } from '../src/db/dialect.js';
import { runSql } from '../src/db/run-sql.js';
import { isOperation, operationOf, type ReadModelTable, type Value } from './read-model-writes.js';

/**
 * The statements behind the database implementations of ReadModelWrites, in plain SQL on the caller's transaction:
 * they run inside every append, where MikroORM's unit of work costs more than the statements. Table and column
 * names come from code (the projectors' typed calls), never from input.
 */

/** The columns the database may hand back as JSON text (SQLite), to parse on reading. */
const jsonColumns: Record<ReadModelTable, readonly string[]> = {
  projects: ['metadata', 'settings'],
  conversations: ['metadata', 'settings'],
  messages: ['metadata'],
  search_documents: [],
  usage_messages: [],
  documents: [],
  document_texts: ['pages', 'sections'],
  knowledge_chunks: ['pages', 'heading'],
};

/** JSON columns take text; the database parses it (jsonb) or keeps it (SQLite). */
const bind = (value: Value) =>
  typeof value === 'object' && value !== null ? JSON.stringify(value) : (value as string | number | boolean | null);

/** Rows of one table with the same columns, in one statement. */
export async function insertRows(em: EntityManager, table: ReadModelTable, rows: readonly object[]): Promise<void> {
  const columns = Object.keys(rows[0]!);
  const values = `(${columns.map(() => '?').join(', ')})`;
  await runSql(
    em,
    `insert into ${table} (${columns.join(', ')}) values ${rows.map(() => values).join(', ')}`,
    rows.flatMap((row) => columns.map((column) => bind((row as Record<string, Value>)[column]!))),
  );
}

/** Updates the row `id`; a missing row is an error, so the append that caused it is rolled back. */
export async function updateRow(
  em: EntityManager,
  table: ReadModelTable,
  id: string,
  changes: Record<string, unknown>,
): Promise<void> {
  const assignments: string[] = [];
  const params: (string | number | boolean | null)[] = [];
  for (const [column, change] of Object.entries(changes)) {
    if (isOperation(change)) {
      const operation = operationOf(change);
      assignments.push(
        operation.kind === 'add' ? `${column} = ${column} + ?` : `${column} = coalesce(${column}, '') || ?`,
      );
      params.push(operation.kind === 'add' ? operation.by : operation.text);
    } else {
      assignments.push(`${column} = ?`);
      params.push(bind(change as Value));
    }
  }
  const updated = await runSql(em, `update ${table} set ${assignments.join(', ')} where id = ? returning id`, [
    ...params,
    id,
  ]);
  if (updated.length === 0) throw new Error(`${table} has no row ${id} to update`);
}

/**
 * The SQLite FTS5 indexes over a table's text (migrations sqlite-0008-search, sqlite-0012-knowledge): they take
 * inserts and updates from triggers, but what leaves the table is taken out of them here, before the rows go: an
 * external-content index forgets a row given the text it indexed. PostgreSQL's indexes are part of their tables.
 */
const ftsIndexes: Partial<Record<ReadModelTable, { index: string; column: string }>> = {
  search_documents: { index: 'search_fts', column: 'body' },
  knowledge_chunks: { index: 'knowledge_fts', column: 'text' },
};

/** Deletes the rows whose `column` holds `value`; none is fine. */
export async function deleteRows(em: EntityManager, table: ReadModelTable, column: string, value: string) {
  const fts = ftsIndexes[table];
  if (fts && dialectOf(em) === 'sqlite') {
    await runSql(
      em,
      `insert into ${fts.index} (${fts.index}, rowid, ${fts.column})
       select 'delete', seq, ${fts.column} from ${table} where ${column} = ?`,
      [value],
    );
  }
  await runSql(em, `delete from ${table} where ${column} = ?`, [value]);
}

/** Empties a table for a rebuild; its SQLite full-text index is emptied at once with it. */
export async function emptyTable(em: EntityManager, table: ReadModelTable): Promise<void> {
  const fts = ftsIndexes[table];
  if (fts && dialectOf(em) === 'sqlite') {
    await runSql(em, `insert into ${fts.index} (${fts.index}) values ('delete-all')`);
  }
  await runSql(em, `delete from ${table}`);
}

/** The row `id` (some columns, or all) with its JSON columns parsed; a missing row is an error. */
export async function selectRow(
  em: EntityManager,
  table: ReadModelTable,
  id: string,
  columns: readonly string[] = ['*'],
): Promise<Record<string, unknown>> {
  const [row] = await runSql<Record<string, unknown>>(em, `select ${columns.join(', ')} from ${table} where id = ?`, [
    id,
  ]);
  if (!row) throw new Error(`${table} has no row ${id}`);
  for (const column of jsonColumns[table]) {
    if (typeof row[column] === 'string') row[column] = JSON.parse(row[column]);
  }
  return row;
}
