import { Type } from 'typebox';
import { EventTypesParam } from '../event-types-param.js';
import { Limit } from './common.schemas.js';
import type { SchemaLimits } from './schema-limits.js';

/** Paged like the event log, within MAX_EVENTS_PAGE_SIZE. */
export const historyQuery = (limits: SchemaLimits) =>
  Type.Object(
    {
      after: Type.Optional(
        Type.Integer({
          minimum: 0,
          maximum: Number.MAX_SAFE_INTEGER,
          default: 0,
          description: 'Log position to read after: the next_after of the previous page',
        }),
      ),
      limit: Type.Optional(Limit(limits.maxEventsPageSize, 100, 'MAX_EVENTS_PAGE_SIZE')),
      types: Type.Optional(EventTypesParam),
    },
    { additionalProperties: false },
  );
