import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replyWords } from '../../tools/llama-double/tokenizer.js';
import { startLlamaDouble, type LlamaDouble } from '../support/llama-double.js';
import { pinnedClientsPerWorker, type PinnedClient } from '../support/pinned-client.js';
import {
  chatUnderWay,
  concurrentCommands,
  expectConsistentAfterConcurrentCommands,
  expectReloadOnAnotherProcess,
  expectResumeOnAnotherProcess,
  expectStopFromAnotherProcess,
  newConversation,
  pidOf,
  settledMessage,
} from '../support/scaling-scenarios.js';
import { killServerProcesses, startClusterProcess, type ServerProcess } from '../support/server-process.js';
import { freshDatabase, type TestDatabase } from '../support/test-database.js';

const WORKERS = 3;
const TEST_TIMEOUT = 60_000;

let double: LlamaDouble;
let database: TestDatabase;
let cluster: ServerProcess & { url: string };
let pinned: PinnedClient[];

beforeAll(async () => {
  double = await startLlamaDouble({ tokens: 400, tokenDelayMs: 50 });
  database = await freshDatabase();
  cluster = await startClusterProcess(
    { PORT: '0', HOST: '127.0.0.1', DATABASE_URL: database.url, LLM_API_URL: double.url, LOG_LEVEL: 'info' },
    WORKERS,
  );
}, TEST_TIMEOUT);

afterAll(async () => {
  for (const client of pinned ?? []) client.close();
  killServerProcesses();
  await double?.close();
  await database?.drop();
});

const otherThan = (owner: string) => pinned.find((client) => client.instanceId !== owner)!;

describe(`WORKERS=${WORKERS}: worker processes behind one port`, () => {
  it(
    'under 50 concurrent writers no client sees a 5xx or SQLITE_BUSY, and the log holds each success once, gap-free',
    async () => {
      const conversationId = await newConversation(cluster.url);
      const answers = await concurrentCommands([cluster.url], conversationId, 50);
      await expectConsistentAfterConcurrentCommands(cluster.url, conversationId, answers);
    },
    TEST_TIMEOUT,
  );

  it(
    'a stop that lands on another worker than the one streaming cancels the answer within 500 ms',
    async () => {
      double.configure({ tokens: 400, tokenDelayMs: 50 });
      pinned = await pinnedClientsPerWorker(cluster.url, WORKERS);
      const chat = await chatUnderWay(cluster.url, await newConversation(cluster.url));
      await expectStopFromAnotherProcess(chat, otherThan(chat.owner), cluster.url);
    },
    TEST_TIMEOUT,
  );

  it(
    'a resume that lands on another worker replays the events after Last-Event-ID and follows the answer to its end',
    async () => {
      double.configure({ tokens: 60, tokenDelayMs: 30 });
      pinned = await pinnedClientsPerWorker(cluster.url, WORKERS);
      const chat = await chatUnderWay(cluster.url, await newConversation(cluster.url), 5);
      await expectResumeOnAnotherProcess(chat, otherThan(chat.owner), replyWords(60).join(''));
    },
    TEST_TIMEOUT,
  );

  it(
    'a page reload that lands on another worker finds the answer its client left on the conversation, and resumes it whole',
    async () => {
      double.configure({ tokens: 60, tokenDelayMs: 30 });
      pinned = await pinnedClientsPerWorker(cluster.url, WORKERS);
      const conversationId = await newConversation(cluster.url);
      const chat = await chatUnderWay(cluster.url, conversationId, 3);
      await expectReloadOnAnotherProcess(chat, otherThan(chat.owner), conversationId, replyWords(60).join(''));
    },
    TEST_TIMEOUT,
  );

  it(
    'when the worker streaming an answer dies, a sibling marks the answer interrupted at once and the primary starts another',
    async () => {
      double.configure({ tokens: 400, tokenDelayMs: 50 });
      const chat = await chatUnderWay(cluster.url, await newConversation(cluster.url));
      const workersBefore = cluster.logs().filter((log) => log.msg === 'listening').length;
      process.kill(pidOf(cluster.logs(), chat.owner), 'SIGKILL');
      await chat.stream.ended;

      const answer = await settledMessage(cluster.url, chat.message_id, 5_000);
      expect(answer).toMatchObject({ status: 'failed', metadata: { error_type: 'interrupted' } });
      expect(chat.stream.text().startsWith(answer.content)).toBe(true);

      await expect
        .poll(() => cluster.logs().filter((log) => log.msg === 'listening').length, { timeout: 20_000 })
        .toBe(workersBefore + 1);
      const workers = await pinnedClientsPerWorker(cluster.url, WORKERS);
      expect(workers.map((worker) => worker.instanceId)).not.toContain(chat.owner);
      for (const worker of workers) worker.close();
    },
    TEST_TIMEOUT,
  );

  it('a resume of a session no worker has is a 404 problem', async () => {
    const [client] = await pinnedClientsPerWorker(cluster.url, 1);
    const reply = await client!.request('GET', '/api/chat/stream/01936f5e-0000-7000-8000-000000000000');
    expect(reply.status).toBe(404);
    expect(reply.headers['content-type']).toMatch(/application\/problem\+json/);
    client!.close();
  });
});
