import { projectInlineWith } from '../../projections/project-inline.js';
import { projectors } from '../../projections/projectors.js';
import type { EventStoreOn } from '../event-store/append-to-stream.js';
import type { EventBus } from '../event-store/event-bus.js';

/**
 * The event store with the projectors of every read model: built once at start, and handed to HTTP, the
 * background jobs and the CLIs, which then append on whichever entity manager they hold.
 */
export function createEventStores(bus: EventBus, now: () => Date): EventStoreOn {
  const projectInline = projectInlineWith(projectors);
  return (em) => ({ em, projectInline, bus, now });
}
