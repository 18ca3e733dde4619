import { Type } from 'typebox';
import { ChatGptExport } from '../../portability/chatgpt-format.js';
import { EXPORT_FORMAT, ExportDocument } from '../../portability/export-format.js';
import type { SchemaLimits } from './schema-limits.js';
import { nullable, Uuid } from './common.schemas.js';
import { Conversation } from './conversation.schemas.js';

export const ExportQuery = Type.Object(
  {
    format: Type.Optional(
      Type.Union([Type.Literal('json'), Type.Literal('markdown')], {
        default: 'json',
        description: 'json: every message of every branch, for an import; markdown: the branch shown, to read',
      }),
    ),
  },
  { additionalProperties: false },
);

export const MarkdownText = Type.String({ description: 'The branch shown, root to current leaf, as Markdown' });
export const ZipArchive = Type.String({
  contentMediaType: 'application/zip',
  description: 'A zip with one Markdown file per conversation, named after its title, each name unique',
});

export const attachmentHeader = {
  'Content-Disposition': {
    description:
      'attachment, with a file name made from the title: filename when it is plain ASCII, otherwise filename* ' +
      'and an ASCII filename',
    schema: Type.String(),
  },
};

export const ImportQuery = Type.Object(
  {
    project_id: Type.Optional(
      Type.String({ ...Uuid, description: 'The project to import into (it must exist); none when left out' }),
    ),
  },
  { additionalProperties: false },
);

export const ImportBody = Type.Union([ExportDocument, ChatGptExport], {
  description:
    `An export of this API (an object, format "${EXPORT_FORMAT}") or ChatGPT's conversations.json (an array). ` +
    'Up to MAX_IMPORT_BYTES (64 MB by default).',
});

/** Checked before the handler, which then checks the format it finds against its own schema (import.routes.ts). */
export const ImportBodyCheck = Type.Union([
  Type.Object({}, { additionalProperties: true }),
  Type.Array(Type.Unknown()),
]);

export const ImportResult = Type.Object(
  { conversations: Type.Array(Conversation, { description: 'One per conversation of the file, in its order' }) },
  { additionalProperties: false, title: 'ImportResult' },
);

/** Within the configured title length. */
export const forkBody = (limits: SchemaLimits) =>
  Type.Object(
    {
      message_id: Type.String({ ...Uuid, description: 'The last message to copy: the fork holds root -> this one' }),
      title: Type.Optional(
        nullable(
          Type.String({
            minLength: 1,
            maxLength: limits.maxTitleLength,
            description: `The new conversation's title, 1 to ${limits.maxTitleLength} characters (MAX_TITLE_LENGTH); the original's when left out`,
          }),
        ),
      ),
      project_id: Type.Optional(
        nullable(
          Type.String({ ...Uuid, description: "Where it goes; the original's project when left out, null: none" }),
        ),
      ),
    },
    { additionalProperties: false },
  );
