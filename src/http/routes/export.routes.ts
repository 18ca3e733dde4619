import { setImmediate } from 'node:timers/promises';
import { allMessagesOf, liveConversationsOf } from '../../queries/export.queries.js';
import { findConversation } from '../../queries/conversation.queries.js';
import { findProject } from '../../queries/project.queries.js';
import { exportDocument, type ConversationWithMessages } from '../../portability/export-document.js';
import { ExportDocument } from '../../portability/export-format.js';
import { conversationMarkdown } from '../../portability/export-markdown.js';
import { asciiFileName, fileStem, uniqueFileNames } from '../../portability/file-names.js';
import { MAX_ZIP_ENTRIES, zipArchive } from '../../portability/zip.js';
import type { AppContext } from '../app-state.js';
import { answer } from '../command-context.js';
import { HttpProblem, notFoundProblem } from '../problem.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { IdParams } from '../schemas/common.schemas.js';
import { attachmentHeader, ExportQuery, MarkdownText, ZipArchive } from '../schemas/portability.schemas.js';
import { missing } from './responses.js';

const withMessages = async (ctx: AppContext, conversation: ConversationWithMessages['conversation']) => ({
  conversation,
  messages: await allMessagesOf(ctx.state.em, conversation.id),
});

/** Content-Disposition naming the file `name`, and `fallback` for clients that read only a plain ASCII name. */
const attachment = (ctx: AppContext, name: string, fallback: string) =>
  ctx.attachment(name, { fallback: asciiFileName(name, fallback) });

function download(ctx: AppContext, name: string, fallback: string, type: string, body: string | Buffer): void {
  attachment(ctx, name, fallback);
  ctx.status = 200;
  ctx.type = type;
  ctx.body = body;
}

/** One Markdown file per conversation, written as the zip takes it, not all before the first is deflated. */
function* markdownFiles(conversations: ConversationWithMessages[], names: string[], exportedAt: string) {
  for (const [i, conversation] of conversations.entries()) {
    yield {
      name: names[i]!,
      content: conversationMarkdown(conversation, exportedAt),
      modified: new Date(conversation.conversation.updated_at),
    };
  }
}

export const exportRoutes: RouteSpec[] = [
  defineRoute({
    method: 'get',
    path: '/api/conversations/:id/export',
    operationId: 'exportConversation',
    summary: 'Download a conversation: JSON with every branch, or Markdown of the branch shown',
    description:
      'JSON (format "gpt-oss-assistant-export", version 1) holds every message with its parent, the current leaf, ' +
      'reactions, token counts, models, timings (`metadata.timings`), statuses, metadata and times: ' +
      'POST /api/conversations/import takes it back. Markdown is the branch root -> current leaf, to read.',
    tags: ['Conversations'],
    params: IdParams,
    query: ExportQuery,
    responses: {
      200: {
        description: 'The conversation, as a file to save',
        schema: ExportDocument,
        otherContent: { 'text/markdown': MarkdownText },
        headers: attachmentHeader,
      },
      404: missing('conversation'),
    },
    async handle(ctx, { params, query }) {
      const found = await findConversation(ctx.state.em, params.id);
      if (!found) throw notFoundProblem(`Conversation ${params.id} not found`);
      const exportedAt = ctx.state.services.now().toISOString();
      const conversation = await withMessages(ctx, found.conversation);
      const stem = fileStem(found.conversation.title ?? null, `conversation-${params.id}`);
      if (query.format === 'markdown') {
        const markdown = conversationMarkdown(conversation, exportedAt);
        return download(ctx, `${stem}.md`, `conversation-${params.id}.md`, 'text/markdown; charset=utf-8', markdown);
      }
      attachment(ctx, `${stem}.json`, `conversation-${params.id}.json`);
      answer(ctx, 200, exportDocument(exportedAt, null, [conversation]));
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/projects/:id/export',
    operationId: 'exportProject',
    summary: 'Download every conversation of a project: one JSON file, or a zip of Markdown files',
    description:
      'The conversations that are not deleted. JSON is the same format as a conversation export, with the project; ' +
      'markdown is a zip with one file per conversation (its branch shown), named after its title, each name unique.',
    tags: ['Projects'],
    params: IdParams,
    query: ExportQuery,
    responses: {
      200: {
        description: "The project's conversations, as a file to save",
        schema: ExportDocument,
        otherContent: { 'application/zip': ZipArchive },
        headers: attachmentHeader,
      },
      404: missing('project'),
    },
    async handle(ctx, { params, query }) {
      const found = await findProject(ctx.state.em, params.id);
      if (!found) throw notFoundProblem(`Project ${params.id} not found`);
      const exportedAt = ctx.state.services.now().toISOString();
      const conversations: ConversationWithMessages[] = [];
      for (const conversation of await liveConversationsOf(ctx.state.em, params.id)) {
        conversations.push(await withMessages(ctx, conversation));
        // SQLite reads are synchronous: without a turn of the event loop between conversations, reading a large
        // project would hold every running token stream until the last one is read.
        await setImmediate();
      }
      const stem = fileStem(found.project.name, `project-${params.id}`);
      if (query.format !== 'markdown') {
        attachment(ctx, `${stem}.json`, `project-${params.id}.json`);
        return answer(ctx, 200, exportDocument(exportedAt, found.project, conversations));
      }
      if (conversations.length > MAX_ZIP_ENTRIES) {
        const message = `a zip holds at most ${MAX_ZIP_ENTRIES} conversations; export this project as json`;
        throw new HttpProblem(422, 'validation', `query/format: ${message}`, [{ path: 'query/format', message }]);
      }
      const names = uniqueFileNames(
        conversations.map(({ conversation }) =>
          fileStem(conversation.title ?? null, `conversation-${conversation.id}`),
        ),
        'md',
      );
      const zip = await zipArchive(markdownFiles(conversations, names, exportedAt));
      download(ctx, `${stem}.zip`, `project-${params.id}.zip`, 'application/zip', zip);
    },
  }),
];
