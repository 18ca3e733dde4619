import type { ChatMessage } from '../llm/chat-types.js';

export type PromptTurn = { id: string; role: 'user' | 'assistant'; content: string; tokens: number };

export type FittedPrompt =
  | { fits: true; messages: ChatMessage[]; kept: string[]; dropped: string[]; tokens: number }
  | { fits: false; tokens: number; budget: number };

/** Tokens the chat template adds around each message (role markers, separators). */
export const TOKENS_PER_MESSAGE = 4;

/**
 * Fits a conversation into the model's context: the system prompt and the new question always stay,
 * the oldest earlier turns go first.
 */
export function fitPrompt(input: {
  system: { content: string; tokens: number } | null;
  history: PromptTurn[];
  question: PromptTurn;
  budget: number;
}): FittedPrompt {
  const cost = (tokens: number) => tokens + TOKENS_PER_MESSAGE;
  let tokens = cost(input.question.tokens) + (input.system ? cost(input.system.tokens) : 0);
  if (tokens > input.budget) return { fits: false, tokens, budget: input.budget };
  const kept: PromptTurn[] = [];
  for (let i = input.history.length - 1; i >= 0; i--) {
    const turn = input.history[i]!;
    if (tokens + cost(turn.tokens) > input.budget) break;
    tokens += cost(turn.tokens);
    kept.unshift(turn);
  }
  const dropped = input.history.slice(0, input.history.length - kept.length).map((t) => t.id);
  const turns = [...kept, input.question];
  return {
    fits: true,
    messages: [
      ...(input.system ? [{ role: 'system' as const, content: input.system.content }] : []),
      ...turns.map(({ role, content }) => ({ role, content })),
    ],
    kept: turns.map((t) => t.id),
    dropped,
    tokens,
  };
}
