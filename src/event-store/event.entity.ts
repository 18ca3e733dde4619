import { defineEntity } from '@mikro-orm/core';
import type { JsonObject } from '../domain/shared/decider.js';
import type { EventMetadata } from './stored-event.js';

/** The log: the only table the write side appends to. */
export const EventRecord = defineEntity({
  name: 'EventRecord',
  tableName: 'events',
  properties: (p) => ({
    position: p.bigint('number').primary().autoincrement(),
    stream_id: p.string().length(64),
    stream_type: p.string().length(32),
    stream_version: p.integer(),
    type: p.string().length(64),
    data: p.json<JsonObject>(),
    metadata: p.json<EventMetadata>(),
    schema_version: p.integer().default(1),
    created_at: p.string().length(32),
  }),
  uniques: [{ properties: ['stream_id', 'stream_version'] }],
});
