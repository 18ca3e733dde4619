import type { EntityManager } from '@mikro-orm/knex';
import { runSql } from '../db/run-sql.js';
import type { ChatOptions } from '../llm/chat-types.js';
import type { LlamaClient } from '../llm/llama-client.js';
import { pathTurns } from '../queries/message-path.js';
import type { JsonObject } from '../domain/shared/decider.js';
import { systemPromptText, type SystemPromptSource } from '../domain/conversation/generation.js';
import type { GenerationSettings } from '../domain/shared/generation-settings.js';
import { fitPrompt, TOKENS_PER_MESSAGE, type FittedPrompt, type PromptTurn } from './fit-prompt.js';
import { assumedOverhead } from './prompt-overhead.js';
import type { TokenCounter } from './token-counter.js';

export type PreparedPrompt = {
  prompt: FittedPrompt;
  n_ctx: number;
  /** The template overhead the budget allowed for. */
  overhead: number;
  model_name: string | null;
  /** The prompt's size is an upper bound (its UTF-8 bytes), which was enough to know it fits; else llama.cpp's count. */
  tokens_bounded: boolean;
};

type Turn = Omit<PromptTurn, 'tokens'>;

/** The numbered sources a question is asked with, as the text put before it, and a key naming that text. */
export type QuestionSources = { text: string; key: string };

/** Counts not known yet are asked of llama.cpp this many at once. */
const COUNTED_AT_ONCE = 16;

/** What the prompt is fitted into, besides the model's context: room for the answer, and the template's own tokens. */
export type PromptRoom = {
  /** ANSWER_RESERVE_TOKENS: kept for the reasoning and the answer, unless max_tokens says how much (at most half). */
  answerReserve: number;
  /** What the chat template adds to the messages' own tokens as measured (see prompt-overhead.ts); null: assumed. */
  overhead: number | null;
};

/** The tokens a prompt may take in a slot of `n_ctx`: what the answer and the template's own tokens leave. */
export function promptBudget(
  n_ctx: number,
  options: Pick<ChatOptions, 'max_tokens'>,
  room: PromptRoom,
): { overhead: number; budget: number } {
  const reserve = options.max_tokens ?? Math.min(room.answerReserve, Math.floor(n_ctx / 2));
  const overhead = room.overhead ?? assumedOverhead(n_ctx);
  return { overhead, budget: n_ctx - reserve - overhead };
}

/**
 * The branch root -> question as chat messages, preceded by the system prompt from `system_prompt_source`, trimmed
 * from the oldest turn to fit llama.cpp's per-slot context (of `model`, for a router) with room left for the answer.
 */
export async function preparePrompt(
  deps: { em: EntityManager; llm: LlamaClient; tokens: TokenCounter },
  input: {
    conversation_id: string;
    question_id: string;
    options: ChatOptions;
    system_prompt_source: SystemPromptSource | null;
    /** Set for a router only: whose /props tell the context. */
    props_of?: string;
    room: PromptRoom;
    /** Count every message with llama.cpp's tokenizer, even when the byte bound would show the prompt fits. */
    exact?: boolean;
    /** Sources the question is asked with: they come right before it, after the history (whose cache stays valid). */
    sources?: QuestionSources;
  },
): Promise<PreparedPrompt> {
  const { em, llm, tokens } = deps;
  const props = await llm.props(input.props_of);
  const { overhead, budget } = promptBudget(props.n_ctx, input.options, input.room);
  const path = (await pathTurns(em, input.conversation_id, input.question_id)).filter((m) => m.content !== '');
  // An answer that ran to its end has the length llama.cpp reported for it: no need to ask again. Not one that
  // thought first: its count includes the reasoning, which is not sent back.
  for (const m of path) {
    if (m.role === 'assistant' && m.token_count !== null && Number(m.thought) === 0) {
      tokens.remember(m.id, m.token_count);
    }
  }
  const turns: Turn[] = path.map((m) => ({ id: m.id, role: m.role as PromptTurn['role'], content: m.content }));
  const asked = turns.pop();
  if (!asked || asked.id !== input.question_id) throw new Error(`Question ${input.question_id} not found`);
  // Counted under a key of its own: the question with sources is another text than the question.
  const question = input.sources
    ? { ...asked, id: `${asked.id}#${input.sources.key}`, content: `${input.sources.text}${asked.content}` }
    : asked;
  const systemPrompt = await systemPromptOf(em, input.conversation_id, input.system_prompt_source);
  const prepared = { n_ctx: props.n_ctx, model_name: props.model_name, overhead };

  const bounded = input.exact ? null : fitWithinBytes(tokens, systemPrompt, turns, question, budget);
  if (bounded) {
    if (bounded.tokens > budget / 2) countAhead(tokens, turns);
    return { ...prepared, prompt: bounded, tokens_bounded: true };
  }
  const [systemTokens, questionTokens] = await Promise.all([
    // Keyed by its text: a project's prompt is the same for all its chats until someone edits it.
    systemPrompt ? tokens.count(`system:${systemPrompt}`, systemPrompt) : 0,
    tokens.count(question.id, question.content),
  ]);
  const system = systemPrompt ? { content: systemPrompt, tokens: systemTokens } : null;
  const counted = { ...question, tokens: questionTokens };
  // Count from the newest turn back, only as far as the budget can reach.
  let used = counted.tokens + (system?.tokens ?? 0);
  const history: PromptTurn[] = [];
  for (let end = turns.length; end > 0 && used <= budget; end -= COUNTED_AT_ONCE) {
    const batch = turns.slice(Math.max(0, end - COUNTED_AT_ONCE), end).reverse();
    const counts = await Promise.all(batch.map((turn) => tokens.count(turn.id, turn.content)));
    for (const [i, turn] of batch.entries()) {
      if (used > budget) break;
      used += counts[i]! + TOKENS_PER_MESSAGE;
      history.unshift({ ...turn, tokens: counts[i]! });
    }
  }
  const fitted = fitPrompt({ system, history, question: counted, budget });
  const uncounted = turns.slice(0, turns.length - history.length).map((t) => t.id);
  return {
    ...prepared,
    prompt: fitted.fits ? { ...fitted, dropped: [...uncounted, ...fitted.dropped] } : fitted,
    tokens_bounded: false,
  };
}

/**
 * The size of a prompt prepared within the byte bound, counted as an exact preparation would have: each message
 * with llama.cpp's tokenizer (known counts reused), plus the per-message tokens of fit-prompt.ts.
 */
export async function countedTokens(tokens: TokenCounter, prepared: PreparedPrompt): Promise<number> {
  const { prompt } = prepared;
  if (!prompt.fits || !prepared.tokens_bounded) return prompt.tokens;
  const [system, turns] =
    prompt.messages[0]?.role === 'system' ? [prompt.messages[0], prompt.messages.slice(1)] : [null, prompt.messages];
  const counts = await Promise.all([
    system ? tokens.count(`system:${system.content}`, system.content) : 0,
    ...turns.map((turn, i) => tokens.count(prompt.kept[i]!, turn.content)),
  ]);
  return counts.reduce((sum, count) => sum + count, 0) + TOKENS_PER_MESSAGE * prompt.messages.length;
}

/**
 * The whole branch, when it fits with each message counted as known (counted before, or reported by llama.cpp for
 * an answer), else at one token per UTF-8 byte (plus one for a tokenizer's leading space): no llama.cpp tokenizer
 * makes more tokens of a text than that. Most prompts fit a model's context by this bound, and then nothing needs
 * counting, which costs a round trip to /tokenize per message not counted yet (the new question, every time).
 */
function fitWithinBytes(
  tokens: TokenCounter,
  systemPrompt: string | null,
  turns: Turn[],
  question: Turn,
  budget: number,
) {
  const atMost = (id: string, content: string) => tokens.known(id) ?? Buffer.byteLength(content, 'utf8') + 1;
  const fitted = fitPrompt({
    system: systemPrompt ? { content: systemPrompt, tokens: atMost(`system:${systemPrompt}`, systemPrompt) } : null,
    history: turns.map((turn) => ({ ...turn, tokens: atMost(turn.id, turn.content) })),
    question: { ...question, tokens: atMost(question.id, question.content) },
    budget,
  });
  return fitted.fits && fitted.dropped.length === 0 ? fitted : null;
}

/**
 * A branch halfway to outgrowing the bound: its messages are counted in the background, one at a time, newest
 * first, while the answer streams. The chat that finally needs the counts then finds them known, instead of
 * waiting for a round trip per message of the whole branch before its first token.
 */
function countAhead(tokens: TokenCounter, turns: Turn[]): void {
  const unknown = turns.filter((turn) => tokens.known(turn.id) === undefined).reverse();
  void (async () => {
    for (const turn of unknown) await tokens.count(turn.id, turn.content);
  })().catch(() => undefined);
}

/** JSON columns as the driver hands them over: text from SQLite, parsed from PostgreSQL. */
type JsonColumn<T> = T | string;
type PromptSources = {
  settings: JsonColumn<GenerationSettings>;
  project_settings: JsonColumn<GenerationSettings> | null;
  project_metadata: JsonColumn<JsonObject> | null;
};

/** The text of the system prompt the answer's start named the source of; a blank one is none. */
async function systemPromptOf(
  em: EntityManager,
  conversationId: string,
  source: SystemPromptSource | null,
): Promise<string | null> {
  if (source === null) return null;
  const [row] = await runSql<PromptSources>(
    em,
    `select c.settings, p.settings as project_settings, p.metadata as project_metadata
     from conversations c left join projects p on p.id = c.project_id where c.id = ?`,
    [conversationId],
  );
  if (!row) return null;
  const [settings, metadata] = [parsed(row.project_settings), parsed(row.project_metadata)];
  const project = settings && metadata ? { settings, metadata } : null;
  const prompt = systemPromptText(source, { conversation: parsed(row.settings), project });
  return prompt !== null && prompt.trim() !== '' ? prompt : null;
}

function parsed<T>(value: JsonColumn<T>): T;
function parsed<T>(value: JsonColumn<T> | null): T | null;
function parsed<T>(value: JsonColumn<T> | null): T | null {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}
