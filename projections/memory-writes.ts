import type { StoredEvent } from '../src/event-store/stored-event.js';
import type { Projector } from './projector.js';
import { applied, type ReadModelTable, type ReadModelWrites, type RowOf } from './read-model-writes.js';

/** Read model rows held in memory: by table, then by id. */
export type MemoryRows = {
  row: <T extends ReadModelTable>(table: T, id: string) => RowOf<T> | undefined;
  rows: <T extends ReadModelTable>(table: T) => RowOf<T>[];
};

/** Writes that build read models in memory, from empty tables, and never touch a database. */
export function memoryWrites(): { writes: ReadModelWrites; rows: MemoryRows } {
  const tables = new Map<ReadModelTable, Map<string, Record<string, unknown>>>();
  const tableOf = (table: ReadModelTable) => {
    let rows = tables.get(table);
    if (!rows) tables.set(table, (rows = new Map()));
    return rows;
  };
  // A missing row is the same error the database would give: the events are not what the projectors expect.
  const existing = (table: ReadModelTable, id: string) => {
    const row = tables.get(table)?.get(id);
    if (!row) throw new Error(`${table} has no row ${id}`);
    return row;
  };
  const writes: ReadModelWrites = {
    insert(table, row) {
      const id = String(row.id);
      if (tableOf(table).has(id)) throw new Error(`${table} already has a row ${id}`);
      tableOf(table).set(id, { ...row });
    },
    update(table, id, changes) {
      const row = existing(table, id);
      for (const column in changes) row[column] = applied(row[column], changes[column as keyof typeof changes]);
    },
    row: (table, id) => existing(table, id) as never,
    delete(table, column, value) {
      const rows = tables.get(table);
      for (const [id, row] of rows ?? []) if (row[column] === value) rows!.delete(id);
    },
  };
  const rows: MemoryRows = {
    row: (table, id) => tables.get(table)?.get(id) as never,
    rows: (table) => [...(tables.get(table)?.values() ?? [])] as never,
  };
  return { writes, rows };
}

/**
 * What the projectors of `list` make of `events` on empty read models, kept in memory: the projectors themselves
 * run, on memoryWrites. Time travel folds a stream up to a point this way, with no second copy of what the
 * projectors do.
 */
export async function projectInMemory(list: readonly Projector[], events: readonly StoredEvent[]): Promise<MemoryRows> {
  const { writes, rows } = memoryWrites();
  for (const event of events) for (const projector of list) await projector.project(writes, event);
  return rows;
}
