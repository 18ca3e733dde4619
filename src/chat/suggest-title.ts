import type { ChatRequest } from '../llm/chat-types.js';
import { LlmError, type LlamaClient } from '../llm/llama-client.js';
import type { FirstExchange } from '../queries/first-exchange.js';
import { modelToAsk, servedNow } from './served-models.js';

/** The longest title the model may give, in characters (also bounded by MAX_TITLE_LENGTH). */
export const GENERATED_TITLE_CHARS = 80;
/** Enough of the exchange to tell its subject; the rest would only fill llama.cpp's context. */
const EXCERPT_CHARS = 2_000;
/**
 * A title is a few tokens, but a reasoning model thinks first, even at low effort: with room for only the title,
 * gpt-oss spends it all on reasoning and leaves the answer empty.
 */
export const TITLE_MAX_TOKENS = 384;

const INSTRUCTION =
  'You name conversations. Reply with a title of at most eight words for the conversation below, in its ' +
  'language. Reply with the title only: no quotes, no introduction, no final punctuation.';

/**
 * Asks llama.cpp, without streaming, for a title of the exchange; throws LlmError when none is usable. A router
 * (llama-server --models-dir) is asked by its first loaded model: it refuses a chat naming none.
 */
export async function suggestTitle(
  llm: LlamaClient,
  exchange: FirstExchange,
  maxChars: number,
  signal?: AbortSignal,
): Promise<string> {
  const model = modelToAsk(undefined, await servedNow(llm));
  const { content } = await llm.completeChat(titleRequest(exchange, model), signal);
  const title = titleFromReply(content, Math.min(GENERATED_TITLE_CHARS, maxChars));
  if (title === null) throw new LlmError('llm_error', 'llama.cpp gave no usable title');
  return title;
}

export function titleRequest(exchange: FirstExchange, model?: string): ChatRequest {
  const lines = [`User: ${excerpt(exchange.question)}`];
  if (exchange.answer !== null) lines.push(`Assistant: ${excerpt(exchange.answer)}`);
  return {
    messages: [
      { role: 'system', content: INSTRUCTION },
      { role: 'user', content: `${lines.join('\n\n')}\n\nTitle:` },
    ],
    options: {
      max_tokens: TITLE_MAX_TOKENS,
      temperature: 0.2,
      reasoning_effort: 'low',
      ...(model === undefined ? {} : { model }),
    },
  };
}

const excerpt = (text: string) => {
  const chars = [...text];
  return chars.length > EXCERPT_CHARS ? `${chars.slice(0, EXCERPT_CHARS).join('')}…` : text;
};

/**
 * The title in what a model replied: its thinking, a "Title:" label, quotes, markdown and final punctuation taken
 * off, cut at a word to `maxChars`; null when nothing is left.
 */
export function titleFromReply(reply: string, maxChars: number): string | null {
  const withoutThinking = reply.replace(/<think>[\s\S]*?(<\/think>|$)/gi, '');
  const line = withoutThinking.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  const title = line
    .replace(/^\s*(#+\s*|[*_]+)?\s*title\s*:\s*/i, '')
    .replace(/^[\s"'“”‘’«»*_#`]+|[\s"'“”‘’«»*_`]+$/g, '')
    .replace(/[.:;,!]+$/, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (title === '') return null;
  return cutAtWord(title, maxChars);
}

function cutAtWord(text: string, maxChars: number): string {
  const chars = [...text];
  if (chars.length <= maxChars) return text;
  const cut = chars.slice(0, maxChars + 1).join('');
  const space = cut.lastIndexOf(' ');
  // A cut inside the last word drops it, unless that leaves too little of the title.
  return space > cut.length / 2 ? cut.slice(0, space).trimEnd() : chars.slice(0, maxChars).join('').trimEnd();
}
