import {
  createConversation,
  runConversationCommand,
  updateConversation,
  type ConversationRequest,
} from '../../commands/conversation-command.js';
import { purgeConversation } from '../../commands/purge.js';
import { conversationAsOf } from '../../queries/conversation-as-of.js';
import { activityAmong, conversationActivity } from '../../queries/conversation-activity.js';
import { findConversation, listConversations } from '../../queries/conversation.queries.js';
import { listMessages, listPath } from '../../queries/message.queries.js';
import { messagePageAsOf, pathPageAsOf } from '../../queries/message-pages-as-of.js';
import { parseAsOf } from '../as-of-param.js';
import type { AppContext } from '../app-state.js';
import { answer, commandOptions, eventStore } from '../command-context.js';
import { HttpProblem, notFoundProblem } from '../problem.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { softDeleteRoutes } from './soft-delete.routes.js';
import { IdParams, Page } from '../schemas/common.schemas.js';
import {
  Conversation,
  ConversationDetail,
  ConversationGetQuery,
  conversationInputSchemas,
} from '../schemas/conversation.schemas.js';
import { Message, messageListQuery } from '../schemas/message.schemas.js';
import type { SchemaLimits } from '../schemas/schema-limits.js';
import { created, etagHeader, missing, modified, ok, preconditionFailed } from './responses.js';

const tags = ['Conversations'];

/** A conversation command as this request asks it: its entity manager, If-Match and ids. */
export const runRequestCommand = (ctx: AppContext, command: ConversationRequest) =>
  runConversationCommand(eventStore(ctx), command, commandOptions(ctx));

async function load(ctx: AppContext, id: string, includeDeleted = false) {
  const found = await findConversation(ctx.state.em, id, includeDeleted);
  if (!found) throw notFoundProblem(`Conversation ${id} not found`);
  return found;
}

/** The conversation as it was at `asOf` (see conversationAsOf), hidden then as `load` hides it now. */
async function loadAsOf(ctx: AppContext, id: string, asOf: string, includeDeleted = false) {
  const found = await conversationAsOf(ctx.state.em, id, parseAsOf(asOf));
  if (!found || (found.hidden && !includeDeleted)) throw notFoundProblem(`Conversation ${id} not found as of ${asOf}`);
  return found;
}

export function conversationRoutes(limits: SchemaLimits): RouteSpec[] {
  const { ConversationCreateBody, ConversationPatchBody, ConversationListQuery } = conversationInputSchemas(limits);
  const create = (path: string, operationId: string, summary: string) =>
    defineRoute({
      method: 'post',
      path,
      operationId,
      summary,
      tags,
      body: ConversationCreateBody,
      responses: {
        201: created(Conversation, 'Conversation created'),
        200: ok(Conversation, 'A retry with the same id and body: the existing conversation'),
        409: { description: 'The id exists with a different body' },
      },
      async handle(ctx, { body }) {
        const id = body.id ?? ctx.state.services.newId();
        const { project_id = null, title = null, metadata = {}, settings = {} } = body;
        const id_chosen_by = body.id === undefined ? 'server' : 'client';
        const result = await createConversation(
          eventStore(ctx),
          { conversation_id: id, project_id, title, metadata, settings, id_chosen_by },
          commandOptions(ctx),
        );
        const { conversation, version } = await load(ctx, id, true);
        ctx.set('Location', `/api/conversations/${id}`);
        answer(ctx, result.appended.length > 0 ? 201 : 200, conversation, version);
      },
    });

  return [
    create('/api/conversations', 'createConversation', 'Create a conversation, in a project or none'),
    create('/api/conversations/create', 'createConversationLegacy', 'Create a conversation (path of the original UI)'),
    defineRoute({
      method: 'get',
      path: '/api/conversations',
      operationId: 'listConversations',
      summary: 'List conversations, most recent activity first',
      tags,
      query: ConversationListQuery,
      responses: { 200: ok(Page(Conversation, 'ConversationPage'), 'A page of conversations') },
      async handle(ctx, { query }) {
        const page = await listConversations(ctx.state.em, {
          ...query,
          limit: query.limit ?? 50,
          include_deleted: query.include_deleted ?? false,
        });
        answer(ctx, 200, page);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/conversations/:id',
      operationId: 'getConversation',
      summary: 'Get a conversation, now or as it was at a log position or time (as_of)',
      description:
        '`as_of` answers with the conversation as this endpoint showed it then, folded from the log by the same ' +
        'projectors that build the read models: 404 when it did not exist yet (or was deleted then, without ' +
        '`include_deleted`, or is purged now), the current state for a moment past the end of the log.',
      tags,
      params: IdParams,
      query: ConversationGetQuery,
      responses: {
        200: {
          ...ok(ConversationDetail, 'The conversation, with the answer it is generating and its context use'),
          headers: etagHeader,
        },
        404: missing('conversation'),
      },
      async handle(ctx, { params, query }) {
        if (query.as_of !== undefined) {
          const past = await loadAsOf(ctx, params.id, query.as_of, query.include_deleted);
          const activity = await activityAmong(past.messages, past.conversation.current_leaf_id ?? null);
          return answer(ctx, 200, { ...past.conversation, ...activity }, past.version);
        }
        const { conversation, version } = await load(ctx, params.id, query.include_deleted);
        const activity = await conversationActivity(ctx.state.em, params.id, conversation.current_leaf_id ?? null);
        answer(ctx, 200, { ...conversation, ...activity }, version);
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/api/conversations/:id',
      operationId: 'updateConversation',
      summary: 'Rename, move to another project (null: none), or change metadata or generation settings',
      tags,
      params: IdParams,
      body: ConversationPatchBody,
      ifMatch: true,
      responses: {
        200: modified(Conversation, 'The updated conversation'),
        404: missing('conversation'),
        412: preconditionFailed,
        422: { description: 'Invalid body, or the target project does not exist or is deleted' },
      },
      async handle(ctx, { params, body }) {
        await updateConversation(eventStore(ctx), { conversation_id: params.id, ...body }, commandOptions(ctx));
        const { conversation, version } = await load(ctx, params.id);
        answer(ctx, 200, conversation, version);
      },
    }),
    ...softDeleteRoutes({
      path: '/api/conversations/:id',
      noun: 'conversation',
      operationNoun: 'Conversation',
      tags,
      schema: Conversation,
      deleteSummary: 'Soft-delete a conversation, or erase it for good (?purge=true)',
      purgeScope: 'the conversation and all its messages',
      purge: (ctx, id) => purgeConversation(eventStore(ctx), id, commandOptions(ctx)),
      remove: (ctx, id) => runRequestCommand(ctx, { type: 'DeleteConversation', data: { conversation_id: id } }),
      restore: (ctx, id) => runRequestCommand(ctx, { type: 'RestoreConversation', data: { conversation_id: id } }),
      load: async (ctx, id) => {
        const { conversation, version } = await load(ctx, id);
        return { body: conversation, version };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/conversations/:id/messages',
      operationId: 'listConversationMessages',
      summary: 'Messages of a conversation in creation order, every branch included; or one branch',
      description:
        'parent_message_id links each message to the one it answers, so a client can draw the branches. ' +
        "`path=current` returns only the branch root -> the conversation's current leaf, `leaf=<id>` the branch to " +
        'that message (empty when it is not in this conversation). `as_of` answers with the messages as they were at ' +
        'that log position or time (see getConversation), paged with the same cursors.',
      tags,
      params: IdParams,
      query: messageListQuery(limits),
      responses: { 200: ok(Page(Message, 'MessagePage'), 'A page of messages'), 404: missing('conversation') },
      async handle(ctx, { params, query }) {
        const past = query.as_of === undefined ? undefined : await loadAsOf(ctx, params.id, query.as_of);
        const { conversation } = past ?? (await load(ctx, params.id));
        const page = { limit: query.limit ?? 100, cursor: query.cursor, include_reasoning: query.include_reasoning };
        if (query.path !== undefined && query.leaf !== undefined) {
          const message = 'give either path=current or leaf, not both';
          throw new HttpProblem(422, 'validation', `query: ${message}`, [{ path: 'query/leaf', message }]);
        }
        if (query.path === 'current' || query.leaf !== undefined) {
          const leaf = query.leaf ?? conversation.current_leaf_id ?? null;
          if (past) return answer(ctx, 200, pathPageAsOf(past.messages, leaf, page));
          return answer(ctx, 200, await listPath(ctx.state.em, params.id, leaf, page));
        }
        if (past) return answer(ctx, 200, messagePageAsOf(past.messages, page));
        answer(ctx, 200, await listMessages(ctx.state.em, params.id, page));
      },
    }),
  ];
}
