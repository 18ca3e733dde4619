import type { EntityManager } from '@mikro-orm/knex';
import { EventRecord } from './event.entity.js';
import { toStoredEvent } from './to-stored-event.js';
import type { StoredEvent } from './stored-event.js';

/** Up to `limit` events of the whole log after `afterPosition`, in log order. */
export async function readAll(em: EntityManager, afterPosition: number, limit: number): Promise<StoredEvent[]> {
  const rows = await em.find(
    EventRecord,
    { position: { $gt: afterPosition } },
    { orderBy: { position: 'asc' }, limit, disableIdentityMap: true },
  );
  return rows.map(toStoredEvent);
}
