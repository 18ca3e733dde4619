/**
 * A deterministic stand-in for the model's tokenizer: a piece is up to 6 non-space characters with at most one
 * leading space, or a run of white space. Joining the pieces gives the text back.
 */
export function pieces(text: string): string[] {
  return text.match(/\s?\S{1,6}|\s+/gu) ?? [];
}

/** A stable id in the 32000-token vocabulary of the recorded model (ids below 10 are special tokens). */
export function tokenId(piece: string): number {
  let hash = 0x811c9dc5;
  for (const char of piece) {
    hash ^= char.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return 10 + (hash % 31_990);
}

export const BOS_ID = 1;

const WORDS = [
  ' Lorem',
  ' ipsum',
  ' dolor',
  ' sit',
  ' amet',
  ',',
  ' naïve',
  ' café',
  ' Привет',
  ' мир',
  ' 日本',
  '語',
  ' 🦙',
  ' llama',
  ' double',
  '.',
];

/** The `count` content tokens of a generated reply: the same words every time. */
export function replyWords(count: number): string[] {
  return Array.from({ length: count }, (_, i) => WORDS[i % WORDS.length] ?? '');
}

const THOUGHTS = [' The', ' user', ' wants', ' an', ' answer', ';', ' keep', ' it', ' short', '.'];

/** The `count` reasoning tokens of a generated reply: other words than the content's, the same every time. */
export function reasoningWords(count: number): string[] {
  return Array.from({ length: count }, (_, i) => THOUGHTS[i % THOUGHTS.length] ?? '');
}

export type PromptMessage = { role: string; content: string };

/** Tokens of the prompt the recorded model's ChatML template makes of the messages. */
export function promptTokens(messages: PromptMessage[]): number {
  const rendered = messages.map((m) => `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`).join('');
  return 1 + pieces(`${rendered}<|im_start|>assistant\n`).length;
}
