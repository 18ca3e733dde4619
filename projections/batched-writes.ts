import type { EntityManager } from '@mikro-orm/knex';
import { deleteRows, insertRows, selectRow, updateRow } from './read-model-sql.js';
import { applied, type ReadModelTable, type ReadModelWrites } from './read-model-writes.js';

/** The projectors' writes of a batch, held until `flush` writes every row they touched once. */
export type BatchedWrites = { writes: ReadModelWrites; flush: () => Promise<void> };

type Entry = {
  table: ReadModelTable;
  id: string;
  row: Record<string, unknown>;
  inserted: boolean;
  changed: Set<string>;
};

/** Rows inserted per statement; a constant count keeps the statement's text, and so its preparation, the same. */
const ROWS_PER_INSERT = 50;

/**
 * Writes for a replay (a rebuild, an import) on the transaction `tx`: rows stay in memory until `flush`, which
 * writes each in its final state: new rows in multi-row INSERTs, older ones with one UPDATE of the columns that
 * changed. In a rebuild a conversation's row changes with every event of the conversation, and an answer's with each
 * of its events: the batch pays for each row once instead of once per event. A row not in the batch is read from
 * `tx` the first time it is asked for.
 */
export function batchedWrites(tx: EntityManager): BatchedWrites {
  const tables = new Map<ReadModelTable, Map<string, Entry>>();
  const entriesOf = (table: ReadModelTable) => {
    let entries = tables.get(table);
    if (!entries) tables.set(table, (entries = new Map()));
    return entries;
  };
  const load = async (table: ReadModelTable, id: string, missing: string): Promise<Entry> => {
    const row = await selectRow(tx, table, id).catch(() => {
      throw new Error(missing);
    });
    const loaded = { table, id, row, inserted: false, changed: new Set<string>() };
    entriesOf(table).set(id, loaded);
    return loaded;
  };
  const change = (found: Entry, changes: Record<string, unknown>) => {
    for (const column in changes) {
      found.row[column] = applied(found.row[column], changes[column]);
      found.changed.add(column);
    }
  };
  // Synchronous while the row is in the batch, as it mostly is: a rebuild makes millions of these calls.
  const writes: ReadModelWrites = {
    insert(table, row) {
      const id = String(row.id);
      const entries = entriesOf(table);
      if (entries.has(id)) throw new Error(`${table} already has a row ${id}`);
      // The batch takes the row over: projectors build a new object for each insert.
      entries.set(id, { table, id, row: row as Record<string, unknown>, inserted: true, changed: new Set() });
    },
    update(table, id, changes) {
      const found = tables.get(table)?.get(id);
      if (found) return change(found, changes);
      return load(table, id, `${table} has no row ${id} to update`).then((loaded) => change(loaded, changes));
    },
    row(table, id) {
      const found = tables.get(table)?.get(id);
      const row = found ? found.row : load(table, id, `${table} has no row ${id}`).then((loaded) => loaded.row);
      return row as never;
    },
    async delete(table, column, value) {
      const entries = tables.get(table);
      for (const [id, entry] of entries ?? []) if (entry.row[column] === value) entries!.delete(id);
      await deleteRows(tx, table, column, value);
    },
  };
  return {
    writes,
    flush: () =>
      writeEntries(
        tx,
        [...tables.values()].flatMap((entries) => [...entries.values()]),
      ),
  };
}

async function writeEntries(tx: EntityManager, entries: Entry[]): Promise<void> {
  // New rows grouped by table and columns; read models have no foreign keys, so tables go in any order.
  const groups = new Map<string, { table: ReadModelTable; rows: object[] }>();
  for (const { table, row, inserted } of entries) {
    if (!inserted) continue;
    const shape = `${table}(${Object.keys(row).join(',')})`;
    let group = groups.get(shape);
    if (!group) groups.set(shape, (group = { table, rows: [] }));
    group.rows.push(row);
  }
  for (const { table, rows } of groups.values()) {
    let start = 0;
    for (; start + ROWS_PER_INSERT <= rows.length; start += ROWS_PER_INSERT) {
      await insertRows(tx, table, rows.slice(start, start + ROWS_PER_INSERT));
    }
    for (const row of rows.slice(start)) await insertRows(tx, table, [row]);
  }
  for (const { table, id, row, inserted, changed } of entries) {
    if (inserted || changed.size === 0) continue;
    await updateRow(tx, table, id, Object.fromEntries([...changed].map((column) => [column, row[column]])));
  }
}
