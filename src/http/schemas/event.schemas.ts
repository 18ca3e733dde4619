import { Type } from 'typebox';
import { Timestamp } from './common.schemas.js';

export const EventListQuery = Type.Object(
  {
    after: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: Number.MAX_SAFE_INTEGER,
        default: 0,
        description: 'Log position to read after',
      }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  },
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
