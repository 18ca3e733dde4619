import { Type } from 'typebox';
import { EventTypesParam } from '../event-types-param.js';
import { Limit } from './common.schemas.js';

export const HistoryQuery = Type.Object(
  {
    after: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: Number.MAX_SAFE_INTEGER,
        default: 0,
        description: 'Log position to read after: the next_after of the previous page',
      }),
    ),
    limit: Type.Optional(Limit(1000, 100)),
    types: Type.Optional(EventTypesParam),
  },
  { additionalProperties: false },
);
