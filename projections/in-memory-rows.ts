import type { EntityManager } from '@mikro-orm/knex';
import type { StoredEvent } from '../src/event-store/stored-event.js';
import type { Projector } from './projector.js';
import { withWritesTo, type RowBuffer } from './row-buffer.js';
import { applied } from './sql-writes.js';

type Row = Record<string, unknown>;

/** Read model rows held in memory: by table, then by id. */
export type MemoryRows = {
  row: (table: string, id: string) => Row | undefined;
  rows: (table: string) => Row[];
};

/**
 * What the projectors of `list` make of `events` on empty read models, kept in memory: the projectors themselves
 * run, their writes going to a buffer that never reads nor writes the database. Time travel folds a stream up to
 * a point this way, with no second copy of what the projectors do.
 */
export async function projectInMemory(
  em: EntityManager,
  list: readonly Projector[],
  events: readonly StoredEvent[],
): Promise<MemoryRows> {
  const tables = new Map<string, Map<string, Row>>();
  const tableOf = (table: string) => {
    let rows = tables.get(table);
    if (!rows) tables.set(table, (rows = new Map()));
    return rows;
  };
  // A missing row is the same error the database would give: the events are not what the projectors expect.
  const existing = (table: string, id: string) => {
    const row = tables.get(table)?.get(id);
    if (!row) throw new Error(`${table} has no row ${id}`);
    return row;
  };
  const buffer: RowBuffer = {
    insert(table, row) {
      const id = String(row.id);
      if (tableOf(table).has(id)) throw new Error(`${table} already has a row ${id}`);
      tableOf(table).set(id, { ...row });
    },
    update(table, id, changes) {
      const row = existing(table, id);
      for (const column in changes) row[column] = applied(row[column], changes[column]!);
    },
    row: existing,
    async delete(table, column, value) {
      const rows = tables.get(table);
      for (const [id, row] of rows ?? []) if (row[column] === value) rows!.delete(id);
    },
  };
  // A fork of its own: nothing else may find this buffer on the entity manager it was given.
  const own = em.fork();
  await withWritesTo(own, buffer, async () => {
    for (const event of events) for (const projector of list) await projector.project(own, event);
  });
  return {
    row: (table, id) => tables.get(table)?.get(id),
    rows: (table) => [...(tables.get(table)?.values() ?? [])],
  };
}
