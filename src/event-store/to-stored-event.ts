import type { InferEntity } from '@mikro-orm/core';
import type { DomainEvent, StreamType } from '../domain/domain-event.js';
import type { EventRecord } from './event.entity.js';
import type { StoredEvent } from './stored-event.js';

export function toStoredEvent(row: InferEntity<typeof EventRecord>): StoredEvent {
  return {
    position: Number(row.position),
    stream_id: row.stream_id,
    stream_type: row.stream_type as StreamType,
    stream_version: row.stream_version,
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    schema_version: row.schema_version,
    created_at: row.created_at,
  } as StoredEvent<DomainEvent>;
}
