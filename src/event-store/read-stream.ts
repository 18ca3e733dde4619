import type { EntityManager } from '@mikro-orm/knex';
import { EventRecord } from './event.entity.js';
import { toStoredEvent } from './to-stored-event.js';
import type { StoredEvent } from './stored-event.js';

/** The events of one stream with a version above `afterVersion`, in order. */
export async function readStream(em: EntityManager, streamId: string, afterVersion = 0): Promise<StoredEvent[]> {
  const rows = await em.find(
    EventRecord,
    { stream_id: streamId, stream_version: { $gt: afterVersion } },
    { orderBy: { stream_version: 'asc' }, disableIdentityMap: true },
  );
  return rows.map(toStoredEvent);
}
