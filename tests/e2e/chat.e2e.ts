import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpClient, type HttpClient } from '../support/http-client.js';
import { ONE_MODEL, startRealLlamaServer, type RealLlamaServer } from '../support/real-llama-server.js';
import { startTestServer } from '../support/test-server.js';
import { answers, documentedChatEvent, textOf } from './answers.js';

let llama: RealLlamaServer;
let api: HttpClient;
let chats: ReturnType<typeof answers>;

beforeAll(async () => {
  llama = await startRealLlamaServer(ONE_MODEL);
  const app = await startTestServer({ llmApiUrl: llama.url });
  api = httpClient(app.url);
  chats = answers(app.url, api);
});

afterAll(async () => {
  await llama?.close();
});

describe('a chat with a real llama-server serving a gpt-oss-templated model', () => {
  it('streams reasoning events, then token events, completes, and stores reasoning apart with reasoning_ms', async () => {
    const chatEvent = await documentedChatEvent(api);
    const { events, start, end } = await chats.answered(await chats.newConversation(), 'What is 2 + 2?');
    const kinds = events.map((event) => event.event);
    expect(kinds[0]).toBe('start');
    const firstToken = kinds.indexOf('token');
    expect(kinds.indexOf('reasoning')).toBe(1);
    expect(firstToken).toBeGreaterThan(1);
    expect(kinds.slice(1, firstToken).every((kind) => kind === 'reasoning')).toBe(true);
    expect(kinds.slice(firstToken, -1).every((kind) => kind === 'token')).toBe(true);
    expect(events.map((event) => Number(event.id))).toEqual(events.map((_, i) => i + 1));
    for (const event of events) expect(chatEvent.Check(event.json), event.data).toBe(true);
    expect(end.json).toMatchObject({ type: 'complete', finish_reason: 'stop', cut_while_reasoning: false });

    const message = await chats.message(start.message_id);
    expect(message).toMatchObject({
      role: 'assistant',
      status: 'complete',
      finish_reason: 'stop',
      has_reasoning: true,
      content: textOf(events, 'token'),
      reasoning: textOf(events, 'reasoning'),
      token_count: end.json.token_count,
    });
    expect(message.content).not.toBe('');
    expect(message.reasoning).not.toBe('');
    // llama.cpp counts the harmony channel headers as generated tokens: more tokens than either text alone.
    expect(message.token_count).toBeGreaterThan(0);
    expect(message.metadata.timings.reasoning_ms).toEqual(expect.any(Number));
    expect(message.metadata.timings.reasoning_ms).toBeGreaterThanOrEqual(0);
    expect(message.reasoning_ms).toBe(message.metadata.timings.reasoning_ms);
    expect(message.metadata.context).toEqual({ used: expect.any(Number), n_ctx: 2048 });
  });

  it('says length and cut_while_reasoning when max_tokens runs out before the answer begins', async () => {
    const { events, start, end } = await chats.answered(await chats.newConversation(), 'Think hard', {
      options: { max_tokens: 12 },
    });
    expect(events.some((event) => event.event === 'reasoning')).toBe(true);
    expect(events.some((event) => event.event === 'token')).toBe(false);
    expect(end.json).toMatchObject({ type: 'complete', finish_reason: 'length', cut_while_reasoning: true });
    expect(end.json.token_count).toBe(12);
    const message = await chats.message(start.message_id);
    expect(message).toMatchObject({ status: 'complete', finish_reason: 'length', content: '', has_reasoning: true });
    expect(message.reasoning).toBe(textOf(events, 'reasoning'));
    expect(message.metadata.cut_while_reasoning).toBe(true);
  });

  it("answers a second question whose prompt carries the first answer without its reasoning, as llama.cpp's template renders it", async () => {
    const conversationId = await chats.newConversation();
    const first = await chats.answered(conversationId, 'What is 2 + 2?');
    expect(first.end.json.type).toBe('complete');
    const second = await chats.answered(conversationId, 'And 3 + 3?');
    expect(second.end.json).toMatchObject({ type: 'complete', finish_reason: 'stop' });
    const reply = await chats.message(second.start.message_id);
    expect(reply).toMatchObject({ status: 'complete', has_reasoning: true, parent_message_id: expect.any(String) });

    // What llama.cpp made of the conversation: its own template and tokenizer over the first answer's content only.
    const firstAnswer = await chats.message(first.start.message_id);
    const rendered = await llamaJson('/apply-template', {
      messages: [
        { role: 'user', content: 'What is 2 + 2?' },
        { role: 'assistant', content: firstAnswer.content },
        { role: 'user', content: 'And 3 + 3?' },
      ],
    });
    const { tokens } = await llamaJson('/tokenize', { content: rendered.prompt });
    const { prompt_n, cache_n } = reply.metadata.timings;
    expect(prompt_n + cache_n).toBe(tokens.length);
    expect(reply.metadata.context.used).toBe(tokens.length + reply.token_count);
  });

  it('describes the served model: its file, 2048 tokens of context per slot, 2 slots, reasoning_effort', async () => {
    const reply = await api.get('/api/models');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      state: 'ready',
      router: false,
      autoload: null,
      error: null,
      models: [
        {
          id: 'models/tiny-gpt-oss.gguf',
          aliases: expect.any(Array),
          status: 'ready',
          file: 'models/tiny-gpt-oss.gguf',
          n_ctx: 2048,
          n_ctx_train: 4096,
          slots: 2,
          n_params: expect.any(Number),
          size_bytes: expect.any(Number),
          capabilities: { reasoning: true, reasoning_effort: true, vision: false },
        },
      ],
    });
  });
});

async function llamaJson(path: string, body: unknown): Promise<Record<string, any>> {
  const reply = await fetch(`${llama.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(reply.status, path).toBe(200);
  return (await reply.json()) as Record<string, any>;
}
