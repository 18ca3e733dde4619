import { Type } from 'typebox';
import { EventTypesParam } from '../event-types-param.js';
import { AfterPosition, EventsPageSize } from './event.schemas.js';
import type { SchemaLimits } from './schema-limits.js';

/** Paged like the event log, within MAX_EVENTS_PAGE_SIZE. */
export const historyQuery = (limits: SchemaLimits) =>
  Type.Object(
    {
      after: Type.Optional(AfterPosition),
      limit: Type.Optional(EventsPageSize(limits)),
      types: Type.Optional(EventTypesParam),
    },
    { additionalProperties: false },
  );
