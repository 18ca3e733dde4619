import type { EntityManager } from '@mikro-orm/knex';
import type { StoredEvent } from './stored-event.js';

/**
 * How the projectors write: `now`, statement by statement, as an append does; `batched`, each row once when all the
 * events are projected, for thousands of events at once (a rebuild, an import).
 */
export type ProjectionWriting = 'now' | 'batched';

/**
 * What the store runs inside the append transaction `tx`, after the events are inserted and
 * before commit. The store does not know which projectors stand behind it.
 */
export type ProjectInline = (tx: EntityManager, events: StoredEvent[], writing?: ProjectionWriting) => Promise<void>;
