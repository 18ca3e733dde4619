import { endWithError, runGeneration, type GenerationDeps } from '../../chat/run-generation.js';
import type { SlotTicket } from '../../chat/generation-slots.js';
import { preparePrompt } from '../../chat/prepare-prompt.js';
import { runConversationCommand } from '../../commands/conversation-command.js';
import type { ConversationCommand } from '../../domain/conversation/conversation.commands.js';
import type { EventMetadata } from '../../event-store/stored-event.js';
import type { ChatOptions } from '../../llm/chat-types.js';
import { LlmError } from '../../llm/llm-error.js';
import type { AppContext } from '../app-state.js';
import { commandOptions, eventStore } from '../command-context.js';
import { HttpProblem, RETRY_AFTER_SECONDS } from '../problem.js';
import { runConversationCommand as runRequestCommand } from '../routes/conversations.routes.js';
import { streamSession } from './stream-session.js';

export type AnswerRequest = {
  conversation_id: string;
  session_id: string;
  /** The assistant message the answer is stored in. */
  message_id: string;
  /** The user message it answers. */
  question_id: string;
  /** The user message this request posted, if it posted one (not for a regenerate). */
  user_message_id: string | null;
  /** Stores the question (if any) and the start of the answer, before llama.cpp is called. */
  start: ConversationCommand;
  options: ChatOptions;
};

/**
 * The chat flow behind POST /api/chat/stream and regenerate: refuse early with plain problems, store
 * the question and the answer's start, build the prompt, then stream the answer over SSE.
 */
export async function answerOverSse(ctx: AppContext, request: AnswerRequest): Promise<void> {
  const leave = ctx.state.services.drain.enter();
  if (!leave) throw problem(503, 'shutting-down', 'The server is shutting down; ask again once it is back');
  try {
    await answerWithSlot(ctx, request);
  } finally {
    leave();
  }
}

async function answerWithSlot(ctx: AppContext, request: AnswerRequest): Promise<void> {
  const { services } = ctx.state;
  const limit = services.config.llmMaxConcurrency ?? (await slotsOf(ctx));
  const ticket = services.slots.reserve(limit);
  if (!ticket) throw problem(429, 'too-many-generations', 'Every llama.cpp slot is busy and the queue is full');
  try {
    // Claimed before the answer exists: no other process ever sees it streaming and unclaimed, so abandoned.
    await services.liveness.claim(request.message_id);
    try {
      await answerWithTicket(ctx, request, ticket);
    } finally {
      await services.liveness.release(request.message_id);
    }
  } finally {
    ticket.release();
  }
}

async function answerWithTicket(ctx: AppContext, request: AnswerRequest, ticket: SlotTicket): Promise<void> {
  const { services } = ctx.state;
  await runRequestCommand(ctx, request.start);
  const { conversation_id, message_id, session_id } = request;
  const session = services.chat.create({ id: session_id, conversation_id, message_id });
  const metadata = commandOptions(ctx).metadata;
  const deps: GenerationDeps = {
    llm: services.llm,
    record: recorder(ctx, metadata),
    log: ctx.state.log,
    checkpointMs: 2000,
    onEnded: () => ticket.release(),
  };

  let prepared: Awaited<ReturnType<typeof preparePrompt>>;
  try {
    prepared = await preparePrompt(
      { em: services.db.em(), llm: services.llm, tokens: services.tokens },
      { conversation_id, question_id: request.question_id, options: request.options },
    );
  } catch (error) {
    await endWithError(deps, session, error, '', metadata);
    if (error instanceof LlmError && error.type === 'llm_unavailable') throw unavailable(error.message);
    throw error;
  }

  session.emit({ type: 'start', session_id, conversation_id, user_message_id: request.user_message_id, message_id });
  // The stream opens once there is something to say: llama.cpp took the request, the chat has to queue, or the
  // answer ended otherwise. Until then an unreachable llama.cpp can still be answered with a plain 503.
  let streaming: Promise<void> | undefined;
  const open = () => (streaming ??= streamSession(ctx, session));
  const { prompt } = prepared;
  if (!prompt.fits) {
    open();
    const overflow = new LlmError(
      'context_overflow',
      `The system prompt and the question need ${prompt.tokens} tokens; the model's context leaves ${prompt.budget}`,
    );
    await endWithError(deps, session, overflow, '', metadata);
  } else {
    const promptMetadata = {
      ...metadata,
      prompt: {
        message_ids: prompt.kept,
        dropped: prompt.dropped.length,
        tokens: prompt.tokens,
        tokens_bounded: prepared.tokens_bounded,
        n_ctx: prepared.n_ctx,
      },
    };
    try {
      await ticket.acquire(session.abort.signal, (position) => {
        open();
        session.emit({ type: 'queued', session_id, position });
      });
      await runGeneration(deps, session, {
        request: { messages: prompt.messages, options: request.options },
        model_name: prepared.model_name,
        metadata: promptMetadata,
        onAccepted: open,
      });
    } catch (error) {
      await endWithError(deps, session, error, '', promptMetadata);
    }
  }
  const final = session.final?.data;
  if (!streaming && final?.type === 'error' && final.error_type === 'llm_unavailable') {
    throw unavailable(final.error);
  }
  await open();
}

const unavailable = (reason: string) => problem(503, 'llm-unavailable', `llama.cpp is not available: ${reason}`);

const problem = (status: number, kind: string, detail: string) =>
  new HttpProblem(status, kind, detail, undefined, { 'Retry-After': RETRY_AFTER_SECONDS });

async function slotsOf(ctx: AppContext): Promise<number> {
  return ctx.state.services.llm.props().then(
    (props) => Math.max(1, props.total_slots),
    () => 1,
  );
}

/** Runs the commands of a generation, each in its own transaction, after the request's own ones. */
function recorder(ctx: AppContext, base: EventMetadata): GenerationDeps['record'] {
  const em = ctx.state.services.db.em;
  const { stateCache } = ctx.state.services;
  return (command, metadata) =>
    runConversationCommand({ ...eventStore(ctx), em: em() }, command, {
      metadata: { ...base, ...metadata },
      stateCache,
    });
}
