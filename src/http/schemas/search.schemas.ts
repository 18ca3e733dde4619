import { Type } from 'typebox';
import { Cursor, Limit, nullable, Timestamp, Uuid } from './common.schemas.js';
import type { SchemaLimits } from './schema-limits.js';

/** Hits are paged like projects and conversations, by MAX_PAGE_SIZE. */
export const searchListQuery = (limits: SchemaLimits) =>
  Type.Object(
    {
      q: Type.String({
        minLength: 1,
        maxLength: 500,
        description:
          'Words to find, all of them, in any order, case-insensitive (accents count). "a phrase" finds those words ' +
          'in a row, word* words starting so, -word excludes, a OR b either. Any other character is text; a ' +
          'search that cannot be run (an unclosed quote, OR without a term on a side, only excluded words) is a 422 ' +
          'naming the problem',
      }),
      project_id: Type.Optional(Type.String({ ...Uuid, description: 'Only conversations of this project' })),
      conversation_id: Type.Optional(Type.String({ ...Uuid, description: 'Only this conversation' })),
      limit: Type.Optional(Limit(limits.maxPageSize, 20, 'MAX_PAGE_SIZE')),
      cursor: Type.Optional(Cursor),
    },
    { additionalProperties: false },
  );

export const SearchHit = Type.Object(
  {
    conversation_id: Uuid,
    conversation_title: nullable(Type.String()),
    project_id: nullable(Uuid),
    message_id: nullable(Type.String({ ...Uuid, description: 'The message that matched; null when it is the title' })),
    role: nullable(Type.Union([Type.Literal('user'), Type.Literal('assistant')], { description: 'null for a title' })),
    snippet: Type.String({
      description:
        'The text around the matches, HTML-escaped, each matching word in <mark>...</mark> (the only markup in ' +
        'it); … where the text was cut. Safe to insert as HTML',
    }),
    on_current_branch: nullable(
      Type.Boolean({
        description:
          "Whether the message is on the conversation's current branch (root -> current_leaf_id); null for a title",
      }),
    ),
    created_at: Type.String({ ...Timestamp, description: "The message's creation, or the conversation's for a title" }),
  },
  { additionalProperties: false, title: 'SearchHit' },
);
