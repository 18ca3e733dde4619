import type { EntityManager } from '@mikro-orm/knex';
import { EVENT_COLUMNS, toStoredEvent, type EventRow } from './to-stored-event.js';
import type { StoredEvent } from './stored-event.js';
import { runSql } from '../db/run-sql.js';

/** Up to `limit` events of the whole log after `afterPosition` (and up to `upTo`, when given), in log order. */
export async function readAll(
  em: EntityManager,
  afterPosition: number,
  limit: number,
  upTo = Number.MAX_SAFE_INTEGER,
): Promise<StoredEvent[]> {
  const rows = await runSql<EventRow>(
    em,
    `select ${EVENT_COLUMNS} from events where position > ? and position <= ? order by position limit ?`,
    [afterPosition, upTo, limit],
  );
  return rows.map(toStoredEvent);
}
