import { createServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { replyWords } from '../../tools/llama-double/tokenizer.js';
import { httpClient, type HttpClient } from '../support/http-client.js';
import {
  startLlamaDouble,
  type LlamaDouble,
  type LlamaDoubleOptions,
  type ReceivedRequest,
} from '../support/llama-double.js';
import { killServerProcesses, startServerProcess } from '../support/server-process.js';
import { openSse, type SseStream } from '../support/sse-client.js';
import { freshDatabase, type TestDatabase } from '../support/test-database.js';
import { startTestServer } from '../support/test-server.js';

const CHAT = 'POST /v1/chat/completions';
/** The upstream socket must be closed this soon after a stop or a disconnect. */
const ABORT_WITHIN_MS = 100;
const CONTEXT_EXCEEDED =
  'the request exceeds the available context size. try increasing the context size or enable context shift';

/** A running app: in this process (startTestServer) or in its own (startInOwnProcess). */
type Server = { url: string };

let double: LlamaDouble;
const doubles: LlamaDouble[] = [];
const databases: TestDatabase[] = [];

beforeAll(async () => {
  double = await startLlamaDouble();
  doubles.push(double);
});

beforeEach(() => {
  for (const each of doubles) each.reset();
});

afterAll(async () => {
  killServerProcesses();
  for (const each of doubles.splice(0)) await each.close();
  for (const database of databases.splice(0)) await database.drop();
});

/**
 * `node dist/server.mjs` on a fresh database, configured by `env` only. An app started in this process shares its event
 * loop with the double: the double would see a closed socket only once the app's own work after the abort is done.
 */
async function startInOwnProcess(env: Record<string, string>): Promise<Server> {
  const database = await freshDatabase();
  databases.push(database);
  return startServerProcess({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: database.url, LOG_LEVEL: 'info', ...env });
}

/** The text of the first `count` tokens of the double's generated reply. */
const replyText = (count: number) => replyWords(count).join('');

async function newConversation(api: HttpClient): Promise<string> {
  const created = await api.post('/api/conversations', {});
  expect(created.status).toBe(201);
  return created.body.id;
}

function chat(server: Server, conversationId: string, message = 'Tell me a story'): Promise<SseStream> {
  return openSse(`${server.url}/api/chat/stream`, { body: { conversation_id: conversationId, message } });
}

/** The ids of the `start` event of a stream. */
async function started(
  stream: SseStream,
): Promise<{ session_id: string; message_id: string; user_message_id: string }> {
  expect(stream.status).toBe(200);
  return (await stream.next('start')).json;
}

async function message(api: HttpClient, id: string): Promise<any> {
  const reply = await api.get(`/api/messages/${id}`);
  expect(reply.status).toBe(200);
  return reply.body;
}

async function eventually<T>(read: () => Promise<T> | T, done: (value: T) => boolean, ms = 5_000): Promise<T> {
  const deadline = performance.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (performance.now() > deadline) throw new Error(`still not there after ${ms} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The message once it is no longer streaming. */
const settled = (api: HttpClient, id: string) =>
  eventually(
    () => message(api, id),
    (m) => m.status !== 'streaming',
  );

/** The last chat completion request llama.cpp received. */
function lastChat(): ReceivedRequest {
  const request = double.last(CHAT);
  expect(request, 'llama.cpp received no chat request').toBeDefined();
  return request!;
}

/** The chat request once its TCP connection closed. */
const upstreamClosed = (request: ReceivedRequest) =>
  eventually(
    () => request.closedAt,
    (closedAt) => closedAt !== null,
  ).then(() => request);

/** A chat in the same conversation now streams to its end: nothing was left running or locked. */
async function expectHealthy(server: Server, conversationId: string): Promise<void> {
  double.reset();
  const next = await chat(server, conversationId, 'Are you still there?');
  expect(next.status).toBe(200);
  const events = await next.ended;
  expect(events.at(-1)?.json).toMatchObject({ type: 'complete', finish_reason: 'stop' });
  expect(next.text()).toBe(replyText(12));
  const { message_id } = events[0]!.json;
  expect(await message(httpClient(server.url), message_id)).toMatchObject({ status: 'complete' });
}

/** A TCP port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('stop, disconnect and checkpoints, with the server in its own process', () => {
  let server: Server;
  let api: HttpClient;

  beforeAll(async () => {
    // Cancel on disconnect, as before answers outlived a page reload (tests/chat/detached-answers.test.ts).
    server = await startInOwnProcess({
      LLM_API_URL: double.url,
      LLM_MAX_CONCURRENCY: '1',
      LLM_MAX_QUEUE: '0',
      CHAT_DETACH_GRACE_MS: '0',
    });
    api = httpClient(server.url);
  });

  // The 100 ms bound is measured across processes on a shared 2-core machine: a retry absorbs a scheduler hiccup,
  // a real regression (no abort, or a late one) fails every attempt.
  it(
    '{session_id} closes the llama.cpp socket within 100 ms and keeps the partial answer, cancelled',
    { retry: 2 },
    async () => {
      double.configure({ tokens: 200, tokenDelayMs: 50 });
      const conversationId = await newConversation(api);
      const stream = await chat(server, conversationId);
      const { session_id, message_id } = await started(stream);
      await stream.tokens(3);

      const stopAt = performance.now();
      const stop = await api.post('/api/chat/stop', { session_id });
      expect(stop.status).toBe(200);
      expect(stop.body).toEqual({ stopped: true });

      const upstream = await upstreamClosed(lastChat());
      expect(upstream.clientClosed).toBe(true);
      expect(upstream.closedAt! - stopAt).toBeLessThan(ABORT_WITHIN_MS);

      const events = await stream.ended;
      expect(events.at(-1)?.json).toEqual({ type: 'error', error: expect.any(String), error_type: 'cancelled' });
      expect(events.map((e) => e.event)).toEqual(['start', ...events.slice(1, -1).map(() => 'token'), 'error']);
      const received = stream.text();
      expect(received.length).toBeGreaterThan(0);
      expect(replyText(200).startsWith(received)).toBe(true);
      // Nothing was generated after the stop reached the server: at most the tokens llama.cpp had sent.
      expect(events.length - 2).toBeLessThanOrEqual(upstream.tokensSent);

      expect(await message(api, message_id)).toMatchObject({
        status: 'cancelled',
        finish_reason: 'cancelled',
        content: received,
      });
    },
  );

  it('repeating the stop answers {stopped: false} and changes nothing', async () => {
    double.configure({ tokens: 200, tokenDelayMs: 50 });
    const conversationId = await newConversation(api);
    const stream = await chat(server, conversationId);
    const { session_id, message_id } = await started(stream);
    await stream.tokens(2);
    expect((await api.post('/api/chat/stop', { session_id })).body).toEqual({ stopped: true });
    await stream.ended;
    const stored = await message(api, message_id);

    const again = await api.post('/api/chat/stop', { session_id });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ stopped: false });
    expect(await message(api, message_id)).toEqual(stored);
    await expectHealthy(server, conversationId);
  });

  it('{message_id} stops the answer being generated into that message', async () => {
    double.configure({ tokens: 200, tokenDelayMs: 50 });
    const conversationId = await newConversation(api);
    const stream = await chat(server, conversationId);
    const { message_id } = await started(stream);
    await stream.tokens(2);

    const stopAt = performance.now();
    const stop = await api.post('/api/chat/stop', { message_id });
    expect(stop.body).toEqual({ stopped: true });
    const upstream = await upstreamClosed(lastChat());
    expect(upstream.clientClosed).toBe(true);
    expect(upstream.closedAt! - stopAt).toBeLessThan(ABORT_WITHIN_MS);

    const events = await stream.ended;
    expect(events.at(-1)?.json).toMatchObject({ type: 'error', error_type: 'cancelled' });
    expect(await message(api, message_id)).toMatchObject({
      status: 'cancelled',
      finish_reason: 'cancelled',
      content: stream.text(),
    });
    expect((await api.post('/api/chat/stop', { message_id })).body).toEqual({ stopped: false });
  });

  it('an unknown session or message answers {stopped: false}', async () => {
    const unknown = '01890a5d-ac96-774b-bcce-b302099a8057';
    for (const body of [{ session_id: unknown }, { message_id: unknown }]) {
      const reply = await api.post('/api/chat/stop', body);
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ stopped: false });
    }
  });

  it('an answer that already completed answers {stopped: false} and stays complete', async () => {
    const conversationId = await newConversation(api);
    const stream = await chat(server, conversationId);
    const { session_id, message_id } = await started(stream);
    await stream.ended;
    expect((await api.post('/api/chat/stop', { session_id })).body).toEqual({ stopped: false });
    expect(await message(api, message_id)).toMatchObject({ status: 'complete', content: replyText(12) });
  });

  it(
    'with CHAT_DETACH_GRACE_MS=0 a client leaving closes the llama.cpp socket within 100 ms; the partial answer is kept, cancelled',
    { retry: 2 },
    async () => {
      double.configure({ tokens: 200, tokenDelayMs: 50 });
      const conversationId = await newConversation(api);
      const stream = await chat(server, conversationId);
      const { message_id } = await started(stream);
      await stream.tokens(3);

      const abortAt = stream.abort();
      const upstream = await upstreamClosed(lastChat());
      expect(upstream.clientClosed).toBe(true);
      expect(upstream.closedAt! - abortAt).toBeLessThan(ABORT_WITHIN_MS);

      const stored = await settled(api, message_id);
      expect(stored).toMatchObject({ status: 'cancelled', finish_reason: 'cancelled' });
      // The client read everything up to its abort; a token in flight then may be stored without being read.
      expect(stored.content.startsWith(stream.text())).toBe(true);
      expect(stream.text().length).toBeGreaterThan(0);
      expect(replyText(200).startsWith(stored.content)).toBe(true);
      expect(stored.content.length).toBeLessThan(replyText(upstream.tokensSent + 1).length);
      await expectHealthy(server, conversationId);
    },
  );

  it('the partial text is stored every 2 s while streaming, as deltas (a crash loses at most 2 s)', async () => {
    double.configure({ tokens: 50, tokenDelayMs: 100 });
    const conversationId = await newConversation(api);
    const stream = await chat(server, conversationId);
    const { message_id } = await started(stream);
    const firstToken = await stream.next('token');

    const seen = await eventually(
      () => message(api, message_id),
      (m) => m.content !== '',
      8_000,
    );
    expect(seen.status).toBe('streaming');
    expect(performance.now() - firstToken.at).toBeGreaterThan(1_500);
    expect(stream.text().startsWith(seen.content)).toBe(true);

    const events = await stream.ended;
    expect(events.at(-1)?.json).toMatchObject({ type: 'complete' });
    const final = await message(api, message_id);
    expect(final).toMatchObject({ status: 'complete', content: replyText(50) });
    expect(seen.content.length).toBeLessThan(final.content.length);
    expect(final.content.startsWith(seen.content)).toBe(true);

    // Each checkpoint appended what came since the one before, never the whole text again.
    const log = await api.get('/api/events?after=0&limit=1000');
    const deltas: string[] = log.body.items
      .filter((e: any) => e.type === 'AssistantResponseProgressed' && e.data.message_id === message_id)
      .map((e: any) => e.data.delta);
    expect(deltas.length).toBeGreaterThanOrEqual(2);
    expect(final.content.startsWith(deltas.join(''))).toBe(true);
    expect(deltas[0]).toBe(seen.content);
  });
});

type FailureCase = {
  name: string;
  options: Partial<LlamaDoubleOptions>;
  /** Tokens the client receives before the failure. */
  tokens: number;
  error_type: 'llm_error' | 'context_overflow';
  error: RegExp;
};

const failures: FailureCase[] = [
  {
    name: 'an HTTP 500 answer of llama.cpp',
    options: { failure: 'http_error', httpStatus: 500 },
    tokens: 0,
    error_type: 'llm_error',
    error: /simulated http_error 500/,
  },
  {
    name: 'an old-style `error: {...}` line mid-stream',
    options: { failure: 'stream_error_line', failAfter: 3 },
    tokens: 3,
    error_type: 'llm_error',
    error: /simulated stream_error_line/,
  },
  {
    name: 'a newer `data: {"error": {...}}` event mid-stream',
    options: { failure: 'stream_error_data', failAfter: 3 },
    tokens: 3,
    error_type: 'llm_error',
    error: /simulated stream_error_data/,
  },
  {
    name: 'an old-style error line saying the context is exceeded',
    options: { failure: 'stream_error_line', failAfter: 2, errorMessage: CONTEXT_EXCEEDED },
    tokens: 2,
    error_type: 'context_overflow',
    error: /exceeds the available context size/,
  },
  {
    name: 'a newer error event saying the context is exceeded',
    options: { failure: 'stream_error_data', failAfter: 2, errorMessage: CONTEXT_EXCEEDED },
    tokens: 2,
    error_type: 'context_overflow',
    error: /exceeds the available context size/,
  },
  {
    name: "llama.cpp's context overflow error line before any token (b4748)",
    options: { failure: 'context_overflow', errorStyle: 'line' },
    tokens: 0,
    error_type: 'context_overflow',
    error: /exceeds the available context size/,
  },
  {
    name: "llama.cpp's exceed_context_size_error event before any token (newer servers)",
    options: { failure: 'context_overflow', errorStyle: 'data' },
    tokens: 0,
    error_type: 'context_overflow',
    error: /exceeds the available context size/,
  },
  {
    name: "llama.cpp's HTTP 400 context overflow answer",
    options: { failure: 'context_overflow', errorStyle: 'http' },
    tokens: 0,
    error_type: 'context_overflow',
    error: /exceeds the available context size/,
  },
  {
    name: 'a malformed (truncated JSON) line mid-stream',
    options: { failure: 'malformed', failAfter: 3 },
    tokens: 3,
    error_type: 'llm_error',
    error: /malformed line/,
  },
  {
    name: 'a connection reset mid-stream',
    options: { failure: 'reset', failAfter: 3 },
    tokens: 3,
    error_type: 'llm_error',
    error: /broke off/,
  },
  {
    name: 'a stream that ends without a finish chunk or [DONE]',
    options: { failure: 'no_finish', failAfter: 3 },
    tokens: 3,
    error_type: 'llm_error',
    error: /without (a )?finish/,
  },
];

describe('llama.cpp failing during an answer (error events)', () => {
  let server: Server;
  let api: HttpClient;

  beforeAll(async () => {
    // One slot and no queue: a generation left running by a failure would refuse the next chat with 429.
    server = await startTestServer({ llmApiUrl: double.url, llmMaxConcurrency: 1, llmMaxQueue: 0 });
    api = httpClient(server.url);
  });

  it.each(failures)(
    '$name: an `error` event ($error_type), the answer failed with its partial text, the next chat succeeds',
    async ({ options, tokens, error_type, error }) => {
      double.configure({ tokens: 12, tokenDelayMs: 5, ...options });
      const conversationId = await newConversation(api);
      const stream = await chat(server, conversationId, 'What went wrong?');
      const { message_id, user_message_id } = await started(stream);
      const events = await stream.ended;

      const last = events.at(-1)!;
      expect(last.event).toBe('error');
      expect(last.json).toEqual({ type: 'error', error: expect.stringMatching(error), error_type });
      expect(events.filter((e) => e.event === 'token')).toHaveLength(tokens);
      expect(stream.text()).toBe(replyText(tokens));

      const stored = await message(api, message_id);
      expect(stored).toMatchObject({
        status: 'failed',
        content: replyText(tokens),
        metadata: { error: last.json.error, error_type },
      });
      expect(await message(api, user_message_id)).toMatchObject({ status: 'complete', content: 'What went wrong?' });
      await expectHealthy(server, conversationId);
    },
  );
});

describe('the one slot of a server with no queue', () => {
  it('is free the moment an answer ends: a chat asked as soon as the final event arrives is never refused', async () => {
    const server = await startTestServer({ llmApiUrl: double.url, llmMaxConcurrency: 1, llmMaxQueue: 0 });
    const api = httpClient(server.url);
    const conversationId = await newConversation(api);
    double.configure({ tokens: 2, tokenDelayMs: 0 });
    const statuses: number[] = [];
    try {
      for (let round = 0; round < 20; round++) {
        // Half the answers end in an error, the other half complete: both ends free the slot first.
        double.configure({ failure: round % 2 === 0 ? 'none' : 'stream_error_line', failAfter: 1 });
        const stream = await chat(server, conversationId, `Round ${round}`);
        statuses.push(stream.status);
        if (stream.status === 200) await stream.ended;
      }
    } finally {
      double.reset();
      await server.close();
    }
    expect(statuses).toEqual(statuses.map(() => 200));
  });
});

describe('llama.cpp going silent (LLM_TIMEOUT_MS, LLM_IDLE_TIMEOUT_MS)', () => {
  const TIMEOUT_MS = 400;
  let server: Server;
  let api: HttpClient;

  beforeAll(async () => {
    server = await startTestServer({
      llmApiUrl: double.url,
      llmTimeoutMs: TIMEOUT_MS,
      llmIdleTimeoutMs: TIMEOUT_MS,
      llmMaxConcurrency: 1,
      llmMaxQueue: 0,
    });
    api = httpClient(server.url);
  });

  it('no first token in time: a timeout error event, the llama.cpp socket closed, the answer failed', async () => {
    double.configure({ failure: 'stall_first' });
    const conversationId = await newConversation(api);
    const stream = await chat(server, conversationId);
    const start = await stream.next('start');
    const { message_id } = start.json;
    const events = await stream.ended;

    const last = events.at(-1)!;
    expect(last.json).toEqual({ type: 'error', error: expect.stringMatching(/first token/), error_type: 'timeout' });
    expect(events.map((e) => e.event)).toEqual(['start', 'error']);
    expect(last.at - start.at).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(last.at - start.at).toBeLessThan(TIMEOUT_MS + 2_000);
    const upstream = await upstreamClosed(lastChat());
    expect(upstream.clientClosed).toBe(true);

    expect(await message(api, message_id)).toMatchObject({
      status: 'failed',
      content: '',
      metadata: { error: last.json.error, error_type: 'timeout' },
    });
    await expectHealthy(server, conversationId);
  });

  it('too long a pause between tokens: a timeout error event, the answer failed with the tokens sent', async () => {
    double.configure({ failure: 'stall_after', failAfter: 3 });
    const conversationId = await newConversation(api);
    const stream = await chat(server, conversationId);
    const { message_id } = await started(stream);
    const events = await stream.ended;

    const last = events.at(-1)!;
    expect(last.json).toEqual({
      type: 'error',
      error: expect.stringMatching(new RegExp(`no data from llama.cpp for ${TIMEOUT_MS} ms`)),
      error_type: 'timeout',
    });
    expect(stream.text()).toBe(replyText(3));
    const lastToken = events.at(-2)!;
    expect(lastToken.event).toBe('token');
    expect(last.at - lastToken.at).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect((await upstreamClosed(lastChat())).clientClosed).toBe(true);

    expect(await message(api, message_id)).toMatchObject({
      status: 'failed',
      content: replyText(3),
      metadata: { error: last.json.error, error_type: 'timeout' },
    });
    await expectHealthy(server, conversationId);
  });

  it('a slow, steady answer outlasting both timeouts completes: idle time counts from the last token', async () => {
    double.configure({ tokens: 6, tokenDelayMs: TIMEOUT_MS / 2 });
    const conversationId = await newConversation(api);
    const stream = await chat(server, conversationId);
    const { message_id } = await started(stream);
    const events = await stream.ended;
    expect(events.at(-1)!.at - events[0]!.at).toBeGreaterThan(TIMEOUT_MS * 2);
    expect(events.at(-1)?.json).toMatchObject({ type: 'complete', finish_reason: 'stop' });
    expect(await message(api, message_id)).toMatchObject({ status: 'complete', content: replyText(6) });
  });
});

describe('llama.cpp unavailable before the answer starts: a 503 problem, not a stream', () => {
  /** The conversation's messages, oldest first. */
  async function messages(api: HttpClient, conversationId: string): Promise<any[]> {
    const reply = await api.get(`/api/conversations/${conversationId}/messages`);
    expect(reply.status).toBe(200);
    return reply.body.items;
  }

  function expectUnavailableProblem(stream: SseStream) {
    expect(stream.status).toBe(503);
    expect(stream.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(stream.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(stream.body).toMatchObject({ type: '/problems/llm-unavailable', status: 503 });
    expect(stream.events).toEqual([]);
  }

  it('unreachable: 503 llm-unavailable with Retry-After; the question stored, the answer stored failed', async () => {
    const server = await startTestServer({ llmApiUrl: `http://127.0.0.1:${await closedPort()}` });
    const api = httpClient(server.url);
    const conversationId = await newConversation(api);

    const refused = await chat(server, conversationId, 'Is anybody there?');
    expectUnavailableProblem(refused);
    expect(refused.body.detail).toMatch(/unreachable/);

    const [question, answer, ...rest] = await messages(api, conversationId);
    expect(rest).toEqual([]);
    expect(question).toMatchObject({ role: 'user', content: 'Is anybody there?', status: 'complete' });
    expect(answer).toMatchObject({
      role: 'assistant',
      parent_message_id: question.id,
      status: 'failed',
      content: '',
      metadata: { error_type: 'llm_unavailable', error: expect.stringMatching(/unreachable/) },
    });

    // Nothing was left streaming: the next question is not refused as a conflict.
    expectUnavailableProblem(await chat(server, conversationId, 'Hello?'));
    expect(await messages(api, conversationId)).toHaveLength(4);
  });

  it('loading its model: 503 llm-unavailable, the answer stored failed; once loaded, chats stream', async () => {
    const loading = await startLlamaDouble({ mode: 'loading' });
    doubles.push(loading);
    const server = await startTestServer({ llmApiUrl: loading.url });
    const api = httpClient(server.url);
    const conversationId = await newConversation(api);

    const refused = await chat(server, conversationId, 'Are you ready?');
    expectUnavailableProblem(refused);
    expect(refused.body.detail).toMatch(/Loading model/);
    const [question, answer] = await messages(api, conversationId);
    expect(question).toMatchObject({ role: 'user', content: 'Are you ready?' });
    expect(answer).toMatchObject({
      role: 'assistant',
      status: 'failed',
      content: '',
      metadata: { error_type: 'llm_unavailable' },
    });
    expect(loading.count(CHAT)).toBe(0);

    loading.setMode('ok');
    const next = await chat(server, conversationId, 'And now?');
    const events = await next.ended;
    expect(events.at(-1)?.json).toMatchObject({ type: 'complete' });
    expect(next.text()).toBe(replyText(12));
  });

  it('llama.cpp going away after props were cached still gets a 503 problem, not a stream; answer failed', async () => {
    const going = await startLlamaDouble();
    doubles.push(going);
    const server = await startTestServer({ llmApiUrl: going.url });
    const api = httpClient(server.url);
    const conversationId = await newConversation(api);
    expect((await (await chat(server, conversationId, 'Warm up')).ended).at(-1)?.json.type).toBe('complete');

    going.setMode('loading');
    const loading = await chat(server, conversationId, 'Still there?');
    expectUnavailableProblem(loading);
    expect(loading.body.detail).toMatch(/Loading model/);
    const [, , question, answer] = await messages(api, conversationId);
    expect(question).toMatchObject({ role: 'user', content: 'Still there?' });
    expect(answer).toMatchObject({ status: 'failed', content: '', metadata: { error_type: 'llm_unavailable' } });

    await going.close();
    const gone = await chat(server, conversationId, 'Hello?');
    expectUnavailableProblem(gone);
    const all = await messages(api, conversationId);
    expect(all.at(-2)).toMatchObject({ role: 'user', content: 'Hello?', status: 'complete' });
    expect(all.at(-1)).toMatchObject({ role: 'assistant', status: 'failed', content: '' });
  });
});

describe('more chats than LLM_MAX_CONCURRENCY (one slot)', () => {
  it('a second chat waits with a `queued` event and streams once the first one ended', async () => {
    const server = await startTestServer({ llmApiUrl: double.url, llmMaxConcurrency: 1, llmMaxQueue: 4 });
    const api = httpClient(server.url);
    double.configure({ tokens: 8, tokenDelayMs: 100 });
    const first = await chat(server, await newConversation(api), 'First');
    await first.tokens(1);
    const chatsBefore = double.count(CHAT);

    const second = await chat(server, await newConversation(api), 'Second');
    const { session_id, message_id } = await started(second);
    const queued = await second.next('queued');
    expect(queued.json).toEqual({ type: 'queued', session_id, position: 1 });
    expect(double.count(CHAT)).toBe(chatsBefore);
    expect(await message(api, message_id)).toMatchObject({ status: 'streaming', content: '' });

    const [firstEvents, secondEvents] = await Promise.all([first.ended, second.ended]);
    const firstEnd = firstEvents.at(-1)!;
    expect(firstEnd.json).toMatchObject({ type: 'complete' });
    expect(secondEvents.map((e) => e.event)).toEqual([
      'start',
      'queued',
      ...replyWords(8).map(() => 'token'),
      'complete',
    ]);
    expect(secondEvents[2]!.at).toBeGreaterThan(firstEnd.at);
    expect(second.text()).toBe(replyText(8));
    expect(await message(api, message_id)).toMatchObject({ status: 'complete', content: replyText(8) });
  });

  it('with CHAT_DETACH_GRACE_MS=0 a queued chat whose client leaves quits the queue without calling llama.cpp, stored cancelled', async () => {
    const server = await startTestServer({
      llmApiUrl: double.url,
      llmMaxConcurrency: 1,
      llmMaxQueue: 4,
      chatDetachGraceMs: 0,
    });
    const api = httpClient(server.url);
    double.configure({ tokens: 200, tokenDelayMs: 50 });
    const first = await chat(server, await newConversation(api), 'First');
    const running = await started(first);
    await first.tokens(1);
    const chatsBefore = double.count(CHAT);

    const leaving = await chat(server, await newConversation(api), 'Second');
    const { message_id } = await started(leaving);
    expect((await leaving.next('queued')).json.position).toBe(1);
    leaving.abort();
    expect(await settled(api, message_id)).toMatchObject({ status: 'cancelled', content: '' });

    const third = await chat(server, await newConversation(api), 'Third');
    expect((await third.next('queued')).json.position).toBe(1);
    double.reset(); // the third chat gets the quick default answer; the first keeps its slow one
    expect((await api.post('/api/chat/stop', { session_id: running.session_id })).body).toEqual({ stopped: true });
    const events = await third.ended;
    expect(events.at(-1)?.json).toMatchObject({ type: 'complete' });
    // The first chat and the third reached llama.cpp; the one that left the queue never did.
    expect(double.count(CHAT)).toBe(chatsBefore + 1);
  });

  it('with LLM_MAX_QUEUE=0 a second chat is refused with 429 + Retry-After and nothing is stored', async () => {
    const server = await startTestServer({ llmApiUrl: double.url, llmMaxConcurrency: 1, llmMaxQueue: 0 });
    const api = httpClient(server.url);
    double.configure({ tokens: 200, tokenDelayMs: 50 });
    const first = await chat(server, await newConversation(api), 'First');
    const running = await started(first);
    await first.tokens(1);

    const conversationId = await newConversation(api);
    const refused = await chat(server, conversationId, 'Second');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ type: '/problems/too-many-generations', status: 429 });
    expect((await api.get(`/api/conversations/${conversationId}/messages`)).body.items).toEqual([]);
    expect((await api.get(`/api/conversations/${conversationId}`)).body).toMatchObject({ title: null });

    expect((await api.post('/api/chat/stop', { session_id: running.session_id })).body).toEqual({ stopped: true });
    await expectHealthy(server, conversationId);
  });
  it('two chats arriving together on one slot and no queue: exactly one streams, the other is refused', async () => {
    const server = await startTestServer({ llmApiUrl: double.url, llmMaxConcurrency: 1, llmMaxQueue: 0 });
    const api = httpClient(server.url);
    double.configure({ tokens: 20, tokenDelayMs: 20 });
    const [a, b] = [await newConversation(api), await newConversation(api)];
    const replies = await Promise.all([chat(server, a, 'Together'), chat(server, b, 'Together')]);
    expect(replies.map((r) => r.status).sort()).toEqual([200, 429]);
    const streamed = replies.find((r) => r.status === 200)!;
    expect((await streamed.ended).at(-1)?.json.type).toBe('complete');
  });
});
