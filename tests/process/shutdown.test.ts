import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replyWords } from '../../tools/llama-double/tokenizer.js';
import { startServer } from '../../src/server.js';
import { httpClient } from '../support/http-client.js';
import { startLlamaDouble, type LlamaDouble } from '../support/llama-double.js';
import {
  killServerProcesses,
  startClusterProcess,
  startServerProcess,
  type ServerProcess,
} from '../support/server-process.js';
import { openSse } from '../support/sse-client.js';
import { freshDatabase, type TestDatabase } from '../support/test-database.js';
import { testConfig } from '../support/test-server.js';

const TEST_TIMEOUT = 120_000;
const TOKEN_DELAY_MS = 100;
/** Long enough for a short answer on a busy machine; the drain ends as soon as the answer does. */
const GENEROUS_TIMEOUT_MS = 30_000;
const SHORT_TIMEOUT_MS = 500;
/** Beyond SHUTDOWN_TIMEOUT_MS: storing the cancellation and closing the database. */
const EXIT_MARGIN_MS = 5_000;

const databases: TestDatabase[] = [];
let double: LlamaDouble;

beforeAll(async () => {
  double = await startLlamaDouble({ tokens: 400, tokenDelayMs: TOKEN_DELAY_MS });
});

afterAll(async () => {
  killServerProcesses();
  await double?.close();
  for (const database of databases.splice(0)) await database.drop();
});

async function database(): Promise<TestDatabase> {
  const created = await freshDatabase();
  databases.push(created);
  return created;
}

/** `node dist/server.mjs` on `databaseUrl` and the llama.cpp double, with SHUTDOWN_TIMEOUT_MS=`timeoutMs`. */
function spawnServer(databaseUrl: string, timeoutMs: number) {
  return startServerProcess({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    LLM_API_URL: double.url,
    LOG_LEVEL: 'info',
    SHUTDOWN_TIMEOUT_MS: String(timeoutMs),
  });
}

async function newConversation(url: string): Promise<string> {
  const created = await httpClient(url).post('/api/conversations', {});
  expect(created.status).toBe(201);
  return created.body.id as string;
}

/** A new conversation on `url` with an answer streaming into it, `tokens` tokens along. */
async function streamingAnswer(url: string, message: string, tokens: number) {
  const conversationId = await newConversation(url);
  const stream = await openSse(`${url}/api/chat/stream`, { body: { conversation_id: conversationId, message } });
  expect(stream.status).toBe(200);
  const { message_id } = (await stream.next('start')).json as { message_id: string };
  await stream.tokens(tokens);
  return { conversationId, stream, message_id };
}

/** Resolves once the process wrote the log line `msg`. */
async function logged(server: ServerProcess, msg: string, ms = 20_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const line = server.logs().find((log) => log.msg === msg);
    if (line) return line;
    if (Date.now() > deadline) throw new Error(`no "${msg}" log line:\n${server.stdout()}\n${server.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** What a new server on the same database tells through the API: the messages of a conversation. */
async function storedMessages(databaseUrl: string, conversationId: string): Promise<Record<string, any>[]> {
  const reader = await startServer(testConfig(databaseUrl));
  try {
    const list = await httpClient(reader.url).get(`/api/conversations/${conversationId}/messages`);
    expect(list.status).toBe(200);
    return list.body.items as Record<string, any>[];
  } finally {
    await reader.close();
  }
}

/** One kept-alive TCP connection on which requests are written as they come (HTTP/1.1 pipelining). */
function rawConnection(url: string) {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let received = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => undefined);
  return {
    postJson(path: string, body: unknown) {
      const json = JSON.stringify(body);
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAccept: text/event-stream\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`,
      );
    },
    received: () => received,
    async until(text: string, ms = 20_000) {
      const deadline = Date.now() + ms;
      while (!received.includes(text)) {
        if (Date.now() > deadline) throw new Error(`never received ${JSON.stringify(text)}:\n${received}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    closed,
  };
}

describe('a server process stopped while answers stream', () => {
  it(
    'on SIGTERM lets an answer that ends within SHUTDOWN_TIMEOUT_MS finish: the client gets it whole with its ' +
      'complete event, the process exits 0 and the answer is stored complete',
    async () => {
      double.configure({ tokens: 20, tokenDelayMs: TOKEN_DELAY_MS });
      const db = await database();
      const server = await spawnServer(db.url, GENEROUS_TIMEOUT_MS);
      const { conversationId, stream, message_id } = await streamingAnswer(server.url, 'A short story, please', 2);

      server.signal('SIGTERM');
      const events = await stream.ended;
      expect(await server.exited, server.describeExit()).toBe(0);

      expect(stream.broken).toBeNull();
      expect(events.at(-1)?.json).toMatchObject({ type: 'complete', message_id });
      expect(stream.text()).toBe(replyWords(20).join(''));
      expect(server.logs().map((log) => log.msg)).toEqual(
        expect.arrayContaining([
          'shutting down',
          'stopped accepting connections',
          'waiting for the running answers to finish',
          'the running answers finished',
          'closed the database and the links to other processes',
          'stopped',
        ]),
      );
      expect(server.stderr()).toBe('');

      const answer = (await storedMessages(db.url, conversationId)).find((m) => m.id === message_id);
      expect(answer).toMatchObject({ role: 'assistant', status: 'complete', content: replyWords(20).join('') });
    },
    TEST_TIMEOUT,
  );

  it(
    'on SIGTERM cancels an answer that outlasts SHUTDOWN_TIMEOUT_MS: the client gets a final cancelled error, the ' +
      'process exits 0 soon after the timeout and the answer is stored cancelled with its partial text',
    async () => {
      double.configure({ tokens: 400, tokenDelayMs: TOKEN_DELAY_MS });
      const db = await database();
      const server = await spawnServer(db.url, SHORT_TIMEOUT_MS);
      const { conversationId, stream, message_id } = await streamingAnswer(server.url, 'A very long story, please', 3);

      const signalledAt = performance.now();
      server.signal('SIGTERM');
      const events = await stream.ended;
      expect(await server.exited, server.describeExit()).toBe(0);
      expect(performance.now() - signalledAt).toBeLessThan(SHORT_TIMEOUT_MS + EXIT_MARGIN_MS);

      expect(stream.broken).toBeNull();
      expect(events.at(-1)?.json).toEqual({
        type: 'error',
        error_type: 'cancelled',
        error: 'Cancelled: the server is shutting down',
      });
      const partial = stream.text();
      expect(partial.length).toBeGreaterThan(0);
      expect(partial.length).toBeLessThan(replyWords(400).join('').length);
      expect(server.logs().find((log) => log.msg === 'cancelling the answers still running')).toMatchObject({
        running: 1,
      });
      expect(server.stderr()).toBe('');

      const answer = (await storedMessages(db.url, conversationId)).find((m) => m.id === message_id);
      expect(answer).toMatchObject({ role: 'assistant', status: 'cancelled', content: partial });
    },
    TEST_TIMEOUT,
  );

  it(
    'during the drain refuses a new connection, and a chat sent on a kept-alive connection gets a 503 ' +
      'problem with Retry-After and stores nothing, while the running answer completes',
    async () => {
      double.configure({ tokens: 20, tokenDelayMs: TOKEN_DELAY_MS });
      const db = await database();
      const server = await spawnServer(db.url, GENEROUS_TIMEOUT_MS);
      const running = await newConversation(server.url);
      const refused = await newConversation(server.url);
      const connection = rawConnection(server.url);
      connection.postJson('/api/chat/stream', { conversation_id: running, message: 'A short story, please' });
      await connection.until('event: token');

      server.signal('SIGTERM');
      await logged(server, 'waiting for the running answers to finish');
      await expect(fetch(`${server.url}/health`)).rejects.toThrow();
      connection.postJson('/api/chat/stream', { conversation_id: refused, message: 'Me too' });
      await connection.closed;
      expect(await server.exited, server.describeExit()).toBe(0);

      const [answer, second] = connection.received().split(/(?=HTTP\/1\.1 )/);
      expect(answer).toMatch(/^HTTP\/1\.1 200/);
      expect(answer).toContain('event: complete');
      expect(second).toMatch(/^HTTP\/1\.1 503/);
      expect(second).toMatch(/\r\ncontent-type: application\/problem\+json/i);
      expect(second).toMatch(/\r\nretry-after: \d+\r\n/i);
      expect(second).toMatch(/\r\nconnection: close\r\n/i);
      const problem = JSON.parse(second!.slice(second!.indexOf('\r\n\r\n') + 4));
      expect(problem).toMatchObject({ type: '/problems/shutting-down', status: 503 });

      expect(await storedMessages(db.url, refused)).toEqual([]);
      expect((await storedMessages(db.url, running)).map((m) => [m.role, m.status])).toEqual([
        ['user', 'complete'],
        ['assistant', 'complete'],
      ]);
    },
    TEST_TIMEOUT,
  );

  it(
    'on SIGINT cancels an answer that outlasts SHUTDOWN_TIMEOUT_MS like SIGTERM does, and exits 0',
    async () => {
      double.configure({ tokens: 400, tokenDelayMs: TOKEN_DELAY_MS });
      const db = await database();
      const server = await spawnServer(db.url, SHORT_TIMEOUT_MS);
      const { conversationId, stream, message_id } = await streamingAnswer(server.url, 'A very long story, please', 2);

      server.signal('SIGINT');
      const events = await stream.ended;
      expect(await server.exited, server.describeExit()).toBe(0);
      expect(events.at(-1)?.json).toMatchObject({ type: 'error', error_type: 'cancelled' });
      expect(server.logs().find((log) => log.msg === 'shutting down')).toMatchObject({ signal: 'SIGINT' });

      const answer = (await storedMessages(db.url, conversationId)).find((m) => m.id === message_id);
      expect(answer).toMatchObject({ status: 'cancelled', content: stream.text() });
    },
    TEST_TIMEOUT,
  );

  it(
    'a second SIGTERM during the drain cancels the running answer at once instead of waiting out the timeout',
    async () => {
      double.configure({ tokens: 400, tokenDelayMs: TOKEN_DELAY_MS });
      const db = await database();
      const server = await spawnServer(db.url, GENEROUS_TIMEOUT_MS);
      const { conversationId, stream, message_id } = await streamingAnswer(server.url, 'A very long story, please', 2);

      server.signal('SIGTERM');
      await logged(server, 'waiting for the running answers to finish');
      const againAt = performance.now();
      server.signal('SIGTERM');
      const events = await stream.ended;
      expect(await server.exited, server.describeExit()).toBe(0);
      expect(performance.now() - againAt).toBeLessThan(EXIT_MARGIN_MS);
      expect(events.at(-1)?.json).toMatchObject({ type: 'error', error_type: 'cancelled' });

      const answer = (await storedMessages(db.url, conversationId)).find((m) => m.id === message_id);
      expect(answer).toMatchObject({ status: 'cancelled', content: stream.text() });
    },
    TEST_TIMEOUT,
  );

  it(
    'under WORKERS=2, SIGTERM to the primary lets the answer a worker is streaming finish, and every process exits 0',
    async () => {
      double.configure({ tokens: 20, tokenDelayMs: TOKEN_DELAY_MS });
      const db = await database();
      const cluster = await startClusterProcess(
        {
          PORT: '0',
          HOST: '127.0.0.1',
          DATABASE_URL: db.url,
          LLM_API_URL: double.url,
          LOG_LEVEL: 'info',
          SHUTDOWN_TIMEOUT_MS: String(GENEROUS_TIMEOUT_MS),
        },
        2,
      );
      const { conversationId, stream, message_id } = await streamingAnswer(cluster.url, 'A short story, please', 2);

      cluster.signal('SIGTERM');
      const events = await stream.ended;
      expect(await cluster.exited, cluster.describeExit()).toBe(0);
      expect(events.at(-1)?.json).toMatchObject({ type: 'complete', message_id });
      expect(stream.text()).toBe(replyWords(20).join(''));
      expect(cluster.logs().filter((log) => log.msg === 'stopped')).toHaveLength(2);
      expect(cluster.logs().some((log) => log.msg === 'workers did not stop in time; killing them')).toBe(false);

      const answer = (await storedMessages(db.url, conversationId)).find((m) => m.id === message_id);
      expect(answer).toMatchObject({ status: 'complete', content: replyWords(20).join('') });
    },
    TEST_TIMEOUT,
  );
});
