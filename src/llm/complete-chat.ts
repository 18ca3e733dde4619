import { chatCompletionBody } from './stream-chat.js';
import type { ChatRequest } from './chat-types.js';
import { LlmError } from './llm-error.js';
import { fetchJson } from './upstream-json.js';

export type ChatCompletion = { content: string; model: string | null };

/**
 * POST /v1/chat/completions without streaming: the whole reply at once. `content` is the reply alone; a reasoning
 * model's thinking comes separately (`reasoning_content`) and is left out.
 */
export async function completeChat(
  baseUrl: string,
  request: ChatRequest,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ChatCompletion> {
  const { stream_options: _usage, ...streamed } = chatCompletionBody(request);
  const body = JSON.stringify({ ...streamed, stream: false });
  const url = `${baseUrl}/v1/chat/completions`;
  const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body };
  return parseCompletion(await fetchJson(url, init, timeoutMs, signal));
}

function parseCompletion(body: unknown): ChatCompletion {
  const { choices, model } = (typeof body === 'object' && body !== null ? body : {}) as {
    choices?: { message?: { content?: unknown } }[];
    model?: unknown;
  };
  const content = Array.isArray(choices) ? choices[0]?.message?.content : undefined;
  if (typeof content !== 'string') {
    throw new LlmError('llm_error', 'llama.cpp answered a chat completion without choices[0].message.content');
  }
  return { content, model: typeof model === 'string' ? model : null };
}
