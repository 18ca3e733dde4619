import type { DomainEvent, StreamType } from '../domain/domain-event.js';
import type { StoredEvent } from './stored-event.js';

/** The columns of `events` every read selects, in a reader's SQL. */
export const EVENT_COLUMNS =
  'position, stream_id, stream_type, stream_version, type, data, metadata, schema_version, created_at';

export type EventRow = {
  position: number | string;
  stream_id: string;
  stream_type: string;
  stream_version: number | string;
  type: string;
  /** JSON text on SQLite, parsed already on PostgreSQL (jsonb). */
  data: unknown;
  metadata: unknown;
  schema_version: number | string;
  created_at: string;
};

const json = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value);

/** A row of `events` as the domain reads it. Readers use plain SQL: the log is read far too often for an ORM. */
export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    position: Number(row.position),
    stream_id: row.stream_id,
    stream_type: row.stream_type as StreamType,
    stream_version: Number(row.stream_version),
    type: row.type,
    data: json(row.data),
    metadata: json(row.metadata),
    schema_version: Number(row.schema_version),
    created_at: row.created_at,
  } as StoredEvent<DomainEvent>;
}
