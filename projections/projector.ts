import type { StoredEvent } from '../src/event-store/stored-event.js';
import type { ReadModelTable, ReadModelWrites } from './read-model-writes.js';

/** Maps events to changes of the read model tables it owns, through the writes it is given (read-model-writes.ts). */
export type Projector = {
  name: string;
  /** The tables this projector owns; a rebuild empties them. */
  owns: readonly ReadModelTable[];
  project: (writes: ReadModelWrites, event: StoredEvent) => Promise<void>;
};
