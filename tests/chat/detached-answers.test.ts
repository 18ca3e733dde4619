import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { replyWords } from '../../tools/llama-double/tokenizer.js';
import { httpClient, type HttpClient } from '../support/http-client.js';
import { startLlamaDouble, type LlamaDouble } from '../support/llama-double.js';
import { openSse, type SseEvent } from '../support/sse-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const CHAT = 'POST /v1/chat/completions';
const GRACE_MS = 800;

let double: LlamaDouble;
let server: TestServer;
let api: HttpClient;

beforeAll(async () => {
  double = await startLlamaDouble({ nCtx: 4096 });
  server = await startTestServer({ llmApiUrl: double.url, chatDetachGraceMs: GRACE_MS });
  api = httpClient(server.url);
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

async function chatThenLeave(conversation_id: string) {
  const stream = await openSse(`${server.url}/api/chat/stream`, { body: { conversation_id, message: 'A story' } });
  expect(stream.status).toBe(200);
  const start = (await stream.next('start')).json as { session_id: string; message_id: string };
  await stream.tokens(3);
  const leftAt = stream.abort();
  await stream.ended;
  return { ...start, leftAt, seen: stream.events.length };
}

const textOf = (events: SseEvent[]) =>
  events
    .filter((event) => event.event === 'token')
    .map((event) => event.json.token as string)
    .join('');

async function messageWhen(id: string, done: (message: any) => boolean, withinMs = 10_000): Promise<any> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const message = (await api.get(`/api/messages/${id}`)).body;
    if (done(message) || Date.now() > deadline) return message;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('an answer whose client left (a page reload)', () => {
  it('goes on; the reloaded page finds it on the conversation and its resume gets every event, then the rest', async () => {
    double.configure({ tokens: 40, tokenDelayMs: 30 });
    const conversationId = await newConversation();
    const chat = await chatThenLeave(conversationId);
    // Longer than it takes llama.cpp's socket to close on a cancel: the answer is still being generated.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(double.last(CHAT)!.closedAt).toBeNull();

    const conversation = (await api.get(`/api/conversations/${conversationId}`)).body;
    expect(conversation.generating).toEqual({
      session_id: chat.session_id,
      message_id: chat.message_id,
      started_at: expect.any(String),
    });
    const resumed = await openSse(`${server.url}/api/chat/stream/${conversation.generating.session_id}`);
    const events = await resumed.ended;
    expect(events.map((event) => Number(event.id))).toEqual(events.map((_, i) => i + 1));
    expect(events[0]!.event).toBe('start');
    expect(events.at(-1)!.json).toMatchObject({ type: 'complete', finish_reason: 'stop' });
    expect(textOf(events)).toBe(replyWords(40).join(''));

    const stored = (await api.get(`/api/messages/${chat.message_id}`)).body;
    expect(stored).toMatchObject({ status: 'complete', content: replyWords(40).join('') });
    expect((await api.get(`/api/conversations/${conversationId}`)).body.generating).toBeNull();
  });

  it('finishes and is stored complete when nobody comes back before its end', async () => {
    double.configure({ tokens: 15, tokenDelayMs: 20 });
    const chat = await chatThenLeave(await newConversation());
    const stored = await messageWhen(chat.message_id, (message) => message.status !== 'streaming');
    expect(stored).toMatchObject({ status: 'complete', content: replyWords(15).join('') });
  });

  it('is cancelled once nobody listened for CHAT_DETACH_GRACE_MS, with its text so far kept', async () => {
    double.configure({ tokens: 400, tokenDelayMs: 30 });
    const chat = await chatThenLeave(await newConversation());
    const stored = await messageWhen(chat.message_id, (message) => message.status !== 'streaming');
    const upstream = double.last(CHAT)!;
    expect(upstream.clientClosed).toBe(true);
    expect(upstream.closedAt! - chat.leftAt).toBeGreaterThanOrEqual(GRACE_MS - 50);
    expect(stored).toMatchObject({ status: 'cancelled', finish_reason: 'cancelled' });
    expect(stored.content.length).toBeGreaterThan(0);
    expect(replyWords(400).join('').startsWith(stored.content)).toBe(true);
  });

  it('is not cancelled by the grace period when a resume came back in time and stayed', async () => {
    double.configure({ tokens: 70, tokenDelayMs: 20 });
    const chat = await chatThenLeave(await newConversation());
    const resumed = await openSse(`${server.url}/api/chat/stream/${chat.session_id}`, {
      headers: { 'last-event-id': String(chat.seen) },
    });
    const events = await resumed.ended;
    // 70 tokens 20 ms apart outlast the grace period: only the resumed listener kept it going.
    expect(events.at(-1)!.json).toMatchObject({ type: 'complete' });
    expect(Number(events[0]!.id)).toBe(chat.seen + 1);
  });

  it('stops at once on POST /api/chat/stop while nobody listens', async () => {
    double.configure({ tokens: 400, tokenDelayMs: 30 });
    const chat = await chatThenLeave(await newConversation());
    const stop = await api.post('/api/chat/stop', { session_id: chat.session_id });
    expect(stop.body).toEqual({ stopped: true });
    const stored = await messageWhen(chat.message_id, (message) => message.status !== 'streaming', 2_000);
    expect(stored.status).toBe('cancelled');
    expect(double.last(CHAT)!.closedAt! - chat.leftAt).toBeLessThan(GRACE_MS);
  });
});

describe("the conversation's context meter", () => {
  it("shows the context the branch's last answer used (prompt plus answer tokens) of the slot's n_ctx", async () => {
    double.configure({ tokens: 12, usage: 'separate' });
    const conversationId = await newConversation();
    expect((await api.get(`/api/conversations/${conversationId}`)).body.context).toBeNull();
    const stream = await openSse(`${server.url}/api/chat/stream`, {
      body: { conversation_id: conversationId, message: 'How full is it?' },
    });
    const events = await stream.ended;
    const { message_id } = events[0]!.json;
    const answer = (await api.get(`/api/messages/${message_id}`)).body;
    const { prompt_n, predicted_n } = answer.metadata.timings;
    const conversation = (await api.get(`/api/conversations/${conversationId}`)).body;
    expect(conversation.context).toEqual({ message_id, used: prompt_n + predicted_n, n_ctx: 4096 });
    expect(answer.metadata.context).toEqual({ used: prompt_n + predicted_n, n_ctx: 4096 });
    expect(conversation.generating).toBeNull();
  });
});
