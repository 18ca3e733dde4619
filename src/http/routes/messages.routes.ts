import { findMessage } from '../../queries/message.queries.js';
import type { AppContext } from '../app-state.js';
import { answer } from '../command-context.js';
import { notFoundProblem } from '../problem.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { IdParams } from '../schemas/common.schemas.js';
import { Message, ReactionBody } from '../schemas/message.schemas.js';
import { runRequestCommand } from './conversations.routes.js';
import { missing, ok } from './responses.js';

const tags = ['Messages'];

async function load(ctx: AppContext, id: string) {
  const message = await findMessage(ctx.state.em, id);
  if (!message) throw notFoundProblem(`Message ${id} not found`);
  return message;
}

export const messageRoutes: RouteSpec[] = [
  defineRoute({
    method: 'get',
    path: '/api/messages/:id',
    operationId: 'getMessage',
    summary: 'Get a message',
    tags,
    params: IdParams,
    responses: { 200: ok(Message, 'The message'), 404: missing('message') },
    async handle(ctx, { params }) {
      answer(ctx, 200, await load(ctx, params.id));
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/api/messages/:id/reaction',
    operationId: 'setMessageReaction',
    summary: 'Set or clear the thumbs up / thumbs down of a message',
    tags,
    params: IdParams,
    body: ReactionBody,
    responses: { 200: ok(Message, 'The message with its reaction'), 404: missing('message') },
    async handle(ctx, { params, body }) {
      const { conversation_id } = await load(ctx, params.id);
      await runRequestCommand(ctx, {
        type: 'SetReaction',
        data: { conversation_id, message_id: params.id, reaction: body.reaction },
      });
      answer(ctx, 200, await load(ctx, params.id));
    },
  }),
];
