import type { DomainEvent, StreamType } from '../domain/domain-event.js';

export type EventMetadata = {
  request_id?: string;
  correlation_id?: string;
  causation_id?: string;
  [key: string]: unknown;
};

/** A domain event as the log holds it. */
export type StoredEvent<E extends DomainEvent = DomainEvent> = E & {
  position: number;
  stream_id: string;
  stream_type: StreamType;
  stream_version: number;
  metadata: EventMetadata;
  schema_version: number;
  created_at: string;
};
