import type { FinishReason, PromptCount } from './completion-chunks.js';
import type { LlamaDoubleOptions } from './options.js';
import { pieces, promptTokens, reasoningWords, replyWords, type PromptMessage } from './tokenizer.js';

/** What one chat completion will send: reasoning pieces, then content pieces, then the finish reason. */
export type ChatPlan = {
  reasoning: string[];
  content: string[];
  reason: FinishReason;
  prompt: PromptCount;
  /** The request asked for usage (`stream_options.include_usage`). */
  includeUsage: boolean;
  /** Silence after which a stream gets a `:` comment event; 0: never. */
  pingMs: number;
};

export type ChatRequest = { messages: PromptMessage[]; stream: boolean; model: unknown; raw: Record<string, unknown> };

/** The request as llama.cpp validates it: null when `messages` is missing (it answers 500 then). */
export function chatRequest(json: unknown): ChatRequest | null {
  if (typeof json !== 'object' || json === null) return null;
  const raw = json as Record<string, unknown>;
  if (!Array.isArray(raw.messages)) return null;
  const messages = raw.messages.map((m: Record<string, unknown>) => ({
    role: String(m?.role ?? ''),
    content: typeof m?.content === 'string' ? m.content : '',
  }));
  return { messages, stream: raw.stream === true, model: raw.model, raw };
}

export function planChat(options: LlamaDoubleOptions, request: ChatRequest): ChatPlan {
  let content = options.reply === null ? replyWords(options.tokens) : pieces(options.reply);
  let reasoning = options.reasoning === null ? reasoningWords(options.reasoningTokens) : pieces(options.reasoning);
  let reason: FinishReason = options.finishReason;
  const stopAt = firstStop(content.join(''), stopStrings(request.raw.stop));
  if (stopAt !== null) {
    content = pieces(content.join('').slice(0, stopAt));
    reason = 'stop';
  }
  const limit = maxTokens(request.raw);
  if (limit !== null && reasoning.length + content.length >= limit) {
    reasoning = reasoning.slice(0, limit);
    content = content.slice(0, limit - reasoning.length);
    reason = 'length';
  }
  const tokens = promptTokens(request.messages) + options.templateTokens;
  const cached = options.server === 'modern' ? Math.max(Math.min(options.cachedTokens, tokens - 1), 0) : 0;
  const streamOptions = request.raw.stream_options as { include_usage?: unknown } | undefined;
  return {
    reasoning,
    content,
    reason,
    prompt: { tokens, cached },
    includeUsage: streamOptions?.include_usage === true,
    pingMs: pingInterval(request.raw.sse_ping_interval, options.ssePingMs),
  };
}

function pingInterval(requested: unknown, configured: number): number {
  if (typeof requested !== 'number') return configured;
  return requested > 0 ? requested * 1000 : 0;
}

function stopStrings(stop: unknown): string[] {
  if (typeof stop === 'string') return [stop];
  return Array.isArray(stop) ? stop.filter((s): s is string => typeof s === 'string' && s !== '') : [];
}

function firstStop(text: string, stops: string[]): number | null {
  const found = stops.map((s) => text.indexOf(s)).filter((at) => at >= 0);
  return found.length === 0 ? null : Math.min(...found);
}

function maxTokens(raw: Record<string, unknown>): number | null {
  const limit = raw.max_tokens ?? raw.n_predict;
  return typeof limit === 'number' && Number.isInteger(limit) && limit >= 0 ? limit : null;
}
