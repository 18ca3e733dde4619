import type { EntityManager } from '@mikro-orm/knex';
import { deleteRows, insertRows, selectRow, updateRow } from './read-model-sql.js';
import type { ReadModelWrites } from './read-model-writes.js';

/**
 * The projectors' writes as statements on the append's transaction `tx` (inTransaction's, on either database), each
 * run as it is asked for: the read models commit or roll back with the events.
 */
export function transactionWrites(tx: EntityManager): ReadModelWrites {
  return {
    insert: (table, row) => insertRows(tx, table, [row]),
    update: (table, id, changes) => updateRow(tx, table, id, changes),
    delete: (table, column, value) => deleteRows(tx, table, column, value),
    row: async (table, id, columns) => (await selectRow(tx, table, id, columns)) as never,
  };
}
