import type { EntityManager } from '@mikro-orm/knex';
import { EVENT_COLUMNS, toStoredEvent, type EventRow } from './to-stored-event.js';
import type { StoredEvent } from './stored-event.js';
import { runSql } from '../db/run-sql.js';

/** The events of one stream with a version above `afterVersion`, in order. */
export async function readStream(em: EntityManager, streamId: string, afterVersion = 0): Promise<StoredEvent[]> {
  const rows = await runSql<EventRow>(
    em,
    `select ${EVENT_COLUMNS} from events where stream_id = ? and stream_version > ? order by stream_version`,
    [streamId, afterVersion],
  );
  return rows.map(toStoredEvent);
}
