import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { httpClient, type HttpClient } from '../support/http-client.js';
import { startLlamaDouble, type LlamaDouble } from '../support/llama-double.js';
import { openSse, type SseEvent, type SseStream } from '../support/sse-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

type Json = Record<string, any>;

const CHAT = 'POST /v1/chat/completions';
const THOUGHT = 'The user asks for a sum. Two plus two is four, so answer with the number.';
const ANSWER = 'It is four.';

let double: LlamaDouble;
let server: TestServer;
let api: HttpClient;
let chatEventSchema: ReturnType<typeof Compile<TSchema>>;

// A current llama-server serving gpt-oss: a role chunk first, reasoning_content deltas, then content, usage apart.
const THINKING = { reasoning: THOUGHT, reply: ANSWER, roleChunk: true, usage: 'separate' } as const;

beforeAll(async () => {
  double = await startLlamaDouble(THINKING);
  server = await startTestServer({ llmApiUrl: double.url });
  api = httpClient(server.url);
  const doc = (await api.get('/openapi.json')).body as Json;
  const documented = doc.paths['/api/chat/stream'].post.responses['200'].content['text/event-stream'].schema;
  chatEventSchema = Compile(documented as TSchema);
});

afterAll(async () => {
  await double.close();
});

beforeEach(() => {
  double.reset();
});

async function newConversation(): Promise<string> {
  const created = await api.post('/api/conversations', {});
  expect(created.status, created.text).toBe(201);
  return created.body.id as string;
}

const chat = (body: Json): Promise<SseStream> => openSse(`${server.url}/api/chat/stream`, { body });

const textOf = (events: SseEvent[], type: 'token' | 'reasoning') =>
  events
    .filter((event) => event.event === type)
    .map((event) => event.json.token as string)
    .join('');

async function answered(conversation_id: string, message = 'What is 2 + 2?', extra: Json = {}) {
  const stream = await chat({ conversation_id, message, ...extra });
  expect(stream.status, JSON.stringify(stream.body)).toBe(200);
  const events = await stream.ended;
  const start = events[0]!.json;
  return { events, start, end: events.at(-1)! };
}

describe('a reasoning answer, streamed', () => {
  it('relays each reasoning_content delta as a reasoning event before the tokens, in one id sequence', async () => {
    const { events, start, end } = await answered(await newConversation());
    expect(events.map((event) => Number(event.id))).toEqual(events.map((_, i) => i + 1));
    const kinds = events.map((event) => event.event);
    const firstToken = kinds.indexOf('token');
    expect(kinds.lastIndexOf('reasoning')).toBeLessThan(firstToken);
    expect(kinds.slice(1, firstToken).every((kind) => kind === 'reasoning')).toBe(true);
    expect(textOf(events, 'reasoning')).toBe(THOUGHT);
    expect(textOf(events, 'token')).toBe(ANSWER);
    for (const event of events.filter((e) => e.event === 'reasoning')) {
      expect(event.json).toEqual({
        type: 'reasoning',
        token: expect.any(String),
        message_id: start.message_id,
        session_id: start.session_id,
      });
    }
    for (const event of events) expect(chatEventSchema.Check(event.json), event.data).toBe(true);
    expect(end.event).toBe('complete');
    expect(end.json).toMatchObject({ finish_reason: 'stop', cut_while_reasoning: false });
  });

  it('replays reasoning events to a resume with Last-Event-ID, then follows the rest', async () => {
    double.configure({ tokenDelayMs: 40 });
    const stream = await chat({ conversation_id: await newConversation(), message: 'Think slowly' });
    const start = await stream.next('start');
    await stream.waitFor((event) => event.event === 'reasoning' && Number(event.id) >= 4);
    const resumed = await openSse(`${server.url}/api/chat/stream/${start.json.session_id}`, {
      headers: { 'last-event-id': '2' },
    });
    const replayed = await resumed.ended;
    const all = await stream.ended;
    expect(replayed.map((event) => event.id)).toEqual(all.slice(2).map((event) => event.id));
    expect(replayed[0]!.event).toBe('reasoning');
    expect(textOf(replayed, 'reasoning')).toBe(textOf(all.slice(2), 'reasoning'));
    expect(replayed.at(-1)!.event).toBe('complete');
  });
});

describe('a reasoning answer, stored', () => {
  it('keeps the reasoning apart from the answer, with reasoning_ms and ttft_ms in its timings', async () => {
    double.configure({ tokenDelayMs: 20 });
    const { events, start } = await answered(await newConversation());
    const thoughts = events.filter((event) => event.event === 'reasoning').length;
    const message = (await api.get(`/api/messages/${start.message_id}`)).body;
    expect(message).toMatchObject({
      content: ANSWER,
      reasoning: THOUGHT,
      has_reasoning: true,
      status: 'complete',
      finish_reason: 'stop',
    });
    const { timings } = message.metadata;
    expect(timings.reasoning_ms).toEqual(expect.any(Number));
    expect(timings.ttft_ms).toEqual(expect.any(Number));
    // The first token is a thought; the answer's first comes one pause after each of them.
    expect(timings.reasoning_ms).toBeGreaterThanOrEqual(thoughts * 20 * 0.8);
    expect(timings.ttft_ms).toBeLessThan(timings.reasoning_ms);
    expect(message.reasoning_ms).toBe(timings.reasoning_ms);
  });

  it('lists pages with has_reasoning and reasoning_ms but without the text, unless include_reasoning=true', async () => {
    const conversationId = await newConversation();
    const { start } = await answered(conversationId);
    for (const query of ['', '?path=current']) {
      const page = (await api.get(`/api/conversations/${conversationId}/messages${query}`)).body;
      const [question, reply] = page.items;
      expect(question).toMatchObject({ role: 'user', has_reasoning: false, reasoning_ms: null });
      expect(question).not.toHaveProperty('reasoning');
      expect(reply).toMatchObject({ id: start.message_id, has_reasoning: true, reasoning_ms: expect.any(Number) });
      expect(reply).not.toHaveProperty('reasoning');
      const separator = query === '' ? '?' : '&';
      const full = (
        await api.get(`/api/conversations/${conversationId}/messages${query}${separator}include_reasoning=true`)
      ).body;
      expect(full.items.map((item: Json) => item.reasoning)).toEqual([null, THOUGHT]);
    }
  });

  it('stores reasoning as null for a model that does not think', async () => {
    double.configure({ reasoning: null });
    const { events, start } = await answered(await newConversation());
    expect(events.some((event) => event.event === 'reasoning')).toBe(false);
    const message = (await api.get(`/api/messages/${start.message_id}`)).body;
    expect(message).toMatchObject({ content: ANSWER, reasoning: null, has_reasoning: false, reasoning_ms: null });
    expect(message.metadata.timings).not.toHaveProperty('reasoning_ms');
  });

  it('says so when max_tokens ran out while still reasoning: length, cut_while_reasoning, no answer text', async () => {
    const { events, start, end } = await answered(await newConversation(), 'Think hard', {
      options: { max_tokens: 5 },
    });
    expect(events.some((event) => event.event === 'token')).toBe(false);
    expect(end.json).toMatchObject({ type: 'complete', finish_reason: 'length', cut_while_reasoning: true });
    const message = (await api.get(`/api/messages/${start.message_id}`)).body;
    expect(message).toMatchObject({ content: '', reasoning: textOf(events, 'reasoning'), finish_reason: 'length' });
    expect(message.reasoning).not.toBe('');
    expect(message.metadata.cut_while_reasoning).toBe(true);
  });

  it('checkpoints the reasoning while the model still thinks, so a crash keeps at most 2 s of it', async () => {
    double.configure({ reasoning: `${THOUGHT} ${THOUGHT} ${THOUGHT}`, tokenDelayMs: 100 });
    const stream = await chat({ conversation_id: await newConversation(), message: 'Take your time' });
    const start = await stream.next('start');
    await stream.waitFor((event) => event.event === 'reasoning' && Number(event.id) >= 26, 15_000);
    const during = (await api.get(`/api/messages/${start.json.message_id}`)).body;
    expect(during.status).toBe('streaming');
    expect(during.reasoning).toEqual(expect.any(String));
    expect(during.reasoning.length).toBeGreaterThan(0);
    expect(textOf(stream.events, 'reasoning').startsWith(during.reasoning)).toBe(true);
    expect((await api.post('/api/chat/stop', { session_id: start.json.session_id })).status).toBe(200);
    await stream.ended;
  }, 30_000);

  it('keeps the reasoning relayed so far when the answer is stopped', async () => {
    double.configure({ tokenDelayMs: 30 });
    const stream = await chat({ conversation_id: await newConversation(), message: 'Stop me' });
    const start = await stream.next('start');
    await stream.waitFor((event) => event.event === 'reasoning' && Number(event.id) >= 5);
    expect((await api.post('/api/chat/stop', { session_id: start.json.session_id })).status).toBe(200);
    const events = await stream.ended;
    expect(events.at(-1)!.json).toMatchObject({ type: 'error', error_type: 'cancelled' });
    const message = (await api.get(`/api/messages/${start.json.message_id}`)).body;
    expect(message).toMatchObject({ status: 'cancelled', has_reasoning: true });
    expect(message.reasoning).toBe(textOf(events, 'reasoning'));
    expect(THOUGHT.startsWith(message.reasoning)).toBe(true);
  });

  it('keeps the reasoning when llama.cpp fails in the middle of it', async () => {
    double.configure({ failure: 'stream_error_data', failAfter: 4 });
    const { events, start, end } = await answered(await newConversation());
    expect(end.json).toMatchObject({ type: 'error', error_type: 'llm_error' });
    const message = (await api.get(`/api/messages/${start.message_id}`)).body;
    expect(message.status).toBe('failed');
    expect(message.reasoning).toBe(textOf(events, 'reasoning'));
    expect(message.reasoning.length).toBeGreaterThan(0);
    expect(message.content).toBe('');
  });
});

describe('the prompt of the next question', () => {
  it("sends earlier answers without their reasoning, as the harmony format drops a finished turn's analysis", async () => {
    const conversationId = await newConversation();
    await answered(conversationId);
    await answered(conversationId, 'And 3 + 3?');
    const sent = double.last(CHAT)!.json as Json;
    const assistant = sent.messages.filter((message: Json) => message.role === 'assistant');
    expect(assistant).toEqual([{ role: 'assistant', content: ANSWER }]);
    expect(JSON.stringify(sent)).not.toContain('two is four');
  });
});
