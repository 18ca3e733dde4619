import { Type } from 'typebox';
import { EventTypesParam } from '../event-types-param.js';
import { Uuid } from './common.schemas.js';

export const EventStreamQuery = Type.Object(
  {
    project_id: Type.Optional(
      Type.String({
        ...Uuid,
        description:
          "Only the project's own events and those of conversations while they are in it (a move in or out included)",
      }),
    ),
    conversation_id: Type.Optional(Type.String({ ...Uuid, description: "Only this conversation's events" })),
    types: Type.Optional(EventTypesParam),
    after: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: Number.MAX_SAFE_INTEGER,
        description:
          'Log position to start after: the events after it are sent first, then the stream goes on live. ' +
          'A Last-Event-ID header wins over it; with neither the stream starts at the end of the log',
      }),
    ),
  },
  { additionalProperties: false },
);
