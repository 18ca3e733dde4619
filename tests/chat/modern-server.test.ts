import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { httpClient, type HttpClient } from '../support/http-client.js';
import { startLlamaDouble, type LlamaDouble } from '../support/llama-double.js';
import { openSse, type SseEvent } from '../support/sse-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

// A llama-server of September 2026 serving gpt-oss, as recorded in tests/fixtures/llama-cpp/modern: a role chunk,
// reasoning_content before content, usage in its own chunk, errors in a stream without [DONE], a 400 for a prompt
// over the context, /props with default_generation_settings {params, n_ctx} and model_alias.
let double: LlamaDouble;
let server: TestServer;
let api: HttpClient;

beforeAll(async () => {
  double = await startLlamaDouble({ server: 'modern', reasoningTokens: 12, tokens: 9 });
  server = await startTestServer({ llmApiUrl: double.url });
  api = httpClient(server.url);
});

afterAll(async () => {
  await double.close();
});

beforeEach(() => {
  double.reset();
});

async function ask(message = 'Hello') {
  const conversation = await api.post('/api/conversations', {});
  const stream = await openSse(`${server.url}/api/chat/stream`, {
    body: { conversation_id: conversation.body.id, message },
  });
  expect(stream.status, JSON.stringify(stream.body)).toBe(200);
  const events = await stream.ended;
  return { events, start: events[0]!.json, end: events.at(-1)!.json };
}

const count = (events: SseEvent[], type: string) => events.filter((event) => event.event === type).length;

describe('a current llama-server (September 2026 framing)', () => {
  it('relays its reasoning and its answer, and stores both with its usage, timings and model name', async () => {
    const { events, start, end } = await ask();
    expect(count(events, 'reasoning')).toBe(12);
    expect(count(events, 'token')).toBe(9);
    expect(end).toMatchObject({ type: 'complete', finish_reason: 'stop', token_count: 21 });
    const message = (await api.get(`/api/messages/${start.message_id}`)).body;
    expect(message.has_reasoning).toBe(true);
    expect(message.model_name).toBe('tiny-gpt-oss.gguf');
    expect(message.metadata.timings).toMatchObject({
      cache_n: expect.any(Number),
      prompt_n: expect.any(Number),
      predicted_n: 21,
      reasoning_ms: expect.any(Number),
    });
  });

  it('names the model by its alias when the server has one', async () => {
    const aliased = await startLlamaDouble({ server: 'modern', modelAlias: 'gpt-oss-20b' });
    try {
      const other = await startTestServer({ llmApiUrl: aliased.url });
      const conversation = await httpClient(other.url).post('/api/conversations', {});
      const stream = await openSse(`${other.url}/api/chat/stream`, {
        body: { conversation_id: conversation.body.id, message: 'Hello' },
      });
      const { message_id } = (await stream.ended)[0]!.json;
      expect((await httpClient(other.url).get(`/api/messages/${message_id}`)).body.model_name).toBe('gpt-oss-20b');
    } finally {
      await aliased.close();
    }
  });

  it('fails the answer with llm_error, keeping the reasoning, when an error event ends the stream without [DONE]', async () => {
    double.configure({ failure: 'stream_error_data', failAfter: 5 });
    const { events, start, end } = await ask();
    expect(end).toMatchObject({ type: 'error', error_type: 'llm_error' });
    const message = (await api.get(`/api/messages/${start.message_id}`)).body;
    expect(message).toMatchObject({ status: 'failed', metadata: { error_type: 'llm_error' } });
    expect(message.reasoning).toBe(
      events
        .filter((event) => event.event === 'reasoning')
        .map((event) => event.json.token)
        .join(''),
    );
    expect(message.reasoning.length).toBeGreaterThan(0);
  });

  it('ends an answer the server refused with 400 exceed_context_size_error as context_overflow', async () => {
    double.configure({ failure: 'context_overflow' });
    const stream = await openSse(`${server.url}/api/chat/stream`, {
      body: { conversation_id: (await api.post('/api/conversations', {})).body.id, message: 'Too long' },
    });
    const events = await stream.ended;
    expect(events.at(-1)!.json).toMatchObject({ type: 'error', error_type: 'context_overflow' });
  });
});
