import type { EntityManager } from '@mikro-orm/knex';
import type { SystemPromptSource } from '../domain/conversation/generation.js';
import type { ChatOptions, LlamaClient } from '../llm/llama-client.js';
import type { Overflow } from '../llm/llm-error.js';
import { countedTokens, preparePrompt, type PreparedPrompt, type QuestionSources } from './prepare-prompt.js';
import type { PromptOverhead } from './prompt-overhead.js';
import type { TokenCounter } from './token-counter.js';

/** Tokens allowed beyond what llama.cpp's count of a refused prompt says the template adds. */
const REFIT_MARGIN = 32;

export type AnswerPromptDeps = {
  em: EntityManager;
  llm: LlamaClient;
  tokens: TokenCounter;
  overhead: PromptOverhead;
  /** ANSWER_RESERVE_TOKENS. */
  answerReserve: number;
};

/** An answer's prompt, and what its generation tells back about the prompt's real size. */
export type AnswerPrompt = {
  prepared: PreparedPrompt;
  /** The prompt again, fitted to what llama.cpp counted of the refused one; null when it cannot fit. */
  refit: (overflow: Overflow) => Promise<PreparedPrompt | null>;
  /** llama.cpp's count of the prompt last sent: the template's overhead for the next prompts of the model. */
  counted: (tokens: number) => void;
};

/**
 * Prepares an answer's prompt with room for the model's template, which is learned from what llama.cpp counts of
 * each prompt sent (assumed until then), per model.
 */
export async function answerPrompt(
  deps: AnswerPromptDeps,
  input: {
    conversation_id: string;
    question_id: string;
    options: ChatOptions;
    system_prompt_source: SystemPromptSource | null;
    /** The model asked for; `router` says whether its /props are the router's to pass on. */
    model: string | undefined;
    router: boolean;
    sources?: QuestionSources;
  },
): Promise<AnswerPrompt> {
  const model = input.model ?? null;
  const prepare = (overhead: number | null, exact: boolean) =>
    preparePrompt(
      { em: deps.em, llm: deps.llm, tokens: deps.tokens },
      {
        conversation_id: input.conversation_id,
        question_id: input.question_id,
        options: input.options,
        system_prompt_source: input.system_prompt_source,
        ...(input.router && input.model !== undefined ? { props_of: input.model } : {}),
        room: { answerReserve: deps.answerReserve, overhead },
        exact,
        ...(input.sources ? { sources: input.sources } : {}),
      },
    );
  let sent = await prepare(deps.overhead.of(model), false);
  const observe = (tokens: number) =>
    deps.overhead.observe(model, { tokens: sent.prompt.tokens, bounded: sent.tokens_bounded }, tokens);
  return {
    prepared: sent,
    refit: async (overflow) => {
      // Against the refused prompt counted exactly, llama.cpp's count says exactly what the template adds; the
      // prompt is then counted too, not bounded by bytes, so that it fits by the same measure.
      const estimated = await countedTokens(deps.tokens, sent);
      deps.overhead.observe(model, { tokens: estimated, bounded: false }, overflow.n_prompt_tokens);
      const again = await prepare((deps.overhead.of(model) ?? sent.overhead) + REFIT_MARGIN, true);
      if (!again.prompt.fits) return null;
      sent = again;
      return again;
    },
    counted: observe,
  };
}
