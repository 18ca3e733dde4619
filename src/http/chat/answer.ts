import type { AnswerRequest, Refusal } from '../../chat/chat-flow.js';
import type { AppContext } from '../app-state.js';
import { commandOptions } from '../command-context.js';
import { HttpProblem, RETRY_AFTER_SECONDS } from '../problem.js';
import { streamSession } from './stream-session.js';

/**
 * POST /api/chat/stream and regenerate: the chat flow with this request's ids and logger, its answer relayed over
 * SSE. A refusal, and any error before the stream opened, is an ordinary problem answer.
 */
export async function answerOverSse(ctx: AppContext, request: Omit<AnswerRequest, 'metadata' | 'log'>): Promise<void> {
  const outcome = await ctx.state.services.chatFlow.answer(
    { ...request, metadata: commandOptions(ctx).metadata, log: ctx.state.log },
    (session) => streamSession(ctx, session),
  );
  if (outcome.type === 'refused') throw refusalProblem(outcome.refusal);
}

function refusalProblem(refusal: Refusal): HttpProblem {
  switch (refusal.reason) {
    case 'shutting_down':
      return problem(503, 'shutting-down', 'The server is shutting down; ask again once it is back');
    case 'too_many_generations':
      return problem(429, 'too-many-generations', 'Every llama.cpp slot is busy and the queue is full');
    case 'llm_unavailable':
      return problem(503, 'llm-unavailable', `llama.cpp is not available: ${refusal.error}`);
  }
}

const problem = (status: number, kind: string, detail: string) =>
  new HttpProblem(status, kind, detail, undefined, { 'Retry-After': RETRY_AFTER_SECONDS });
