import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { uuidv7 } from '../../src/ids.js';
import { httpClient, type HttpClient } from '../support/http-client.js';
import { startLlamaDouble, type LlamaDouble } from '../support/llama-double.js';
import { openSse, type SseEvent, type SseStream } from '../support/sse-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

type Json = Record<string, any>;

const CHAT = 'POST /v1/chat/completions';
const TOKENIZE = 'POST /tokenize';
const MODEL_PATH = '/srv/models/Qwen2.5-0.5B-Instruct-Q4_K_M.gguf';
const MODEL_NAME = 'Qwen2.5-0.5B-Instruct-Q4_K_M.gguf';

let double: LlamaDouble;
let server: TestServer;
let api: HttpClient;
let chatEventSchema: ReturnType<typeof Compile<TSchema>>;

beforeAll(async () => {
  double = await startLlamaDouble({ modelPath: MODEL_PATH });
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

// ---------------------------------------------------------------------------------------------------------------
// Helpers: everything goes through the HTTP API of the running app.

async function newConversation(body: Json = {}, client: HttpClient = api): Promise<string> {
  const created = await client.post('/api/conversations', body);
  expect(created.status, created.text).toBe(201);
  return created.body.id as string;
}

function chat(body: Json, baseUrl = server.url): Promise<SseStream> {
  return openSse(`${baseUrl}/api/chat/stream`, { body });
}

function regenerate(messageId: string, body: Json = {}): Promise<SseStream> {
  return openSse(`${server.url}/api/messages/${messageId}/regenerate`, { body });
}

function resume(sessionId: string, headers: Record<string, string> = {}, query = ''): Promise<SseStream> {
  return openSse(`${server.url}/api/chat/stream/${sessionId}${query}`, { headers });
}

type Answer = { events: SseEvent[]; start: Json; complete: Json; text: string };

/** Reads a stream to its end and expects it to be a whole, completed answer. */
async function completed(pending: Promise<SseStream> | SseStream): Promise<Answer> {
  const stream = await pending;
  expect(stream.status, JSON.stringify(stream.body)).toBe(200);
  const events = await stream.ended;
  expect(events[0]?.event).toBe('start');
  expect(events.at(-1)?.event, JSON.stringify(events.at(-1)?.json)).toBe('complete');
  return { events, start: events[0]!.json, complete: events.at(-1)!.json, text: tokensOf(events) };
}

function ask(conversationId: string, message: string, extra: Json = {}, baseUrl = server.url): Promise<Answer> {
  return completed(chat({ conversation_id: conversationId, message, ...extra }, baseUrl));
}

const tokensOf = (events: SseEvent[]) =>
  events
    .filter((e) => e.event === 'token')
    .map((e) => e.json.token as string)
    .join('');

async function message(id: string, client: HttpClient = api): Promise<Json> {
  const reply = await client.get(`/api/messages/${id}`);
  expect(reply.status, reply.text).toBe(200);
  return reply.body;
}

async function conversation(id: string, client: HttpClient = api): Promise<Json> {
  const reply = await client.get(`/api/conversations/${id}`);
  expect(reply.status, reply.text).toBe(200);
  return reply.body;
}

/** Messages of a conversation (all branches, or one branch with `?path=current` / `?leaf=`). */
async function messages(conversationId: string, query = '', client: HttpClient = api): Promise<Json[]> {
  const reply = await client.get(`/api/conversations/${conversationId}/messages${query}`);
  expect(reply.status, reply.text).toBe(200);
  return reply.body.items as Json[];
}

const idsOf = (items: Json[]) => items.map((m) => m.id as string);

/** The JSON body of the last chat completion llama.cpp (the double) received. */
/** What the prompt of an answer was, as recorded in the metadata of its MessageCompleted event. */
async function promptOf(answerId: string, client: HttpClient = api): Promise<Json> {
  const log = await client.get('/api/events?limit=1000');
  const completed = (log.body.items as Json[]).find(
    (e) => e.type === 'MessageCompleted' && e.data.message_id === answerId,
  );
  expect(completed, `MessageCompleted of ${answerId}`).toBeDefined();
  return completed!.metadata.prompt;
}

function lastPrompt(on: LlamaDouble = double): Json {
  const request = on.last(CHAT);
  expect(request, 'llama.cpp received a chat completion').toBeDefined();
  return request!.json as Json;
}

/** Every `id:` is the sequence number 1, 2, 3... and every `event:` is the type in its data. */
function expectWireFormat(events: SseEvent[], firstId = 1) {
  expect(events.map((e) => e.id)).toEqual(events.map((_, i) => String(firstId + i)));
  for (const event of events) {
    expect(event.event).toBe(event.json?.type);
    expect(chatEventSchema.Check(event.json), `${event.event} matches ChatEvent: ${event.data}`).toBe(true);
  }
}

const wire = (events: SseEvent[]) => events.map(({ id, event, data }) => ({ id, event, data }));

async function problem(reply: { status: number; headers: Headers; body: any }, status: number) {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(reply.body).toMatchObject({ status, type: expect.any(String), detail: expect.any(String) });
  return reply.body as Json;
}

// ---------------------------------------------------------------------------------------------------------------

describe('POST /api/chat/stream: a streamed answer', () => {
  const REPLY = 'Hello!\nThis is *markdown*:\n\n- naïve café 🦙\n- 日本語 and Привет мир.';

  it('streams start, each token and complete as SSE with ids 1, 2, 3... and stores the completed answer', async () => {
    double.configure({ reply: REPLY });
    const conversationId = await newConversation({ title: 'Greetings' });
    const stream = await chat({ conversation_id: conversationId, message: 'Say hello in markdown' });

    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(stream.headers.get('cache-control')).toMatch(/(^|,\s*)no-cache(\s*,|$)/);
    expect(stream.headers.get('x-accel-buffering')).toBe('no');
    expect(stream.headers.get('content-encoding')).toBeNull();

    const events = await stream.ended;
    expectWireFormat(events);
    const [start, ...rest] = events.map((e) => e.json as Json);
    const complete = rest.pop()!;
    expect(start).toEqual({
      type: 'start',
      session_id: expect.any(String),
      conversation_id: conversationId,
      user_message_id: expect.any(String),
      message_id: expect.any(String),
    });
    expect(start!.user_message_id).not.toBe(start!.message_id);
    expect(rest.length).toBeGreaterThan(5);
    for (const token of rest) {
      expect(token).toEqual({
        type: 'token',
        token: expect.any(String),
        message_id: start!.message_id,
        session_id: start!.session_id,
      });
    }
    expect(complete).toEqual({
      type: 'complete',
      message_id: start!.message_id,
      token_count: rest.length,
      completion_time_ms: expect.any(Number),
      finish_reason: 'stop',
      cut_while_reasoning: false,
    });
    expect(tokensOf(events)).toBe(REPLY);
    expect(double.last(CHAT)!.tokensSent).toBe(rest.length);

    const answer = await message(start!.message_id);
    expect(answer).toMatchObject({
      id: start!.message_id,
      conversation_id: conversationId,
      role: 'assistant',
      content: REPLY,
      status: 'complete',
      finish_reason: 'stop',
      parent_message_id: start!.user_message_id,
      token_count: rest.length,
      model_name: MODEL_NAME,
      completion_time_ms: complete.completion_time_ms,
    });
    const timings = answer.metadata.timings as Json;
    expect(timings).toMatchObject({
      prompt_n: expect.any(Number),
      prompt_ms: expect.any(Number),
      predicted_n: rest.length,
      predicted_ms: expect.any(Number),
      ttft_ms: expect.any(Number),
    });
    expect(timings.ttft_ms).toBeGreaterThanOrEqual(0);
    expect(timings.ttft_ms).toBeLessThanOrEqual(complete.completion_time_ms + 1);

    const question = await message(start!.user_message_id);
    expect(question).toMatchObject({
      role: 'user',
      content: 'Say hello in markdown',
      status: 'complete',
      parent_message_id: null,
    });
    expect(await conversation(conversationId)).toMatchObject({
      title: 'Greetings',
      message_count: 2,
      current_leaf_id: start!.message_id,
    });
    expect(idsOf(await messages(conversationId))).toEqual([start!.user_message_id, start!.message_id]);
  });

  it('stores a follow-up question as a reply to the current leaf and sends the whole branch to llama.cpp', async () => {
    const conversationId = await newConversation();
    const first = await ask(conversationId, 'What is a llama?');
    const second = await ask(conversationId, 'And an alpaca?');

    const question = await message(second.start.user_message_id);
    expect(question.parent_message_id).toBe(first.start.message_id);
    expect((await message(second.start.message_id)).parent_message_id).toBe(second.start.user_message_id);
    expect(lastPrompt().messages).toEqual([
      { role: 'user', content: 'What is a llama?' },
      { role: 'assistant', content: first.text },
      { role: 'user', content: 'And an alpaca?' },
    ]);
    expect(await conversation(conversationId)).toMatchObject({
      message_count: 4,
      current_leaf_id: second.start.message_id,
    });
  });

  it('counts tokens from timings.predicted_n when llama.cpp sends no usage', async () => {
    double.configure({ usage: 'none', tokens: 7 });
    const conversationId = await newConversation();
    const answer = await ask(conversationId, 'Count without usage');
    expect(answer.complete.token_count).toBe(7);
    const stored = await message(answer.start.message_id);
    expect(stored.token_count).toBe(7);
    expect(stored.metadata.timings.predicted_n).toBe(7);
  });

  it("ends with finish_reason 'length' and stores it when llama.cpp stops at the length limit", async () => {
    double.configure({ finishReason: 'length', tokens: 5 });
    const conversationId = await newConversation();
    const answer = await ask(conversationId, 'Tell me everything');
    expect(answer.complete.finish_reason).toBe('length');
    expect(await message(answer.start.message_id)).toMatchObject({
      status: 'complete',
      finish_reason: 'length',
      token_count: 5,
      content: answer.text,
    });
  });

  it('relays each token the moment llama.cpp sends it, long before the answer ends', async () => {
    const tokens = 6;
    const delay = 150;
    double.configure({ tokens, tokenDelayMs: delay });
    const conversationId = await newConversation();
    const stream = await chat({ conversation_id: conversationId, message: 'Slowly, please' });
    const firstToken = await stream.next('token');
    // When the first token arrived, llama.cpp had not produced the rest yet.
    expect(double.last(CHAT)!.tokensSent).toBeLessThan(tokens);
    const events = await stream.ended;
    const complete = events.at(-1)!;
    expect(complete.event).toBe('complete');
    expect(complete.at - firstToken.at).toBeGreaterThan((tokens - 1) * delay * 0.7);
    const arrivals = events.filter((e) => e.event === 'token').map((e) => e.at);
    expect(arrivals).toHaveLength(tokens);
    for (let i = 1; i < arrivals.length; i++) expect(arrivals[i]! - arrivals[i - 1]!).toBeGreaterThan(delay * 0.5);
    expect(complete.json.completion_time_ms).toBeGreaterThanOrEqual((tokens - 1) * delay * 0.9);
  });
});

describe('the prompt sent to llama.cpp', () => {
  it("sends the project's system prompt first, then only the branch root -> new question, stream: true", async () => {
    const project = await api.post('/api/projects', {
      name: 'Terse',
      metadata: { system_prompt: 'You are terse.' },
    });
    expect(project.status).toBe(201);
    const conversationId = await newConversation({ project_id: project.body.id });
    const first = await ask(conversationId, 'First question?');
    await ask(conversationId, 'Second question?');
    // An edit of the second question: a branch from the first answer.
    await ask(conversationId, 'Another second question?', { parent_message_id: first.start.message_id });

    const sent = lastPrompt();
    expect(sent.stream).toBe(true);
    expect(sent.messages).toEqual([
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'First question?' },
      { role: 'assistant', content: first.text },
      { role: 'user', content: 'Another second question?' },
    ]);
  });

  it('sends no system message when the conversation is in no project', async () => {
    const conversationId = await newConversation();
    await ask(conversationId, 'Just this');
    expect(lastPrompt().messages).toEqual([{ role: 'user', content: 'Just this' }]);
  });

  it('passes temperature, top_p, max_tokens and stop through to llama.cpp', async () => {
    const conversationId = await newConversation();
    const options = { temperature: 0.25, top_p: 0.5, max_tokens: 3, stop: ['<END>', '\n\n'] };
    const answer = await ask(conversationId, 'Three tokens at most', { options });
    expect(lastPrompt()).toMatchObject({ ...options, stream: true });
    // The double honours max_tokens as llama.cpp does.
    expect(answer.complete).toMatchObject({ finish_reason: 'length', token_count: 3 });
    expect(answer.events.filter((e) => e.event === 'token')).toHaveLength(3);
  });

  it('sends a branch that fits the context even at one token per byte (known counts as they are) without asking llama.cpp to count it', async () => {
    const conversationId = await newConversation();
    const before = double.count(TOKENIZE);
    const first = await ask(conversationId, 'A short question');
    const second = await ask(conversationId, 'And a second one');
    expect(double.count(TOKENIZE)).toBe(before);
    // Recorded as a bound: each question's UTF-8 bytes plus one, the answer's tokens as llama.cpp reported them,
    // and the template's 4 tokens around each.
    const bound =
      Buffer.byteLength('A short question') +
      1 +
      first.complete.token_count +
      Buffer.byteLength('And a second one') +
      1 +
      3 * 4;
    expect(await promptOf(second.start.message_id)).toMatchObject({ tokens_bounded: true, tokens: bound, dropped: 0 });
  });

  it('counts a branch past half the context in the background, while the answer streams, and only its questions', async () => {
    // The double's n_ctx is 1024: the budget is 1024 - 512 (half kept for the answer) - 64 (the template, assumed a
    // sixteenth of a small context) = 448, and the second question takes the branch's bound past 224.
    const conversationId = await newConversation();
    const firstQuestion = `First ${'q'.repeat(80)}`;
    await ask(conversationId, firstQuestion);
    const counted = () =>
      double.requests.filter((r) => r.path === '/tokenize').map((r) => (r.json as { content: string }).content);
    expect(counted()).not.toContain(firstQuestion);
    const second = await ask(conversationId, `Second ${'q'.repeat(120)}`);
    expect(await promptOf(second.start.message_id)).toMatchObject({ tokens_bounded: true, dropped: 0 });
    await vi.waitFor(() => expect(counted()).toContain(firstQuestion), { timeout: 2_000, interval: 10 });
    // The answer in between counts by what llama.cpp reported for it; the new question is the next chat's business.
    expect(counted().filter((content) => content === firstQuestion)).toHaveLength(1);
    expect(counted()).not.toContain(`Second ${'q'.repeat(120)}`);
  });

  it('sends a new question on a branch counted before without counting it, when its byte bound fits beside the counts', async () => {
    const conversationId = await newConversation();
    // Past the budget (448) at a token per byte, so these get counted; as the tokenizer counts them they are small.
    for (let turn = 1; turn <= 3; turn++) await ask(conversationId, `Turn ${turn} ${'q'.repeat(150)}`);
    const counted = () =>
      double.requests.filter((r) => r.path === '/tokenize').map((r) => (r.json as { content: string }).content);
    await vi.waitFor(
      () => {
        expect(counted()).toContain(`Turn 1 ${'q'.repeat(150)}`);
        expect(counted()).toContain(`Turn 2 ${'q'.repeat(150)}`);
      },
      { timeout: 2_000, interval: 10 },
    );
    const last = await ask(conversationId, 'And now?');
    expect(await promptOf(last.start.message_id)).toMatchObject({ tokens_bounded: true, dropped: 0 });
    expect(counted()).not.toContain('And now?');
  });

  describe('with a small context (n_ctx 160)', () => {
    let small: LlamaDouble;
    let smallServer: TestServer;
    let smallApi: HttpClient;

    beforeAll(async () => {
      small = await startLlamaDouble({ nCtx: 160 });
      smallServer = await startTestServer({ llmApiUrl: small.url });
      smallApi = httpClient(smallServer.url);
    });

    afterAll(async () => {
      await small.close();
    });

    it('drops the oldest turns but keeps the system prompt and the new question', async () => {
      const project = await smallApi.post('/api/projects', {
        name: 'Small',
        metadata: { system_prompt: 'You are a careful assistant.' },
      });
      const conversationId = await newConversation({ project_id: project.body.id }, smallApi);
      for (let turn = 1; turn <= 5; turn++) {
        await ask(conversationId, `Question ${turn}: tell me about llamas and alpacas please`, {}, smallServer.url);
      }
      const last = await ask(conversationId, 'Final question: which one is bigger?', {}, smallServer.url);

      const path = await messages(conversationId, '?path=current', smallApi);
      expect(path).toHaveLength(12);
      const sent = lastPrompt(small).messages as Json[];
      expect(sent[0]).toEqual({ role: 'system', content: 'You are a careful assistant.' });
      expect(sent.at(-1)).toEqual({ role: 'user', content: 'Final question: which one is bigger?' });
      const history = path.slice(0, -1).map((m) => ({ role: m.role, content: m.content }));
      const kept = sent.slice(1);
      expect(kept.length).toBeGreaterThan(1);
      expect(kept.length).toBeLessThan(history.length);
      // What was kept is the newest part of the branch, in order: the oldest turns went first.
      expect(kept).toEqual(history.slice(history.length - kept.length));

      // What was sent is recorded in the metadata of the answer's MessageCompleted event.
      expect(await promptOf(last.start.message_id, smallApi)).toMatchObject({
        message_ids: idsOf(path.slice(path.length - 1 - kept.length, -1)),
        dropped: history.length - kept.length,
        n_ctx: 160,
        tokens: expect.any(Number),
        tokens_bounded: false,
      });
      // Counted by llama.cpp: the questions and the system prompt once each; the answers by what it reported.
      const questions = path.filter((m) => m.role === 'user').length;
      expect(small.count(TOKENIZE)).toBeGreaterThan(0);
      expect(small.count(TOKENIZE)).toBeLessThanOrEqual(questions + 1);
    });

    it('ends with a context_overflow error event and a failed answer when the question alone is too long', async () => {
      const conversationId = await newConversation({}, smallApi);
      const before = small.count(CHAT);
      const question = Array.from({ length: 150 }, (_, i) => `word${i}`).join(' ');
      const stream = await chat({ conversation_id: conversationId, message: question }, smallServer.url);
      expect(stream.status).toBe(200);
      const events = await stream.ended;
      expectWireFormat(events);
      expect(events.map((e) => e.event)).toEqual(['start', 'error']);
      expect(events[1]!.json).toEqual({ type: 'error', error: expect.any(String), error_type: 'context_overflow' });
      expect(small.count(CHAT)).toBe(before);

      const { user_message_id, message_id } = events[0]!.json as Json;
      expect(await message(user_message_id, smallApi)).toMatchObject({ content: question, status: 'complete' });
      const answer = await message(message_id, smallApi);
      expect(answer).toMatchObject({ status: 'failed', content: '', parent_message_id: user_message_id });
      expect(answer.metadata.error_type).toBe('context_overflow');

      // The conversation is not left busy: the next question is answered, without the one that did not fit.
      const next = await ask(conversationId, 'Short one', {}, smallServer.url);
      expect((await message(next.start.user_message_id, smallApi)).parent_message_id).toBe(message_id);
      expect(lastPrompt(small).messages).toEqual([{ role: 'user', content: 'Short one' }]);
    });
  });
});

describe('POST /api/chat/stream: refused before streaming with a JSON problem', () => {
  it('answers 404 for an unknown conversation, and calls no llama.cpp', async () => {
    const before = double.count(CHAT);
    const body = await problem(await api.post('/api/chat/stream', { conversation_id: uuidv7(), message: 'Hi' }), 404);
    expect(body.detail).toMatch(/not found/i);
    expect(double.count(CHAT)).toBe(before);
  });

  it('answers 404 for a deleted conversation', async () => {
    const conversationId = await newConversation({ title: 'Soon gone' });
    expect((await api.delete(`/api/conversations/${conversationId}`)).status).toBe(204);
    await problem(await api.post('/api/chat/stream', { conversation_id: conversationId, message: 'Hi' }), 404);
  });

  it('answers 422 naming body/message and the limit when the message is longer than MAX_MESSAGE_LENGTH', async () => {
    const limited = await startTestServer({ llmApiUrl: double.url, maxMessageLength: 20 });
    const limitedApi = httpClient(limited.url);
    const conversationId = await newConversation({}, limitedApi);

    const body = await problem(
      await limitedApi.post('/api/chat/stream', { conversation_id: conversationId, message: 'x'.repeat(21) }),
      422,
    );
    expect(body.detail).toMatch(/\b20\b/);
    expect(body.errors).toEqual([{ path: 'body/message', message: expect.stringMatching(/\b20\b/) }]);
    expect((await conversation(conversationId, limitedApi)).message_count).toBe(0);

    // Exactly at the limit is accepted.
    const answer = await ask(conversationId, 'y'.repeat(20), {}, limited.url);
    expect((await message(answer.start.user_message_id, limitedApi)).content).toBe('y'.repeat(20));
  });

  it('answers 422 for an empty message', async () => {
    const conversationId = await newConversation();
    const body = await problem(
      await api.post('/api/chat/stream', { conversation_id: conversationId, message: '' }),
      422,
    );
    expect(body.errors).toEqual([expect.objectContaining({ path: 'body/message' })]);
    expect((await conversation(conversationId)).message_count).toBe(0);
  });

  it('answers 422 for a parent_message_id that is not in the conversation, storing nothing', async () => {
    const conversationId = await newConversation();
    const body = await problem(
      await api.post('/api/chat/stream', {
        conversation_id: conversationId,
        message: 'Reply to what?',
        parent_message_id: uuidv7(),
      }),
      422,
    );
    expect(body.detail).toMatch(/parent/i);
    expect(await messages(conversationId)).toEqual([]);
  });

  it('answers 409 while another answer of the same conversation is streaming; other conversations stream', async () => {
    const conversationId = await newConversation();
    const earlier = await ask(conversationId, 'A first, quick question');
    double.configure({ tokens: 8, tokenDelayMs: 100 });
    const running = await chat({ conversation_id: conversationId, message: 'A slow one' });
    await running.next('token');

    const body = await problem(
      await api.post('/api/chat/stream', { conversation_id: conversationId, message: 'Impatient' }),
      409,
    );
    expect(body.detail).toMatch(/already/i);
    await problem(await api.post(`/api/messages/${earlier.start.message_id}/regenerate`, {}), 409);

    double.configure({ tokenDelayMs: 0 });
    await ask(await newConversation(), 'Meanwhile, elsewhere');

    const finished = await completed(running);
    expect(finished.events.filter((e) => e.event === 'token')).toHaveLength(8);
    expect(await conversation(conversationId)).toMatchObject({ message_count: 4 });
    // Once it ended the conversation takes questions again.
    await ask(conversationId, 'Now?');
  });
});

describe('conversation title', () => {
  const QUESTION =
    'Could you explain, in a few simple sentences, why the sky looks blue during the day but red at sunset?';

  it('names an untitled conversation after the first 80 characters of its first question, and keeps it', async () => {
    const conversationId = await newConversation();
    expect((await conversation(conversationId)).title).toBeNull();
    await ask(conversationId, QUESTION);
    const title = QUESTION.slice(0, 80).trim();
    expect([...title].length).toBeLessThanOrEqual(80);
    expect((await conversation(conversationId)).title).toBe(title);

    await ask(conversationId, 'A second question does not rename it');
    expect((await conversation(conversationId)).title).toBe(title);
  });

  it('keeps the title a conversation was created with', async () => {
    const conversationId = await newConversation({ title: 'Sky colours' });
    await ask(conversationId, QUESTION);
    expect((await conversation(conversationId)).title).toBe('Sky colours');
  });
});

describe('branches', () => {
  /** Q1 -> A1 -> Q2 -> A2, then an edit of Q2: Q2b as a sibling of Q2 (parent A1) -> A2b. */
  async function editedConversation() {
    const conversationId = await newConversation();
    const first = await ask(conversationId, 'Q1: what do llamas eat?');
    const second = await ask(conversationId, 'Q2: and where do they live?');
    const q2 = await message(second.start.user_message_id);
    const edited = await ask(conversationId, 'Q2b: and how long do they live?', {
      parent_message_id: q2.parent_message_id,
    });
    return {
      conversationId,
      q1: first.start.user_message_id as string,
      a1: first.start.message_id as string,
      q2: second.start.user_message_id as string,
      a2: second.start.message_id as string,
      q2b: edited.start.user_message_id as string,
      a2b: edited.start.message_id as string,
      texts: { a1: first.text },
    };
  }

  it('edit: posting with the parent of an earlier question makes a sibling branch; both stay listed', async () => {
    const { conversationId, q1, a1, q2, a2, q2b, a2b, texts } = await editedConversation();

    expect((await message(q2b)).parent_message_id).toBe(a1);
    expect(lastPrompt().messages).toEqual([
      { role: 'user', content: 'Q1: what do llamas eat?' },
      { role: 'assistant', content: texts.a1 },
      { role: 'user', content: 'Q2b: and how long do they live?' },
    ]);
    const all = await messages(conversationId);
    expect(all.map((m) => [m.id, m.parent_message_id])).toEqual([
      [q1, null],
      [a1, q1],
      [q2, a1],
      [a2, q2],
      [q2b, a1],
      [a2b, q2b],
    ]);
    expect(await conversation(conversationId)).toMatchObject({ message_count: 6, current_leaf_id: a2b });
  });

  it('?path=current returns only root -> current leaf, ?leaf= another branch', async () => {
    const { conversationId, q1, a1, q2, a2, q2b, a2b } = await editedConversation();
    expect(idsOf(await messages(conversationId, '?path=current'))).toEqual([q1, a1, q2b, a2b]);
    expect(idsOf(await messages(conversationId, `?leaf=${a2}`))).toEqual([q1, a1, q2, a2]);
    expect(idsOf(await messages(conversationId, `?leaf=${q2}`))).toEqual([q1, a1, q2]);
  });

  it('PATCH current_leaf_id switches the branch the next question replies to', async () => {
    const { conversationId, q1, a1, q2, a2 } = await editedConversation();
    const patched = await api.patch(`/api/conversations/${conversationId}`, { current_leaf_id: a2 });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body.current_leaf_id).toBe(a2);
    expect(idsOf(await messages(conversationId, '?path=current'))).toEqual([q1, a1, q2, a2]);

    const next = await ask(conversationId, 'Q3: on the first branch');
    expect((await message(next.start.user_message_id)).parent_message_id).toBe(a2);
    expect((lastPrompt().messages as Json[]).map((m) => m.content)).toEqual([
      'Q1: what do llamas eat?',
      (await message(a1)).content,
      'Q2: and where do they live?',
      (await message(a2)).content,
      'Q3: on the first branch',
    ]);
    expect(idsOf(await messages(conversationId, '?path=current'))).toEqual([
      q1,
      a1,
      q2,
      a2,
      next.start.user_message_id,
      next.start.message_id,
    ]);
  });

  it('PATCH current_leaf_id with a message of another conversation is refused with 422', async () => {
    const { conversationId, a2b } = await editedConversation();
    const other = await newConversation();
    const foreign = await ask(other, 'Elsewhere');
    const body = await problem(
      await api.patch(`/api/conversations/${conversationId}`, { current_leaf_id: foreign.start.message_id }),
      422,
    );
    expect(body.detail).toMatch(/not in this conversation/);
    expect((await conversation(conversationId)).current_leaf_id).toBe(a2b);
  });

  it('regenerate streams a new answer with the same parent; the old answer stays as a sibling', async () => {
    const conversationId = await newConversation();
    const first = await ask(conversationId, 'Tell me a llama fact');
    const old = await message(first.start.message_id);
    double.configure({ reply: 'Llamas hum to each other.' });

    const again = await completed(regenerate(first.start.message_id, { options: { temperature: 1.2 } }));
    expectWireFormat(again.events);
    expect(again.start).toEqual({
      type: 'start',
      session_id: expect.any(String),
      conversation_id: conversationId,
      user_message_id: null,
      message_id: expect.any(String),
    });
    expect(again.start.message_id).not.toBe(first.start.message_id);
    expect(again.text).toBe('Llamas hum to each other.');
    expect(lastPrompt()).toMatchObject({
      messages: [{ role: 'user', content: 'Tell me a llama fact' }],
      temperature: 1.2,
      stream: true,
    });

    const fresh = await message(again.start.message_id);
    expect(fresh).toMatchObject({
      role: 'assistant',
      status: 'complete',
      content: 'Llamas hum to each other.',
      parent_message_id: first.start.user_message_id,
      model_name: MODEL_NAME,
      finish_reason: 'stop',
    });
    expect(fresh.metadata.regenerated_from).toBe(first.start.message_id);
    expect(await message(first.start.message_id)).toEqual(old);
    expect(await conversation(conversationId)).toMatchObject({
      message_count: 3,
      current_leaf_id: again.start.message_id,
    });
    expect(idsOf(await messages(conversationId, '?path=current'))).toEqual([
      first.start.user_message_id,
      again.start.message_id,
    ]);
    expect(idsOf(await messages(conversationId, `?leaf=${first.start.message_id}`))).toEqual([
      first.start.user_message_id,
      first.start.message_id,
    ]);
  });

  it('regenerate answers 422 for a user message and 404 for an unknown message', async () => {
    const conversationId = await newConversation();
    const first = await ask(conversationId, 'Something');
    await problem(await api.post(`/api/messages/${first.start.user_message_id}/regenerate`, {}), 422);
    await problem(await api.post(`/api/messages/${uuidv7()}/regenerate`, {}), 404);
    expect((await conversation(conversationId)).message_count).toBe(2);
  });

  it('regenerate answers 404 once the conversation is deleted', async () => {
    const conversationId = await newConversation();
    const first = await ask(conversationId, 'Soon deleted');
    expect((await api.delete(`/api/conversations/${conversationId}`)).status).toBe(204);
    await problem(await api.post(`/api/messages/${first.start.message_id}/regenerate`, {}), 404);
  });
});

describe('GET /api/chat/stream/:session_id: resume', () => {
  it('replays the events after Last-Event-ID, then follows live to the end, without gap or duplicate', async () => {
    double.configure({ tokens: 8, tokenDelayMs: 100 });
    const conversationId = await newConversation();
    const first = await chat({ conversation_id: conversationId, message: 'A long answer, please' });
    const seen = [await first.next(), await first.next(), await first.next()];
    expect(seen.map((e) => e?.event)).toEqual(['start', 'token', 'token']);
    const sessionId = seen[0]!.json.session_id as string;

    const second = await resume(sessionId, { 'Last-Event-ID': seen[2]!.id! });
    expect(second.status).toBe(200);
    expect(second.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(second.headers.get('x-accel-buffering')).toBe('no');

    const [all, rest] = await Promise.all([first.ended, second.ended]);
    expectWireFormat(all);
    expectWireFormat(rest, 4);
    expect(all.at(-1)!.event).toBe('complete');
    expect(rest.at(-1)!.event).toBe('complete');
    expect(wire(rest)).toEqual(wire(all.slice(3)));
    // The second connection followed the generation live: it had events long before the answer ended.
    expect(rest[0]!.at).toBeLessThan(all.at(-1)!.at - 200);
    expect(tokensOf(all)).toBe((await message(seen[0]!.json.message_id)).content);
  });

  it('after the end, replays up to the final event and closes (Last-Event-ID, ?last_event_id=, or all)', async () => {
    const conversationId = await newConversation();
    const answer = await ask(conversationId, 'Quick one');
    const sessionId = answer.start.session_id as string;

    const afterTwo = await resume(sessionId, { 'Last-Event-ID': '2' });
    expect(afterTwo.status).toBe(200);
    expect(wire(await afterTwo.ended)).toEqual(wire(answer.events.slice(2)));

    const byQuery = await resume(sessionId, {}, '?last_event_id=4');
    expect(wire(await byQuery.ended)).toEqual(wire(answer.events.slice(4)));

    const everything = await resume(sessionId);
    expect(wire(await everything.ended)).toEqual(wire(answer.events));
  });

  it('after the end, a client that already has the final event gets it once more and the stream closes', async () => {
    const conversationId = await newConversation();
    const answer = await ask(conversationId, 'Quick one');
    const last = answer.events.at(-1)!;
    for (const lastEventId of [last.id!, '999']) {
      const again = await resume(answer.start.session_id, { 'Last-Event-ID': lastEventId });
      expect(again.status).toBe(200);
      expect(wire(await again.ended)).toEqual(wire([last]));
    }
  });

  it('a Last-Event-ID header wins over ?last_event_id=; one that is not an event id is a 422 naming the header', async () => {
    const conversationId = await newConversation();
    const answer = await ask(conversationId, 'Quick one');
    const sessionId = answer.start.session_id as string;

    const both = await resume(sessionId, { 'Last-Event-ID': '3' }, '?last_event_id=1');
    expect(wire(await both.ended)).toEqual(wire(answer.events.slice(3)));

    for (const header of ['abc', '-3', '1.5', '9'.repeat(20)]) {
      const refused = await resume(sessionId, { 'Last-Event-ID': header });
      expect((await problem(refused, 422)).errors, header).toEqual([
        { path: 'header/Last-Event-ID', message: expect.any(String) },
      ]);
    }
  });

  it('answers 404 with a problem for an unknown session', async () => {
    await problem(await api.get(`/api/chat/stream/${uuidv7()}`), 404);
  });
});
