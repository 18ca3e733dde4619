import { Type, type TSchema } from 'typebox';
import type { JsonObject } from '../../domain/shared/decider.js';

export const Uuid = Type.String({ format: 'uuid', description: 'A UUID; the server makes UUIDv7 ids' });
export const Timestamp = Type.String({ format: 'date-time', description: 'ISO 8601, UTC' });
export const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);
export const metadataObject = (description: string) =>
  Type.Unsafe<JsonObject>(Type.Object({}, { additionalProperties: true, description }));
export const Metadata = metadataObject('Free-form JSON object');
/** Metadata a request sends: checked against the configured limits (metadata-limits.ts). */
export const metadataInput = (description: string) =>
  metadataObject(
    `${description}; at most METADATA_MAX_BYTES bytes as JSON (64 KB by default) and METADATA_MAX_DEPTH levels deep (16 by default)`,
  );

export const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });

/** A page size up to `max`, the value of the `setting` named; `fallback` when none is asked for. */
export const Limit = (max: number, fallback: number, setting: string) =>
  Type.Integer({
    minimum: 1,
    maximum: max,
    default: Math.min(fallback, max),
    description: `Page size, 1 to ${max} (${setting})`,
  });
export const Cursor = Type.String({
  minLength: 1,
  maxLength: 512,
  description: 'The next_cursor of the previous page',
});
export const DeleteQuery = Type.Object(
  {
    purge: Type.Optional(
      Type.Boolean({
        default: false,
        description:
          'Erase for good instead: its events and read rows are deleted and scrubbed from the database files, a ' +
          'content-free tombstone event takes their place; it cannot be restored',
      }),
    ),
  },
  { additionalProperties: false },
);

export const IncludeDeleted = Type.Boolean({ default: false, description: 'Also return soft-deleted resources' });

export const Page = <T extends TSchema>(item: T, name: string) =>
  Type.Object(
    {
      items: Type.Array(item),
      next_cursor: Type.Union([Type.String(), Type.Null()], { description: 'null on the last page' }),
    },
    { additionalProperties: false, title: name },
  );

export const Problem = Type.Object(
  {
    type: Type.String({ description: 'A URI reference naming the kind of problem' }),
    title: Type.String(),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.String(),
    request_id: Type.Optional(Type.String()),
    errors: Type.Optional(
      Type.Array(
        Type.Object(
          {
            path: Type.String({ description: 'JSON pointer, prefixed with body, query or params' }),
            message: Type.String(),
          },
          { additionalProperties: false },
        ),
      ),
    ),
    stack: Type.Optional(Type.String({ description: 'Only when DEBUG=true' })),
  },
  { title: 'Problem', description: 'RFC 9457 problem details' },
);
