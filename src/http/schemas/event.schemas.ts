import { Type } from 'typebox';
import { Limit, Timestamp } from './common.schemas.js';
import type { SchemaLimits } from './schema-limits.js';

/** Where a page of the log starts: after this position (the `next_after` of the previous page). */
export const AfterPosition = Type.Integer({
  minimum: 0,
  maximum: Number.MAX_SAFE_INTEGER,
  default: 0,
  description: 'Log position to read after: the next_after of the previous page',
});

/** A page of the log, within MAX_EVENTS_PAGE_SIZE. */
export const EventsPageSize = (limits: SchemaLimits) => Limit(limits.maxEventsPageSize, 100, 'MAX_EVENTS_PAGE_SIZE');

export const eventListQuery = (limits: SchemaLimits) =>
  Type.Object(
    { after: Type.Optional(AfterPosition), limit: Type.Optional(EventsPageSize(limits)) },
    { additionalProperties: false },
  );

export const LoggedEvent = Type.Object(
  {
    position: Type.Integer({ description: 'Global order of the log' }),
    stream_id: Type.String(),
    stream_type: Type.String(),
    stream_version: Type.Integer(),
    type: Type.String(),
    data: Type.Object({}, { additionalProperties: true }),
    metadata: Type.Object({}, { additionalProperties: true }),
    schema_version: Type.Integer(),
    created_at: Timestamp,
  },
  { additionalProperties: false, title: 'LoggedEvent' },
);

export const EventPage = Type.Object(
  { items: Type.Array(LoggedEvent), next_after: Type.Integer({ description: 'Pass as `after` to read on' }) },
  { additionalProperties: false, title: 'EventPage' },
);
