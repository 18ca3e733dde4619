import type { EntityManager } from '@mikro-orm/knex';
import { applied, deleteRowsNow, insertRows, selectRow, updateRowNow, type Change, type Value } from './sql-writes.js';

/** The rows a batch of a rebuild touched, in memory until the batch ends. */
export type RowBuffer = {
  insert: (table: string, row: Record<string, Value>) => void;
  update: (table: string, id: string, changes: Record<string, Change>) => void | Promise<void>;
  /** The row as it stands now, read from the database the first time. */
  row: (table: string, id: string) => Record<string, unknown> | Promise<Record<string, unknown>>;
  /** Drops the rows of `table` whose `column` holds `value`, buffered or written. */
  delete: (table: string, column: string, value: string) => Promise<void>;
};

type Entry = { table: string; id: string; row: Record<string, unknown>; inserted: boolean; changed: Set<string> };

const buffers = new WeakMap<EntityManager, RowBuffer>();

export const rowBufferOf = (em: EntityManager): RowBuffer | undefined => buffers.get(em);

/** Rows inserted per statement; a constant count keeps the statement's text, and so its preparation, the same. */
const ROWS_PER_INSERT = 50;

/**
 * Runs `work` (projectors) with their writes to `em` going to a row buffer, then writes every row it touched once,
 * in its final state: new rows in multi-row INSERTs, older ones with one UPDATE of the columns that changed. In a
 * rebuild, a conversation's row changes with every event of the conversation, and an answer's with each of its
 * events: the batch pays for each row once instead of once per event.
 */
export async function withRowBuffer<T>(em: EntityManager, work: () => Promise<T>): Promise<T> {
  const tables = new Map<string, Map<string, Entry>>();
  const entriesOf = (table: string) => {
    let entries = tables.get(table);
    if (!entries) tables.set(table, (entries = new Map()));
    return entries;
  };
  const load = async (table: string, id: string, missing: string): Promise<Entry> => {
    const row = await selectRow(em, table, id).catch(() => {
      throw new Error(missing);
    });
    const loaded = { table, id, row, inserted: false, changed: new Set<string>() };
    entriesOf(table).set(id, loaded);
    return loaded;
  };
  const change = (found: Entry, changes: Record<string, Change>) => {
    for (const column in changes) {
      found.row[column] = applied(found.row[column], changes[column]!);
      found.changed.add(column);
    }
  };
  // Synchronous while the row is in the buffer, as it mostly is: a rebuild makes millions of these calls.
  const buffer: RowBuffer = {
    insert(table, row) {
      const id = String(row.id);
      const entries = entriesOf(table);
      if (entries.has(id)) throw new Error(`${table} already has a row ${id}`);
      // The buffer takes the row over: projectors build a new object for each insert.
      entries.set(id, { table, id, row, inserted: true, changed: new Set() });
    },
    update(table, id, changes) {
      const found = tables.get(table)?.get(id);
      if (found) return change(found, changes);
      return load(table, id, `${table} has no row ${id} to update`).then((loaded) => change(loaded, changes));
    },
    row(table, id) {
      const found = tables.get(table)?.get(id);
      return found ? found.row : load(table, id, `${table} has no row ${id}`).then((loaded) => loaded.row);
    },
    async delete(table, column, value) {
      const entries = tables.get(table);
      for (const [id, entry] of entries ?? []) if (entry.row[column] === value) entries!.delete(id);
      await deleteRowsNow(em, table, column, value);
    },
  };
  const result = await withWritesTo(em, buffer, work);
  await writeRows(
    em,
    [...tables.values()].flatMap((entries) => [...entries.values()]),
  );
  return result;
}

/** Runs `work` (projectors) with their writes to `em` going to `buffer` instead of the database. */
export async function withWritesTo<T>(em: EntityManager, buffer: RowBuffer, work: () => Promise<T>): Promise<T> {
  buffers.set(em, buffer);
  try {
    return await work();
  } finally {
    buffers.delete(em);
  }
}

async function writeRows(em: EntityManager, entries: Entry[]): Promise<void> {
  // New rows grouped by table and columns; read models have no foreign keys, so tables go in any order.
  const groups = new Map<string, { table: string; rows: Record<string, Value>[] }>();
  for (const { table, row, inserted } of entries) {
    if (!inserted) continue;
    const shape = `${table}(${Object.keys(row).join(',')})`;
    let group = groups.get(shape);
    if (!group) groups.set(shape, (group = { table, rows: [] }));
    group.rows.push(row as Record<string, Value>);
  }
  for (const { table, rows } of groups.values()) {
    let start = 0;
    for (; start + ROWS_PER_INSERT <= rows.length; start += ROWS_PER_INSERT) {
      await insertRows(em, table, rows.slice(start, start + ROWS_PER_INSERT));
    }
    for (const row of rows.slice(start)) await insertRows(em, table, [row]);
  }
  for (const { table, id, row, inserted, changed } of entries) {
    if (inserted || changed.size === 0) continue;
    await updateRowNow(em, table, id, Object.fromEntries([...changed].map((column) => [column, row[column] as Value])));
  }
}
