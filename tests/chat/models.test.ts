import { afterAll, describe, expect, it } from 'vitest';
import { apiSnapshot } from '../support/api-snapshot.js';
import { httpClient } from '../support/http-client.js';
import { DEFAULT_ROUTER, startLlamaDouble, type LlamaDouble, type StartOptions } from '../support/llama-double.js';
import { openSse, type SseEvent } from '../support/sse-client.js';
import { startTestServer } from '../support/test-server.js';

type Json = Record<string, any>;

const CHAT = 'POST /v1/chat/completions';
const doubles: LlamaDouble[] = [];

afterAll(async () => {
  for (const double of doubles.splice(0)) await double.close();
});

async function appOn(start: StartOptions, answerReserveTokens?: number) {
  const double = await startLlamaDouble(start);
  doubles.push(double);
  const server = await startTestServer({
    llmApiUrl: double.url,
    ...(answerReserveTokens === undefined ? {} : { answerReserveTokens }),
  });
  const api = httpClient(server.url);
  const newConversation = async (body: Json = {}) => {
    const created = await api.post('/api/conversations', body);
    expect(created.status, created.text).toBe(201);
    return created.body.id as string;
  };
  const chat = async (conversation_id: string, message: string, extra: Json = {}) => {
    const stream = await openSse(`${server.url}/api/chat/stream`, { body: { conversation_id, message, ...extra } });
    return { stream, events: stream.status === 200 ? await stream.ended : ([] as SseEvent[]) };
  };
  return { double, api, url: server.url, newConversation, chat };
}

const router = (autoload = false) => ({
  router: {
    ...DEFAULT_ROUTER,
    autoload,
    models: [
      { id: 'gpt-oss-20b', status: 'loaded' as const, nCtx: 4096 },
      { id: 'gpt-oss-120b', status: 'loaded' as const, nCtx: 16384 },
    ],
  },
});

describe('a chat naming a model', () => {
  it('is refused with 422 naming options.model, and nothing is stored, when llama.cpp does not serve it', async () => {
    const { api, double, newConversation, chat } = await appOn({ server: 'modern', modelAlias: 'gpt-oss-20b' });
    const conversation = await newConversation();
    const before = await apiSnapshot(api);
    const { stream } = await chat(conversation, 'Hello', { options: { model: 'no-such-model' } });
    expect(stream.status).toBe(422);
    expect(stream.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(stream.body.errors[0]).toMatchObject({
      path: 'body/options/model',
      message: expect.stringMatching(/"no-such-model" \(from the request\) is not served.*"gpt-oss-20b"/),
    });
    expect(await apiSnapshot(api)).toEqual(before);
    expect(double.count(CHAT)).toBe(0);
  });

  it('is refused the same way for a regeneration, which leaves the first answer the only one', async () => {
    const { api, url, newConversation, chat, double } = await appOn({ server: 'modern', modelAlias: 'gpt-oss-20b' });
    const conversation = await newConversation();
    const { events } = await chat(conversation, 'Hello');
    const answer = events[0]!.json.message_id as string;
    const before = await apiSnapshot(api);
    const chats = double.count(CHAT);
    const again = await openSse(`${url}/api/messages/${answer}/regenerate`, {
      body: { options: { model: 'gpt-oss-120b' } },
    });
    expect(again.status).toBe(422);
    expect(again.body.errors[0]).toMatchObject({ path: 'body/options/model' });
    expect(await apiSnapshot(api)).toEqual(before);
    expect(double.count(CHAT)).toBe(chats);
  });

  it("is refused the same way when the conversation's settings name a model llama.cpp does not serve", async () => {
    const { api, newConversation, chat } = await appOn({ server: 'modern' });
    const conversation = await newConversation({ settings: { model: 'gone-model' } });
    const before = await apiSnapshot(api);
    const { stream } = await chat(conversation, 'Hello');
    expect(stream.status).toBe(422);
    expect(stream.body.errors[0].message).toMatch(/"gone-model" \(from the settings\)/);
    expect(await apiSnapshot(api)).toEqual(before);
  });

  it("is answered by a router's model of that name, its prompt fitted to that model's own context", async () => {
    const { api, double, newConversation, chat } = await appOn(router());
    const conversation = await newConversation({ settings: { model: 'gpt-oss-120b' } });
    const { events } = await chat(conversation, 'Which one are you?');
    expect(events.at(-1)?.event).toBe('complete');
    expect((double.last(CHAT)!.json as Json).model).toBe('gpt-oss-120b');
    const answer = (await api.get(`/api/messages/${events[0]!.json.message_id}`)).body;
    expect(answer).toMatchObject({ model_name: 'gpt-oss-120b', metadata: { context: { n_ctx: 16384 } } });
  });

  it("asks a router's first loaded model when nothing names one: a router refuses a chat without a model", async () => {
    const { api, double, newConversation, chat } = await appOn(router());
    const { events } = await chat(await newConversation(), 'Anyone?');
    expect(events.at(-1)?.event).toBe('complete');
    expect((double.last(CHAT)!.json as Json).model).toBe('gpt-oss-20b');
    const answer = (await api.get(`/api/messages/${events[0]!.json.message_id}`)).body;
    expect(answer).toMatchObject({ model_name: 'gpt-oss-20b', metadata: { context: { n_ctx: 4096 } } });
  });
});

describe('a prompt llama.cpp refuses as over its context (400 exceed_context_size_error)', () => {
  // The template adds 700 tokens the app cannot know before llama.cpp's first count; " a" words are 2 bytes each,
  // so the byte bound (the app's estimate) lets through a history llama.cpp counts at about half as much plus 700.
  const start: StartOptions = { server: 'modern', nCtx: 1024, templateTokens: 700, reasoningTokens: 0, tokens: 4 };
  const long = (n: number) => `Turn ${n}${' a'.repeat(70)}`;

  it('is fitted again to what llama.cpp counted, dropping more old turns, and sent once more', async () => {
    // A long conversation made elsewhere and imported: the first question on it is the first prompt this process
    // sends to the model, so nothing tells the template's size before llama.cpp refuses.
    const elsewhere = await appOn({ server: 'modern', nCtx: 8192, reasoningTokens: 0, tokens: 4 });
    const made = await elsewhere.newConversation();
    for (let turn = 1; turn <= 5; turn++) await elsewhere.chat(made, long(turn));
    const exported = (await elsewhere.api.get(`/api/conversations/${made}/export`)).body;

    const { api, double, chat } = await appOn(start);
    const imported = await api.post('/api/conversations/import', exported);
    expect(imported.status, imported.text).toBe(201);
    const conversation = imported.body.conversations[0].id as string;
    const options = { max_tokens: 64 };
    const { events } = await chat(conversation, long(6), { options });
    expect(events.at(-1)?.json).toMatchObject({ type: 'complete' });
    const [refused, accepted, ...more] = double.requests
      .filter((r) => `${r.method} ${r.path}` === CHAT)
      .map((request) => (request.json as Json).messages as Json[]);
    expect(more).toEqual([]);
    expect(accepted, 'a second request after the refusal').toBeDefined();
    expect(accepted!.length).toBeLessThan(refused!.length);
    expect(accepted!.at(-1)).toEqual({ role: 'user', content: long(6) });
    expect((await api.get(`/api/messages/${events[0]!.json.message_id}`)).body.status).toBe('complete');

    // What the template adds is known from then on: the next question is fitted at once.
    const before = double.count(CHAT);
    const { events: again } = await chat(conversation, long(7), { options });
    expect(again.at(-1)?.json).toMatchObject({ type: 'complete' });
    expect(double.count(CHAT)).toBe(before + 1);
  });

  it('learns what the template adds from what llama.cpp counted of each prompt, so a growing branch is never refused', async () => {
    const { double, newConversation, chat } = await appOn(start);
    const conversation = await newConversation();
    for (let turn = 1; turn <= 8; turn++) {
      const before = double.count(CHAT);
      const { events } = await chat(conversation, long(turn), { options: { max_tokens: 64 } });
      expect(events.at(-1)?.json, `turn ${turn}`).toMatchObject({ type: 'complete' });
      expect(double.count(CHAT), `turn ${turn} went once`).toBe(before + 1);
    }
  });

  it('fails the answer with context_overflow when the question cannot fit even alone', async () => {
    const { double, newConversation, chat } = await appOn({ ...start, templateTokens: 1000 });
    const before = double.count(CHAT);
    const { events } = await chat(await newConversation(), long(1), { options: { max_tokens: 64 } });
    expect(events.at(-1)?.json).toMatchObject({ type: 'error', error_type: 'context_overflow' });
    expect(double.count(CHAT)).toBe(before + 1);
  });
});

describe('the room kept for the answer (ANSWER_RESERVE_TOKENS)', () => {
  it('leaves the prompt what the reserve does not keep: a smaller reserve sends more of the branch', async () => {
    const sentTurns = async (reserve: number | undefined) => {
      const { double, newConversation, chat } = await appOn({ nCtx: 1024 }, reserve);
      const conversation = await newConversation();
      for (let turn = 1; turn <= 6; turn++) await chat(conversation, `Turn ${turn}${' a'.repeat(100)}`);
      return ((double.last(CHAT)!.json as Json).messages as Json[]).length;
    };
    // The default keeps half of the 1,024-token context; 64 keeps almost nothing.
    const keptByDefault = await sentTurns(undefined);
    const keptBySmall = await sentTurns(64);
    expect(keptByDefault).toBeLessThan(11);
    expect(keptBySmall).toBe(11);
  });
});
