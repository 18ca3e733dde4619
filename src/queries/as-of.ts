import type { EntityManager } from '@mikro-orm/knex';
import { readStream } from '../event-store/read-stream.js';
import type { StoredEvent } from '../event-store/stored-event.js';

/** A moment of the log: a position in it, or a time (ISO 8601 in UTC, as events' created_at are written). */
export type AsOf = { position: number } | { time: string };

/**
 * The events of a stream as it stood at `asOf`: its first events up to that position, or the first ones stored at
 * or before that time. A stream's events are taken in order and the first one past the moment ends them, so a clock
 * set back between two appends cannot leave a hole in the stream.
 */
export async function streamAsOf(em: EntityManager, streamId: string, asOf: AsOf): Promise<StoredEvent[]> {
  const events = await readStream(em, streamId);
  const within =
    'position' in asOf
      ? (event: StoredEvent) => event.position <= asOf.position
      : (event: StoredEvent) => event.created_at <= asOf.time;
  const past = events.findIndex((event) => !within(event));
  return past === -1 ? events : events.slice(0, past);
}
