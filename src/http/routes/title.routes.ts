import { suggestTitle } from '../../chat/suggest-title.js';
import { findConversation } from '../../queries/conversation.queries.js';
import { firstExchange } from '../../queries/first-exchange.js';
import { answer } from '../command-context.js';
import { withLlmProblems } from '../llm-problem.js';
import { HttpProblem, notFoundProblem } from '../problem.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { IdParams } from '../schemas/common.schemas.js';
import { Conversation } from '../schemas/conversation.schemas.js';
import { runRequestCommand } from './conversations.routes.js';
import { etagHeader, missing, ok, retryLater } from './responses.js';

export const titleRoutes: RouteSpec[] = [
  defineRoute({
    method: 'post',
    path: '/api/conversations/:id/generate-title',
    operationId: 'generateConversationTitle',
    summary: 'Name the conversation by the model',
    description:
      'Asks llama.cpp (not streamed, a short instruction, a few tokens) for a title of at most 80 characters from ' +
      "the first question and answer of the conversation's current branch, and renames the conversation, whatever " +
      'its title was. With AUTO_TITLE=true the server does this by itself after the first answer of a conversation ' +
      'no person named.',
    tags: ['Conversations'],
    params: IdParams,
    responses: {
      200: { ...ok(Conversation, 'The renamed conversation'), headers: etagHeader },
      404: missing('conversation'),
      409: { description: 'The conversation has no question yet to name it after' },
      502: { description: 'llama.cpp answered with an error, or with nothing usable as a title' },
      503: retryLater('llama.cpp is unreachable or loading its model, or the database is unavailable'),
      504: { description: 'llama.cpp did not answer within LLM_TIMEOUT_MS' },
    },
    async handle(ctx, { params }) {
      const { em, services } = ctx.state;
      const found = await findConversation(em, params.id);
      if (!found) throw notFoundProblem(`Conversation ${params.id} not found`);
      const leaf = found.conversation.current_leaf_id;
      const exchange = leaf ? await firstExchange(em, params.id, leaf) : null;
      if (exchange === null) {
        throw new HttpProblem(409, 'conflict', 'The conversation has no question yet to name it after');
      }
      const title = await withLlmProblems(() => suggestTitle(services.llm, exchange, services.config.maxTitleLength));
      await runRequestCommand(ctx, {
        type: 'ApplyGeneratedTitle',
        data: { conversation_id: params.id, title, unless_named: false },
      });
      const { conversation, version } = (await findConversation(em, params.id))!;
      answer(ctx, 200, conversation, version);
    },
  }),
];
