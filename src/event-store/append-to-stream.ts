import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import type { DomainEvent, StreamType } from '../domain/domain-event.js';
import type { EventBus } from './event-bus.js';
import { ConcurrencyError, type ExpectedVersion } from './expected-version.js';
import type { ProjectInline } from './projection-hook.js';
import type { EventMetadata, StoredEvent } from './stored-event.js';
import { inTransaction } from '../db/in-transaction.js';
import { insertEvents, type NewEventRow } from './insert-events.js';
import { runSql } from '../db/run-sql.js';

export type EventStore = {
  em: EntityManager;
  projectInline: ProjectInline;
  bus: EventBus;
  now: () => Date;
};

/** The app's event store, on the entity manager its caller reads and appends with. */
export type EventStoreOn = (em: EntityManager) => EventStore;

export type AppendRequest = {
  streamId: string;
  streamType: StreamType;
  expected: ExpectedVersion;
  events: DomainEvent[];
  metadata: EventMetadata;
  /** Rows the events refer to (an uploaded file's bytes), written in the same transaction before them. */
  alongside?: (tx: EntityManager) => Promise<void>;
};

/**
 * Appends atomically and projects in the same transaction, so an event is never stored
 * without its read models nor the reverse. Publishes on the bus only after commit.
 * Concurrent writers are caught by UNIQUE(stream_id, stream_version), never by a read alone.
 */
export async function appendToStream(store: EventStore, request: AppendRequest): Promise<StoredEvent[]> {
  const { streamId, expected, events } = request;
  if (events.length === 0) return [];
  const createdAt = store.now().toISOString();
  let stored: StoredEvent[];
  try {
    // The transaction is the append's own, never the request's entity manager's.
    stored = await inTransaction(store.em, async (tx) => {
      await request.alongside?.(tx);
      const appended = await insertEvents(tx, await rowsToAppend(tx, request, createdAt));
      await store.projectInline(tx, appended);
      return appended;
    });
  } catch (error) {
    throw asConcurrencyError(store, error, streamId, expected);
  }
  store.bus.emit('committed', stored);
  return stored;
}

/**
 * The rows of a request's events, numbered on from the stream's version; a version other than the one the request
 * expects is a ConcurrencyError.
 */
export async function rowsToAppend(
  tx: EntityManager,
  request: AppendRequest,
  createdAt: string,
): Promise<NewEventRow[]> {
  const { streamId, streamType, expected, events, metadata } = request;
  const current = expected === 'no_stream' ? 0 : await currentVersion(tx, streamId);
  if (typeof expected === 'number' && current !== expected) {
    throw new ConcurrencyError(streamId, expected, current);
  }
  return events.map(
    (event, i) =>
      ({
        stream_id: streamId,
        stream_type: streamType,
        stream_version: current + i + 1,
        type: event.type,
        data: event.data,
        metadata,
        schema_version: 1,
        created_at: createdAt,
      }) as NewEventRow,
  );
}

export async function currentVersion(em: EntityManager, streamId: string): Promise<number> {
  const [row] = await runSql<{ version: number | string | null }>(
    em,
    'select max(stream_version) as version from events where stream_id = ?',
    [streamId],
  );
  return Number(row?.version ?? 0);
}

/** A clash on UNIQUE(stream_id, stream_version) as the ConcurrencyError it is; any other error as it is. */
export function asConcurrencyError(
  store: EventStore,
  error: unknown,
  streamId: string,
  expected: ExpectedVersion,
): unknown {
  // Raw query builder errors reach us unconverted; the driver names them the same way on both databases.
  const converted = error instanceof Error ? store.em.getDriver().convertException(error) : error;
  if (converted instanceof UniqueConstraintViolationException && isStreamVersionClash(converted)) {
    return new ConcurrencyError(streamId, expected, undefined);
  }
  return error;
}

function isStreamVersionClash(error: UniqueConstraintViolationException): boolean {
  return /stream_version|events_stream_id/i.test(error.message);
}
