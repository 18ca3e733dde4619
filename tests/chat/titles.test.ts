import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiSnapshot } from '../support/api-snapshot.js';
import { exchange } from '../support/commands.js';
import { httpClient, type HttpClient, type Reply } from '../support/http-client.js';
import { DEFAULT_ROUTER, startLlamaDouble, type LlamaDouble, type ReceivedRequest } from '../support/llama-double.js';
import { openSse } from '../support/sse-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

type Json = Record<string, any>;

let double: LlamaDouble;
let server: TestServer;
let api: HttpClient;

beforeAll(async () => {
  double = await startLlamaDouble();
  server = await startTestServer({ llmApiUrl: double.url });
  api = httpClient(server.url);
});

afterAll(async () => {
  await double.close();
});

/** Requests the shared double received before this test. */
let earlier = 0;

beforeEach(() => {
  double.reset();
  earlier = double.requests.length;
});

/** This test's requests for a whole reply at once: title requests, never the chat's streamed answers. */
const titleRequests = (from: LlamaDouble = double): ReceivedRequest[] =>
  from.requests
    .slice(from === double ? earlier : 0)
    .filter((r) => r.path === '/v1/chat/completions' && (r.json as Json)?.stream === false);

async function answeredConversation(client: HttpClient, baseUrl: string, question: string, body: Json = {}) {
  const id = (await client.post('/api/conversations', body)).body.id as string;
  const stream = await openSse(`${baseUrl}/api/chat/stream`, { body: { conversation_id: id, message: question } });
  expect(stream.status).toBe(200);
  expect((await stream.ended).at(-1)?.event).toBe('complete');
  return id;
}

const generateTitle = (id: string, client: HttpClient = api) => client.post(`/api/conversations/${id}/generate-title`);

function expectProblem(reply: Reply, status: number, type: string) {
  expect(reply.status, reply.text).toBe(status);
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(reply.body.type).toBe(type);
}

describe('POST /api/conversations/:id/generate-title', () => {
  it('renames the conversation with what llama.cpp suggests from the first question and answer, asked without streaming', async () => {
    double.configure({ reply: 'The sky is blue because air scatters blue light most.' });
    const id = await answeredConversation(api, server.url, 'Why is the sky blue?');
    expect((await api.get(`/api/conversations/${id}`)).body.title).toBe('Why is the sky blue?');

    double.configure({ reply: 'Title: "Why the Sky Is Blue."' });
    const reply = await generateTitle(id);

    expect(reply.status, reply.text).toBe(200);
    expect(reply.body).toMatchObject({ id, title: 'Why the Sky Is Blue' });
    expect(reply.headers.get('etag')).toMatch(/^W\/"\d+"$/);
    expect((await api.get(`/api/conversations/${id}`)).body.title).toBe('Why the Sky Is Blue');
    const [request] = titleRequests();
    expect(titleRequests()).toHaveLength(1);
    const sent = request!.json as Json;
    // Room for a reasoning model's short thought before the title, at low effort.
    expect(sent.max_tokens).toBeLessThanOrEqual(384);
    expect(sent).toMatchObject({ reasoning_effort: 'low', chat_template_kwargs: { reasoning_effort: 'low' } });
    expect(sent.messages[0].role).toBe('system');
    expect(sent.messages.at(-1).content).toContain('Why is the sky blue?');
    expect(sent.messages.at(-1).content).toContain('air scatters blue light');
  });

  it("records the rename as the model's in the event log", async () => {
    const id = await answeredConversation(api, server.url, 'Plan a trip to Kyoto');
    double.configure({ reply: 'Kyoto Trip Plan' });
    expect((await generateTitle(id)).status).toBe(200);
    const events = await api.get('/api/events?after=0&limit=1000');
    const renames = (events.body.items as Json[]).filter((e) => e.stream_id === id && e.type === 'ConversationRenamed');
    expect(renames.map((e) => e.data)).toEqual([
      { conversation_id: id, title: 'Plan a trip to Kyoto', source: 'question' },
      { conversation_id: id, title: 'Kyoto Trip Plan', source: 'model' },
    ]);
  });

  it('replaces a title a person gave, since a person asked for it', async () => {
    const id = await answeredConversation(api, server.url, 'Hello there', { title: 'Mine' });
    double.configure({ reply: 'A Friendly Greeting' });
    expect((await generateTitle(id)).body.title).toBe('A Friendly Greeting');
  });

  it("keeps at most 80 characters of a long suggestion, cut at a word, without the model's thinking", async () => {
    const id = await answeredConversation(api, server.url, 'Tell me everything');
    const words = 'word '.repeat(40).trim();
    double.configure({ reply: `<think>The user wants a title.</think>\n${words}` });
    const title = (await generateTitle(id)).body.title as string;
    expect(title.length).toBeLessThanOrEqual(80);
    expect(title).toMatch(/^(word )+word$/);
    expect(title).not.toContain('think');
  });

  it('is 404 for an unknown or deleted conversation and 409 for one without a question, asking llama.cpp nothing', async () => {
    expectProblem(await generateTitle('0192e4a0-0000-7000-8000-000000000000'), 404, '/problems/not-found');
    const deleted = await answeredConversation(api, server.url, 'Soon gone');
    expect((await api.delete(`/api/conversations/${deleted}`)).status).toBe(204);
    expectProblem(await generateTitle(deleted), 404, '/problems/not-found');
    const empty = (await api.post('/api/conversations', {})).body.id as string;
    expectProblem(await generateTitle(empty), 409, '/problems/conflict');
    expect(titleRequests()).toHaveLength(0);
  });

  it('is 503 with Retry-After while llama.cpp loads its model or is unreachable, changing nothing', async () => {
    const id = await answeredConversation(api, server.url, 'Will it load?');
    double.configure({ failure: 'loading' });
    const before = await apiSnapshot(api);
    const loading = await generateTitle(id);
    expectProblem(loading, 503, '/problems/llm-unavailable');
    expect(loading.headers.get('retry-after')).toBe('5');
    expect(await apiSnapshot(api)).toEqual(before);

    const unreachable = await startTestServer();
    const client = httpClient(unreachable.url);
    const other = (await client.post('/api/conversations', {})).body.id as string;
    await exchange(unreachable.services, other, 'Anyone there?', 'Yes.');
    const down = await generateTitle(other, client);
    expectProblem(down, 503, '/problems/llm-unavailable');
    expect(down.headers.get('retry-after')).toBe('5');
  });

  it('is 502 when llama.cpp answers an error or nothing usable, and 504 when it does not answer in time', async () => {
    const id = await answeredConversation(api, server.url, 'Name this');
    double.configure({ failure: 'http_error', httpStatus: 500 });
    expectProblem(await generateTitle(id), 502, '/problems/llm-error');
    double.configure({ failure: 'none', reply: '  "" ' });
    expectProblem(await generateTitle(id), 502, '/problems/llm-error');
    expect((await api.get(`/api/conversations/${id}`)).body.title).toBe('Name this');

    const slow = await startTestServer({ llmApiUrl: double.url, llmTimeoutMs: 300 });
    const client = httpClient(slow.url);
    const other = (await client.post('/api/conversations', {})).body.id as string;
    await exchange(slow.services, other, 'Slowly', 'Indeed.');
    double.configure({ failure: 'stall_first' });
    expectProblem(await generateTitle(other, client), 504, '/problems/llm-timeout');
  });
});

describe('AUTO_TITLE', () => {
  /** The conversation's title once it is not `placeholder` any more (the model's), or after 5 s, whatever it is. */
  async function settledTitle(client: HttpClient, id: string, placeholder: string): Promise<string> {
    for (let tries = 0; tries < 100; tries++) {
      const title = (await client.get(`/api/conversations/${id}`)).body.title as string;
      if (title !== placeholder) return title;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return placeholder;
  }

  it('names a conversation by the model after its first answer, once, and never one a person named', async () => {
    const own = await startLlamaDouble({ reply: 'Sourdough Starter Basics' });
    try {
      const auto = await startTestServer({ llmApiUrl: own.url, autoTitle: true });
      const client = httpClient(auto.url);
      const id = await answeredConversation(client, auto.url, 'How do I feed a sourdough starter?');
      expect(await settledTitle(client, id, 'How do I feed a sourdough starter?')).toBe('Sourdough Starter Basics');
      expect(titleRequests(own)).toHaveLength(1);

      own.configure({ reply: 'Something Else Entirely' });
      const again = await openSse(`${auto.url}/api/chat/stream`, {
        body: { conversation_id: id, message: 'And how often?' },
      });
      expect((await again.ended).at(-1)?.event).toBe('complete');
      const named = await answeredConversation(client, auto.url, 'Hi', { title: 'My own title' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(titleRequests(own)).toHaveLength(1);
      expect((await client.get(`/api/conversations/${id}`)).body.title).toBe('Sourdough Starter Basics');
      expect((await client.get(`/api/conversations/${named}`)).body.title).toBe('My own title');
    } finally {
      await own.close();
    }
  });

  it('is off by default: an answer leaves the title taken from the question and asks llama.cpp for no title', async () => {
    const id = await answeredConversation(api, server.url, 'What is a monad?');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(titleRequests()).toHaveLength(0);
    expect((await api.get(`/api/conversations/${id}`)).body.title).toBe('What is a monad?');
  });
});

describe('titles from a reasoning model and from a router', () => {
  it('gets a title from gpt-oss, which thinks before it answers, at low effort and with room for the thought', async () => {
    const thinker = await startLlamaDouble({ server: 'modern', reasoningTokens: 60, reply: 'Sky Colour Explained' });
    try {
      const alone = await startTestServer({ llmApiUrl: thinker.url });
      const client = httpClient(alone.url);
      const id = await answeredConversation(client, alone.url, 'Why is the sky blue?');
      const reply = await generateTitle(id, client);
      expect(reply.status, reply.text).toBe(200);
      expect(reply.body.title).toBe('Sky Colour Explained');
    } finally {
      await thinker.close();
    }
  });

  it("asks a router's first loaded model, as a router refuses a request naming none", async () => {
    const router = await startLlamaDouble({
      router: {
        ...DEFAULT_ROUTER,
        models: [
          { id: 'gpt-oss-20b', status: 'loaded', nCtx: 4096 },
          { id: 'gpt-oss-120b', status: 'unloaded', nCtx: 4096 },
        ],
      },
      reply: 'Router Title',
    });
    try {
      const alone = await startTestServer({ llmApiUrl: router.url });
      const client = httpClient(alone.url);
      const id = await answeredConversation(client, alone.url, 'Name this');
      const reply = await generateTitle(id, client);
      expect(reply.status, reply.text).toBe(200);
      expect(reply.body.title).toBe('Router Title');
      expect((titleRequests(router)[0]!.json as Json).model).toBe('gpt-oss-20b');
    } finally {
      await router.close();
    }
  });
});
