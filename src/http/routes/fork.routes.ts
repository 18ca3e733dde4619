import { forkConversation } from '../../commands/fork-conversation.js';
import { findConversation } from '../../queries/conversation.queries.js';
import { answer, commandOptions, eventStore } from '../command-context.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { IdParams } from '../schemas/common.schemas.js';
import { Conversation } from '../schemas/conversation.schemas.js';
import { forkBody } from '../schemas/portability.schemas.js';
import type { SchemaLimits } from '../schemas/schema-limits.js';
import { created, missing } from './responses.js';

export const forkRoutes = (limits: SchemaLimits): RouteSpec[] => [
  defineRoute({
    method: 'post',
    path: '/api/conversations/:id/fork',
    operationId: 'forkConversation',
    summary: 'Start a new conversation from a branch of this one, up to a message',
    description:
      'The new conversation holds copies of the messages root -> message_id (new ids; text, roles, statuses, ' +
      'models, token counts, timings, reactions and times as they were) and `metadata.forked_from: ' +
      '{conversation_id, message_id}`, over a copy of the original metadata. The original is not changed.',
    tags: ['Conversations'],
    params: IdParams,
    body: forkBody(limits),
    responses: {
      201: created(Conversation, 'The new conversation'),
      404: missing('conversation, or no such message in it (a message of another conversation included)'),
      409: { description: 'A message of the branch is still being generated; fork once it has ended' },
      422: { description: 'Invalid body, or the target project does not exist or is deleted' },
    },
    async handle(ctx, { params, body }) {
      const { em, services } = ctx.state;
      const id = await forkConversation(
        eventStore(ctx),
        {
          conversation_id: params.id,
          message_id: body.message_id,
          new_conversation_id: services.newId(),
          ...(body.title !== undefined ? { title: body.title } : {}),
          ...(body.project_id !== undefined ? { project_id: body.project_id } : {}),
          newId: services.newId,
          now: services.now().toISOString(),
        },
        commandOptions(ctx),
      );
      const forked = await findConversation(em, id, true);
      ctx.set('Location', `/api/conversations/${id}`);
      answer(ctx, 201, forked!.conversation, forked!.version);
    },
  }),
];
