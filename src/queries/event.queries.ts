import type { EntityManager } from '@mikro-orm/knex';
import { readAll } from '../event-store/read-all.js';
import type { StoredEvent } from '../event-store/stored-event.js';

/** An event of the log as the API shows it (LoggedEvent): /api/events, a conversation's history, the live feed. */
export function toLoggedEvent(e: StoredEvent) {
  return {
    position: e.position,
    stream_id: e.stream_id,
    stream_type: e.stream_type,
    stream_version: e.stream_version,
    type: e.type,
    data: e.data,
    metadata: e.metadata,
    schema_version: e.schema_version,
    created_at: e.created_at,
  };
}

export async function listEvents(em: EntityManager, query: { after: number; limit: number }) {
  const events = await readAll(em, query.after, query.limit);
  return { items: events.map(toLoggedEvent), next_after: events.at(-1)?.position ?? query.after };
}
