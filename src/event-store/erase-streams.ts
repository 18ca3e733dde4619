import type { EntityManager } from '@mikro-orm/knex';
import type { DomainEvent, StreamType } from '../domain/domain-event.js';
import { inTransaction } from '../db/in-transaction.js';
import { withScrubbedDeletes } from '../db/scrubbed-deletes.js';
import { runSql } from '../db/run-sql.js';
import { asConcurrencyError, currentVersion, type EventStore } from './append-to-stream.js';
import { insertEvents, type NewEventRow } from './insert-events.js';
import { ConcurrencyError } from './expected-version.js';
import type { EventMetadata, StoredEvent } from './stored-event.js';

/** A stream to erase, at the version its tombstone was decided on. */
export type Erasure = { streamId: string; streamType: StreamType; expected: number; tombstone: DomainEvent };

/**
 * The one exception to an append-only log, for privacy: deletes every event of each stream and appends its
 * content-free tombstone in their place, projected in the same transaction, so the read rows go with them and a
 * replay of what is left gives the same read models. All streams or none; nothing of them is left in the database
 * files (scrubbed-deletes.ts).
 */
export async function eraseStreams(
  store: EventStore,
  erasures: Erasure[],
  metadata: EventMetadata,
  /** What else goes with the streams, in the same transaction after their tombstones (a document's file bytes). */
  alongside?: (tx: EntityManager) => Promise<void>,
): Promise<StoredEvent[]> {
  const createdAt = store.now().toISOString();
  const stored = await withScrubbedDeletes(store.em, () =>
    inTransaction(store.em, async (tx) => {
      const tombstones: StoredEvent[] = [];
      for (const { streamId, streamType, expected, tombstone } of erasures) {
        const current = await currentVersion(tx, streamId);
        if (current !== expected) throw new ConcurrencyError(streamId, expected, current);
        await runSql(tx, 'delete from events where stream_id = ?', [streamId]);
        const row = {
          stream_id: streamId,
          stream_type: streamType,
          stream_version: current + 1,
          type: tombstone.type,
          data: tombstone.data,
          metadata,
          schema_version: 1,
          created_at: createdAt,
        };
        try {
          tombstones.push(...(await insertEvents(tx, [row as NewEventRow])));
        } catch (error) {
          // A writer that appended after the version check clashes on the tombstone's version: a conflict.
          throw asConcurrencyError(store, error, streamId, expected);
        }
      }
      await store.projectInline(tx, tombstones);
      await alongside?.(tx);
      return tombstones;
    }),
  );
  store.bus.emit('committed', stored);
  return stored;
}
