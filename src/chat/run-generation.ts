import { isDatabaseUnavailable } from '../db/database-unavailable.js';
import type { ConversationRequest } from '../commands/conversation-command.js';
import type { EventMetadata } from '../event-store/stored-event.js';
import type { ChatChunk, ChatRequest } from '../llm/chat-types.js';
import type { LlamaClient } from '../llm/llama-client.js';
import { LlmError, type Overflow } from '../llm/llm-error.js';
import type { Logger } from '../logger.js';
import type { ChatErrorType } from './chat-events.js';
import type { ChatSession } from './chat-session.js';
import { createProduced, type ProducedSoFar } from './produced.js';
import { retryWhileUnavailable } from './retry-while-unavailable.js';

export type GenerationDeps = {
  llm: LlamaClient;
  /** Runs a conversation command through the command layer (its own transaction). */
  record: (command: ConversationRequest, metadata?: EventMetadata) => Promise<unknown>;
  log: Logger;
  /** How often the partial answer is stored while streaming; a crash loses at most this much. */
  checkpointMs: number;
  /**
   * Runs once the answer's end is stored, just before its final event goes out: what it frees (a generation slot)
   * is free before any client can react to the end, say by asking again at once.
   */
  onEnded?: () => void;
};

type Finish = Extract<ChatChunk, { type: 'finish' }>;

/**
 * Relays llama.cpp's tokens to the session the moment they arrive, checkpoints the partial text,
 * and records how the answer ended: completed, failed (with the reason) or cancelled. The partial
 * text is kept in every case.
 */
export async function runGeneration(
  deps: GenerationDeps,
  session: ChatSession,
  input: {
    request: ChatRequest;
    model_name: string | null;
    /** The slot's context size the prompt was fitted to, when llama.cpp said. */
    n_ctx: number | null;
    metadata: EventMetadata;
    onAccepted?: () => void;
    /**
     * A prompt llama.cpp refused as over its context, before anything streamed: the same question fitted to what
     * llama.cpp counted, tried once; null when it cannot fit.
     */
    refit?: (overflow: Overflow) => Promise<ChatRequest | null>;
    /** The prompt's size as llama.cpp counted it, once it said. */
    onPromptTokens?: (tokens: number) => void;
  },
): Promise<void> {
  const { conversation_id, message_id } = session;
  const started = performance.now();
  const produced = createProduced();
  let lastCheckpoint = started;
  let checkpoints = Promise.resolve();
  // Checkpoints are chained, not awaited: storing them never delays a token.
  const checkpoint = () => {
    const { delta, reasoning_delta } = produced.takePending();
    lastCheckpoint = performance.now();
    const data = { conversation_id, message_id, delta, ...(reasoning_delta === '' ? {} : { reasoning_delta }) };
    checkpoints = checkpoints
      .then(() => deps.record({ type: 'CheckpointResponse', data }))
      .then(
        () => undefined,
        (error: unknown) => deps.log.warn({ err: error, message_id }, 'checkpoint failed'),
      );
  };
  // Relays one request's stream; returns how it said it finished.
  const relay = async (request: ChatRequest): Promise<Finish | undefined> => {
    let finish: Finish | undefined;
    for await (const chunks of deps.llm.streamChat(request, session.abort.signal, input.onAccepted)) {
      for (const chunk of chunks) {
        switch (chunk.type) {
          case 'delta':
            produced.answer(chunk.content, performance.now() - started);
            session.emit({ type: 'token', token: chunk.content, message_id, session_id: session.id });
            break;
          case 'reasoning':
            produced.think(chunk.content, performance.now() - started);
            session.emit({ type: 'reasoning', token: chunk.content, message_id, session_id: session.id });
            break;
          case 'finish':
            finish = chunk;
            break;
        }
      }
      if (performance.now() - lastCheckpoint >= deps.checkpointMs) checkpoint();
    }
    return finish;
  };
  // A prompt refused as too long before anything streamed goes once more, fitted to what llama.cpp counted.
  const relayOrRefit = async (): Promise<Finish | undefined> => {
    try {
      return await relay(input.request);
    } catch (error) {
      const overflow = error instanceof LlmError ? error.overflow : undefined;
      const again = overflow && input.refit && produced.nothing ? await input.refit(overflow) : null;
      if (!again) throw error;
      return relay(again);
    }
  };
  try {
    const finish = await relayOrRefit();
    if (!finish) throw new LlmError('llm_error', 'llama.cpp ended the stream without finishing the answer');
    await checkpoints;
    const completion_time_ms = Math.round(performance.now() - started);
    const token_count = finish.completion_tokens ?? finish.timings?.predicted_n ?? null;
    const used = contextUsed(finish);
    const promptTokens = promptTokensOf(finish);
    if (promptTokens !== null) input.onPromptTokens?.(promptTokens);
    const cut_while_reasoning =
      finish.finish_reason === 'length' && produced.content === '' && produced.reasoning !== null;
    await deps.record(
      {
        type: 'CompleteMessage',
        data: {
          conversation_id,
          message_id,
          content: produced.content,
          reasoning: produced.reasoning,
          token_count,
          model_name: input.model_name ?? meaningfulModel(finish.model),
          completion_time_ms,
          finish_reason: finish.finish_reason,
          timings: { ...finish.timings, ...produced.timings(completion_time_ms) },
          ...(used === null ? {} : { context: { used, n_ctx: input.n_ctx } }),
        },
      },
      input.metadata,
    );
    deps.onEnded?.();
    session.emit({
      type: 'complete',
      message_id,
      token_count,
      completion_time_ms,
      finish_reason: finish.finish_reason,
      cut_while_reasoning,
    });
  } catch (error) {
    await checkpoints;
    await endWithError(deps, session, error, produced, input.metadata);
  }
}

/** The prompt's tokens as llama.cpp counted them (usage, else its timings, cached ones included). */
const promptTokensOf = (finish: Finish): number | null =>
  finish.prompt_tokens ?? sumOrNull(finish.timings?.prompt_n, finish.timings?.cache_n);

/** Prompt plus answer tokens, as llama.cpp counted them (usage, else its timings); null when it did not say. */
function contextUsed(finish: Finish): number | null {
  const prompt = promptTokensOf(finish);
  const completion = finish.completion_tokens ?? finish.timings?.predicted_n ?? null;
  return prompt === null || completion === null ? null : prompt + completion;
}

const sumOrNull = (value: number | undefined, more: number | undefined) =>
  value === undefined ? null : value + (more ?? 0);

/** Records a failed or cancelled answer with its partial text, then tells the session's listeners. */
export async function endWithError(
  deps: GenerationDeps,
  session: ChatSession,
  error: unknown,
  partial: ProducedSoFar,
  metadata: EventMetadata,
): Promise<void> {
  const { conversation_id, message_id } = session;
  const cancelled = session.abort.signal.aborted;
  const { type, message } = cancelled
    ? { type: 'cancelled' as const, message: reasonOf(session.abort.signal) }
    : describe(error);
  if (type === 'internal') deps.log.error({ err: error, message_id }, 'generation failed');
  const kept = { partial_content: partial.content, partial_reasoning: partial.reasoning };
  const end: ConversationRequest = cancelled
    ? { type: 'CancelMessage', data: { conversation_id, message_id, ...kept } }
    : { type: 'FailMessage', data: { conversation_id, message_id, error: message, error_type: type, ...kept } };
  try {
    await deps.record(end, metadata);
  } catch (recordError) {
    deps.log.error({ err: recordError, message_id }, 'could not record how the answer ended');
    if (isDatabaseUnavailable(recordError)) {
      retryWhileUnavailable(() => deps.record(end, metadata), deps.log, { message_id, command: end.type });
    }
  }
  deps.onEnded?.();
  session.emit({ type: 'error', error: message, error_type: type });
}

function describe(error: unknown): { type: ChatErrorType; message: string } {
  if (error instanceof LlmError) return { type: error.type, message: error.message };
  if (isDatabaseUnavailable(error)) {
    return { type: 'internal', message: 'The answer could not be stored: the database is unavailable' };
  }
  return { type: 'internal', message: 'The answer could not be generated' };
}

function reasonOf(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? `Cancelled: ${reason.message}` : 'Cancelled';
}

/** llama.cpp echoes the request's model, or "gpt-3.5-turbo" when there was none: not a model name. */
function meaningfulModel(model: string | null): string | null {
  return model && model !== 'gpt-3.5-turbo' ? model : null;
}
