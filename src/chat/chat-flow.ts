import type { Liveness } from '../cluster/liveness.js';
import {
  checkConversationCommand,
  runConversationCommand,
  type ConversationRequest,
} from '../commands/conversation-command.js';
import type { CommandResult } from '../commands/handle-command.js';
import type { StreamStateCache } from '../commands/stream-state-cache.js';
import type { ConversationState } from '../domain/conversation/conversation.state.js';
import type { EventStore } from '../event-store/append-to-stream.js';
import type { EventMetadata } from '../event-store/stored-event.js';
import type { ChatOptions, LlamaClient, ServedModels } from '../llm/llama-client.js';
import { LlmError } from '../llm/llm-error.js';
import type { Logger } from '../logger.js';
import type { Drain } from '../shutdown/drain.js';
import type { ChatSession } from './chat-session.js';
import type { ChatSessions } from './chat-sessions.js';
import type { GenerationSlots, SlotTicket } from './generation-slots.js';
import { answerPrompt, type AnswerPrompt } from './answer-prompt.js';
import { findSources, type FoundSources } from './answer-sources.js';
import type { Knowledge } from '../knowledge/knowledge.js';
import type { PromptOverhead } from './prompt-overhead.js';
import { recordedGeneration } from './recorded-generation.js';
import { promptBudget } from './prepare-prompt.js';
import { modelToAsk, servedNow, withServedModels } from './served-models.js';
import { NOTHING_PRODUCED } from './produced.js';
import { endWithError, runGeneration, type GenerationDeps } from './run-generation.js';
import type { SessionFeed } from './session-feed.js';
import type { TokenCounter } from './token-counter.js';

export type ChatFlowDeps = {
  drain: Pick<Drain, 'enter'>;
  slots: GenerationSlots;
  liveness: Pick<Liveness, 'claim' | 'release'>;
  sessions: Pick<ChatSessions, 'create'>;
  llm: LlamaClient;
  tokens: TokenCounter;
  /** The event store on a fresh entity manager: each command of an answer runs in its own transaction. */
  store: () => EventStore;
  stateCache: StreamStateCache;
  /** LLM_MAX_CONCURRENCY; null: as many generations at once as llama.cpp has slots. */
  maxConcurrency: number | null;
  /** What each model's chat template adds to a prompt, learned from llama.cpp's counts. */
  overhead: PromptOverhead;
  /** ANSWER_RESERVE_TOKENS: room kept in the context for the reasoning and the answer. */
  answerReserve: number;
  /** Retrieval from the project's documents; absent: answers are given no sources. */
  knowledge?: Pick<Knowledge, 'retrieve'>;
};

export type AnswerRequest = {
  conversation_id: string;
  session_id: string;
  /** The assistant message the answer is stored in. */
  message_id: string;
  /** The user message it answers. */
  question_id: string;
  /** The user message this request posted, if it posted one (not for a regenerate). */
  user_message_id: string | null;
  /**
   * Stores the question (if any) and the start of the answer, before llama.cpp is called; the start records what
   * the answer is generated with.
   */
  start: ConversationRequest;
  /** What every event of the answer carries: the ids of the request that asked for it. */
  metadata: EventMetadata;
  log: Logger;
};

/** Why an answer was refused before it streamed. Each passes: the same request may succeed later. */
export type Refusal =
  /** Nothing is stored. */
  | { reason: 'shutting_down' }
  /** Every slot is busy and the queue is full; nothing is stored. */
  | { reason: 'too_many_generations' }
  /** llama.cpp is unreachable or loading its model: the question is stored, the answer stored failed. */
  | { reason: 'llm_unavailable'; error: string };

/** How an answer that did not throw ended: refused before its stream opened, or streamed (however it ended). */
export type AnswerOutcome = { type: 'refused'; refusal: Refusal } | { type: 'streamed' };

/** Sends a session's events to the client, resolving when its final event is sent or the client left. */
export type Relay = (session: SessionFeed) => Promise<void>;

export type ChatFlow = {
  /**
   * Answers a question: refuses early, stores the question and the answer's start, builds the prompt, then
   * generates. `relay` is called once there is something to stream: llama.cpp took the request, the chat has to
   * queue, or the answer ended otherwise. Until then an unreachable llama.cpp is a refusal, not a stream, so the
   * client can be answered plainly. Resolves once the answer ended, its end stored, `relay` done and every claim on
   * it released. Rejects, before any relay, when the start command is refused (the domain's errors) or storing fails.
   */
  answer: (request: AnswerRequest, relay: Relay) => Promise<AnswerOutcome>;
};

/** How often the partial answer is stored while streaming: a crash loses at most this much. */
const CHECKPOINT_MS = 2000;

export function createChatFlow(deps: ChatFlowDeps): ChatFlow {
  return { answer: (request, relay) => answerInDrain(deps, request, relay) };
}

const refused = (refusal: Refusal): AnswerOutcome => ({ type: 'refused', refusal });

async function answerInDrain(deps: ChatFlowDeps, request: AnswerRequest, relay: Relay): Promise<AnswerOutcome> {
  // A question the conversation refuses (too long, not shown, busy) is refused before it waits for anything.
  // So is one naming a model llama.cpp does not serve.
  const served = await servedNow(deps.llm);
  const asked = { ...request, start: withServedModels(request.start, served) };
  await checkConversationCommand(deps.store(), asked.start, { stateCache: deps.stateCache });
  const leave = deps.drain.enter();
  if (!leave) return refused({ reason: 'shutting_down' });
  try {
    return await answerWithSlot(deps, asked, relay, served);
  } finally {
    leave();
  }
}

async function answerWithSlot(
  deps: ChatFlowDeps,
  request: AnswerRequest,
  relay: Relay,
  served: ServedModels | null,
): Promise<AnswerOutcome> {
  const limit = deps.maxConcurrency ?? (await slotsOf(deps.llm));
  const ticket = deps.slots.reserve(limit);
  if (!ticket) return refused({ reason: 'too_many_generations' });
  try {
    // Claimed before the answer exists: no other process ever sees it streaming and unclaimed, so abandoned.
    await deps.liveness.claim(request.message_id);
    try {
      return await answerWithTicket(deps, request, relay, ticket, served);
    } finally {
      await deps.liveness.release(request.message_id);
    }
  } finally {
    ticket.release();
  }
}

async function answerWithTicket(
  deps: ChatFlowDeps,
  request: AnswerRequest,
  relay: Relay,
  ticket: SlotTicket,
  served: ServedModels | null,
): Promise<AnswerOutcome> {
  const { conversation_id, message_id, session_id, metadata } = request;
  const record = recorder(deps, metadata);
  const { system_prompt_source, knowledge, ...recorded } = recordedGeneration(
    (await record(request.start)).appended,
    message_id,
  );
  const model = modelToAsk(recorded.model, served);
  const options: ChatOptions = model === undefined ? recorded : { ...recorded, model };
  const session = deps.sessions.create({ id: session_id, conversation_id, message_id });
  const generation: GenerationDeps = {
    llm: deps.llm,
    record,
    log: request.log,
    checkpointMs: CHECKPOINT_MS,
    onEnded: () => ticket.release(),
  };

  let prompt: AnswerPrompt;
  let found: FoundSources | null;
  try {
    found =
      knowledge === false
        ? null
        : await sourcesFor(
            deps,
            request,
            generation,
            await sourcesRoom(deps, options, served?.router ? model : undefined),
          );
    prompt = await answerPrompt(
      {
        em: deps.store().em,
        llm: deps.llm,
        tokens: deps.tokens,
        overhead: deps.overhead,
        answerReserve: deps.answerReserve,
      },
      {
        conversation_id,
        question_id: request.question_id,
        options,
        system_prompt_source,
        model,
        router: served?.router ?? false,
        ...(found ? { sources: found.prompt } : {}),
      },
    );
  } catch (error) {
    await endWithError(generation, session, error, NOTHING_PRODUCED, metadata);
    if (error instanceof LlmError && error.type === 'llm_unavailable') {
      return refused({ reason: 'llm_unavailable', error: error.message });
    }
    throw error;
  }

  session.emit({ type: 'start', session_id, conversation_id, user_message_id: request.user_message_id, message_id });
  if (found) session.emit({ type: 'sources', message_id, sources: found.sources, retrieval: found.retrieval });
  let relayed: Promise<void> | undefined;
  const open = () => (relayed ??= relay(session));
  await generate(generation, session, { request, options, prompt, ticket, open });
  const final = session.final?.data;
  if (!relayed && final?.type === 'error' && final.error_type === 'llm_unavailable') {
    return refused({ reason: 'llm_unavailable', error: final.error });
  }
  await open();
  return { type: 'streamed' };
}

/** Waits for a slot, then streams the answer from llama.cpp; every way it ends is stored and sent to the session. */
async function generate(
  deps: GenerationDeps,
  session: ChatSession,
  input: {
    request: AnswerRequest;
    options: ChatOptions;
    prompt: AnswerPrompt;
    ticket: SlotTicket;
    open: () => void;
  },
): Promise<void> {
  const { request, options, ticket, open } = input;
  const { prepared } = input.prompt;
  const { prompt } = prepared;
  if (!prompt.fits) {
    open();
    const overflow = new LlmError(
      'context_overflow',
      `The system prompt and the question need ${prompt.tokens} tokens; the model's context leaves ${prompt.budget}`,
    );
    return endWithError(deps, session, overflow, NOTHING_PRODUCED, request.metadata);
  }
  const metadata = {
    ...request.metadata,
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
      session.emit({ type: 'queued', session_id: session.id, position });
    });
    await runGeneration(deps, session, {
      request: { messages: prompt.messages, options },
      model_name: prepared.model_name,
      n_ctx: prepared.n_ctx,
      metadata,
      onAccepted: open,
      refit: async (overflow) => {
        const again = await input.prompt.refit(overflow);
        return again?.prompt.fits ? { messages: again.prompt.messages, options } : null;
      },
      onPromptTokens: input.prompt.counted,
    });
  } catch (error) {
    await endWithError(deps, session, error, NOTHING_PRODUCED, metadata);
  }
}

/** The sources of the question, recorded on the answer before its prompt is built; none when retrieval fails. */
async function sourcesFor(
  deps: ChatFlowDeps,
  request: AnswerRequest,
  generation: GenerationDeps,
  maxTokens: number | undefined,
): Promise<FoundSources | null> {
  if (!deps.knowledge) return null;
  const { conversation_id, question_id, message_id } = request;
  let found: FoundSources | null;
  try {
    found = await findSources(deps.knowledge, deps.store().em, {
      conversation_id,
      question_id,
      ...(maxTokens === undefined ? {} : { maxTokens }),
    });
  } catch (error) {
    request.log.warn({ err: error, message_id }, 'retrieval failed; the answer goes without sources');
    return null;
  }
  if (!found) return null;
  const { sources, retrieval } = found;
  await generation.record({ type: 'AttachSources', data: { conversation_id, message_id, sources, retrieval } });
  return found;
}

/**
 * At most half of what a prompt may take in the model's slot, for the sources (counted by the embedding server's
 * tokenizer, not the chat model's: the other half is the margin, the question and what history fits). Unknown when
 * llama.cpp does not answer /props: RETRIEVAL_MAX_TOKENS alone then bounds them.
 */
async function sourcesRoom(
  deps: ChatFlowDeps,
  options: ChatOptions,
  propsOf: string | undefined,
): Promise<number | undefined> {
  if (!deps.knowledge) return undefined;
  const props = await deps.llm.props(propsOf).catch(() => null);
  if (!props) return undefined;
  const room = { answerReserve: deps.answerReserve, overhead: deps.overhead.of(options.model ?? null) };
  return Math.max(0, Math.floor(promptBudget(props.n_ctx, options, room).budget / 2));
}

async function slotsOf(llm: LlamaClient): Promise<number> {
  return llm.props().then(
    (props) => Math.max(1, props.total_slots),
    () => 1,
  );
}

/** Runs the commands of an answer, each in its own transaction, with the metadata of the request that asked. */
function recorder(
  deps: ChatFlowDeps,
  base: EventMetadata,
): (command: ConversationRequest, metadata?: EventMetadata) => Promise<CommandResult<ConversationState>> {
  return (command, metadata) =>
    runConversationCommand(deps.store(), command, { metadata: { ...base, ...metadata }, stateCache: deps.stateCache });
}
