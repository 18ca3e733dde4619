import type { EntityManager } from '@mikro-orm/knex';
import { runSql } from '../db/run-sql.js';
import { EVENT_COLUMNS, toStoredEvent, type EventRow } from '../event-store/to-stored-event.js';
import { toLoggedEvent } from './event.queries.js';

/**
 * A page of a conversation's own events after log position `after`, in order: null when there is no such
 * conversation, or when it was purged (its tombstone is all that is left). Soft-deleted ones have their history.
 */
export async function conversationHistory(
  em: EntityManager,
  id: string,
  query: { after: number; limit: number; types?: ReadonlySet<string> },
) {
  const [last] = await runSql<{ stream_type: string; type: string }>(
    em,
    'select stream_type, type from events where stream_id = ? order by stream_version desc limit 1',
    [id],
  );
  if (!last || last.stream_type !== 'conversation' || last.type === 'ConversationPurged') return null;
  const types = query.types ? [...query.types] : [];
  const ofTypes = types.length > 0 ? ` and type in (${types.map(() => '?').join(', ')})` : '';
  const rows = await runSql<EventRow>(
    em,
    `select ${EVENT_COLUMNS} from events where stream_id = ? and position > ?${ofTypes} order by stream_version limit ?`,
    [id, query.after, ...types, query.limit],
  );
  const events = rows.map(toStoredEvent);
  return { items: events.map(toLoggedEvent), next_after: events.at(-1)?.position ?? query.after };
}
