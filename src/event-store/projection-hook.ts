import type { EntityManager } from '@mikro-orm/knex';
import type { StoredEvent } from './stored-event.js';

/**
 * What the store runs inside the append transaction, after the events are inserted and
 * before commit. The store does not know which projectors stand behind it.
 */
export type ProjectInline = (em: EntityManager, events: StoredEvent[]) => Promise<void>;
