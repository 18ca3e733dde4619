import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { importFile } from '../../commands/import-file.js';
import type { ImportConversation } from '../../domain/conversation/conversation.commands.js';
import { ChatGptExport } from '../../portability/chatgpt-format.js';
import { EXPORT_FORMAT, ExportDocument } from '../../portability/export-format.js';
import { importsFromChatGpt } from '../../portability/import-chatgpt.js';
import type { ImportContext } from '../../portability/import-context.js';
import { ImportError } from '../../portability/import-error.js';
import { importsFromExport } from '../../portability/import-export-document.js';
import { conversationsById } from '../../queries/export.queries.js';
import { answer, commandOptions, eventStore } from '../command-context.js';
import { HttpProblem } from '../problem.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { ImportBody, ImportBodyCheck, ImportQuery, ImportResult } from '../schemas/portability.schemas.js';
import { validator } from '../validate.js';
import { ok } from './responses.js';

/** Its body limit is MAX_IMPORT_BYTES instead of MAX_BODY_BYTES (app.ts). */
export const IMPORT_PATH = '/api/conversations/import';

/**
 * The body as `schema` describes it. The route checked it for depth and unstorable text already: a valid file (the
 * usual case, and a large one) costs one compiled check; only an invalid one pays for the full error report.
 */
function checker<T extends TSchema>(schema: T): (body: unknown) => Static<T> {
  // Compiled on the first import, not at start: most servers never see one, and these schemas are large.
  let check: ((body: unknown) => Static<T>) | undefined;
  return (body) => {
    if (!check) {
      const compiled = Compile(schema);
      const report = validator(schema, 'body');
      check = (input) => (compiled.Check(input) ? input : report(input)) as Static<T>;
    }
    return check(body);
  };
}

const checkExport = checker(ExportDocument);
const checkChatGpt = checker(ChatGptExport);

const invalid = (path: string, message: string) =>
  new HttpProblem(422, 'validation', `${path}: ${message}`, [{ path, message }]);

/** The file's conversations as commands: which format it is decides the schema it is checked against. */
function importsOf(body: unknown, context: ImportContext): ImportConversation[] {
  try {
    if (Array.isArray(body)) return importsFromChatGpt(checkChatGpt(body), context);
    if ((body as { format?: unknown }).format !== EXPORT_FORMAT) {
      throw invalid(
        'body/format',
        `must be "${EXPORT_FORMAT}" (an export of this API); ChatGPT's conversations.json is an array`,
      );
    }
    return importsFromExport(checkExport(body), context);
  } catch (error) {
    if (error instanceof ImportError) throw invalid(`body${error.pointer}`, error.message);
    throw error;
  }
}

export const importRoutes: RouteSpec[] = [
  defineRoute({
    method: 'post',
    path: IMPORT_PATH,
    operationId: 'importConversations',
    summary: "Import conversations: an export of this API, or ChatGPT's conversations.json",
    description:
      'Every conversation of the file is created under new ids, or none is. An export of this API comes back as it ' +
      'was: branches, current leaf, reactions, token counts, models, timings, statuses, metadata and times (an ' +
      'answer exported while it streamed comes back failed, interrupted). From ChatGPT, the visible user and ' +
      'assistant text is kept with its branches, models and times; system, tool, hidden and empty messages are ' +
      'left out, and what replied to them replies to their nearest kept ancestor. Imported text is not held to ' +
      'MAX_MESSAGE_LENGTH (that limits questions asked here); the whole body is held to MAX_IMPORT_BYTES.',
    tags: ['Conversations'],
    query: ImportQuery,
    body: ImportBody,
    bodyCheck: ImportBodyCheck,
    responses: {
      201: ok(ImportResult, 'The conversations created, one per conversation of the file'),
      413: { description: 'The body is larger than MAX_IMPORT_BYTES' },
      422: {
        description:
          'Not a known format, or malformed: `errors` points into the file (body/0/mapping/<node>/parent); or ' +
          'project_id names no project. Nothing is imported.',
      },
    },
    async handle(ctx, { query, body }) {
      const { newId, now, config } = ctx.state.services;
      const { commands } = await importFile(
        eventStore(ctx),
        {
          project_id: query.project_id ?? null,
          commandsFor: (target) =>
            importsOf(body, {
              newId,
              now: now().toISOString(),
              ...target,
              metadataMaxBytes: config.metadataMaxBytes,
              metadataMaxDepth: config.metadataMaxDepth,
              maxTitleLength: config.maxTitleLength,
            }),
        },
        commandOptions(ctx),
      );
      const ids = commands.map((command) => command.data.conversation_id);
      answer(ctx, 201, { conversations: await conversationsById(ctx.state.em, ids) });
    },
  }),
];
