import type { EntityManager } from '@mikro-orm/knex';
import { runSql } from '../db/run-sql.js';
import type { StoredEvent } from './stored-event.js';

export type NewEventRow = Omit<StoredEvent, 'position'>;

/** One INSERT ... RETURNING for all `rows`; positions are assigned in row order, whatever order they come back in. */
export async function insertEvents(tx: EntityManager, rows: NewEventRow[]): Promise<StoredEvent[]> {
  const returned = await runSql<{ position: number | string }>(
    tx,
    'insert into events (stream_id, stream_type, stream_version, type, data, metadata, schema_version, created_at) ' +
      `values ${rows.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')} returning position`,
    rows.flatMap((row) => [
      row.stream_id,
      row.stream_type,
      row.stream_version,
      row.type,
      JSON.stringify(row.data),
      JSON.stringify(row.metadata),
      row.schema_version,
      row.created_at,
    ]),
  );
  const positions = returned.map((r) => Number(r.position)).sort((a, b) => a - b);
  return rows.map((row, i) => ({ ...row, position: positions[i]! }) as StoredEvent);
}
