import type { EntityName } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import type { StoredEvent } from '../src/event-store/stored-event.js';

/** Maps events to changes of the read model tables it owns, in plain SQL on the append's transaction (sql-rows.ts). */
export type Projector = {
  name: string;
  /** The tables this projector owns; a rebuild empties them. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- schemas of different row types
  owns: EntityName<any>[];
  project: (em: EntityManager, event: StoredEvent) => Promise<void>;
  /** Runs in a rebuild before the owned tables are emptied, for what emptying them does not reach (an index). */
  reset?: (em: EntityManager) => Promise<void>;
};
