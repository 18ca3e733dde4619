import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replyWords } from '../../tools/llama-double/tokenizer.js';
import { startLlamaDouble, type LlamaDouble } from '../support/llama-double.js';
import { pinnedClient, type PinnedClient } from '../support/pinned-client.js';
import { tableRows } from '../support/read-model-rows.js';
import { runCli } from '../support/run-cli.js';
import {
  chatUnderWay,
  concurrentCommands,
  expectConsistentAfterConcurrentCommands,
  expectReloadOnAnotherProcess,
  expectResumeOnAnotherProcess,
  expectStopFromAnotherProcess,
  newConversation,
  settledMessage,
} from '../support/scaling-scenarios.js';
import { killServerProcesses, startServerProcess, type ServerProcess } from '../support/server-process.js';
import { freshDatabase, withClient, type TestDatabase } from '../support/test-database.js';

const TEST_TIMEOUT = 90_000;

// Instances share a database server: only PostgreSQL can be one (SQLite scales out as workers, see workers.test.ts).
describe('three instances on different ports sharing one PostgreSQL database', () => {
  let double: LlamaDouble;
  let database: TestDatabase;
  let instances: (ServerProcess & { url: string })[];
  let clients: PinnedClient[];

  beforeAll(async () => {
    double = await startLlamaDouble({ tokens: 400, tokenDelayMs: 50 });
    database = await freshDatabase();
    instances = await Promise.all([1, 2, 3].map(() => startServerProcess({ ...env(), LOG_LEVEL: 'info' })));
    clients = await Promise.all(instances.map((instance) => pinnedClient(instance.url)));
  }, TEST_TIMEOUT);

  afterAll(async () => {
    for (const client of clients ?? []) client.close();
    killServerProcesses();
    await double?.close();
    await database?.drop();
  });

  const [a, b, c] = [0, 1, 2];
  const env = () => ({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: database.url, LLM_API_URL: double.url });

  it(
    'concurrent commands on one conversation from all three succeed or get 409/412, never a 5xx; the log holds exactly their events',
    async () => {
      const conversationId = await newConversation(instances[a]!.url);
      const answers = await concurrentCommands(
        instances.map((instance) => instance.url),
        conversationId,
        60,
      );
      await expectConsistentAfterConcurrentCommands(instances[b]!.url, conversationId, answers);
    },
    TEST_TIMEOUT,
  );

  it(
    'a stop sent to instance B cancels a generation streaming from instance A within 500 ms',
    async () => {
      double.configure({ tokens: 400, tokenDelayMs: 50 });
      const chat = await chatUnderWay(instances[a]!.url, await newConversation(instances[a]!.url));
      await expectStopFromAnotherProcess(chat, clients[b]!, instances[c]!.url);
    },
    TEST_TIMEOUT,
  );

  it(
    'a resume on instance C replays the stream instance A is serving, from Last-Event-ID to its end',
    async () => {
      double.configure({ tokens: 60, tokenDelayMs: 30 });
      const chat = await chatUnderWay(instances[a]!.url, await newConversation(instances[a]!.url), 5);
      await expectResumeOnAnotherProcess(chat, clients[c]!, replyWords(60).join(''));
    },
    TEST_TIMEOUT,
  );

  it(
    'a page reload on instance B finds the answer its client left on instance A, and resumes it whole',
    async () => {
      double.configure({ tokens: 60, tokenDelayMs: 30 });
      const conversationId = await newConversation(instances[a]!.url);
      const chat = await chatUnderWay(instances[a]!.url, conversationId, 3);
      await expectReloadOnAnotherProcess(chat, clients[b]!, conversationId, replyWords(60).join(''));
    },
    TEST_TIMEOUT,
  );

  it(
    'when PostgreSQL drops the signal connection of instance A, A reconnects and a stop sent to B reaches it again',
    async () => {
      const name = `assistant-signals ${clients[a]!.instanceId}`;
      const signalPids = () =>
        withClient(database.url, (client) =>
          client
            .query<{ pid: number }>('select pid from pg_stat_activity where application_name = $1', [name])
            .then((result) => result.rows.map((row) => row.pid)),
        );
      const [before] = await signalPids();
      expect(before).toBeDefined();
      await withClient(database.url, (client) => client.query('select pg_terminate_backend($1)', [before]));
      const reconnected = async () => {
        const pids = await signalPids();
        return pids.length === 1 && pids[0] !== before;
      };
      await expect.poll(reconnected, { timeout: 10_000 }).toBe(true);

      double.configure({ tokens: 400, tokenDelayMs: 50 });
      const chat = await chatUnderWay(instances[a]!.url, await newConversation(instances[a]!.url));
      await expectStopFromAnotherProcess(chat, clients[b]!, instances[c]!.url);
    },
    TEST_TIMEOUT,
  );

  it(
    'an instance that starts while A streams an answer leaves it alone: the answer completes',
    async () => {
      double.configure({ tokens: 60, tokenDelayMs: 30 });
      const chat = await chatUnderWay(instances[a]!.url, await newConversation(instances[a]!.url));
      const late = await startServerProcess({ ...env(), LOG_LEVEL: 'info' });
      const events = await chat.stream.ended;
      expect(events.at(-1)?.event).toBe('complete');
      expect(await settledMessage(late.url, chat.message_id, 1_000)).toMatchObject({ status: 'complete' });
      await late.stop();
    },
    TEST_TIMEOUT,
  );

  it(
    'when instance A is killed mid-answer, a survivor marks the answer interrupted with its checkpointed text',
    async () => {
      double.configure({ tokens: 400, tokenDelayMs: 50 });
      const chat = await chatUnderWay(instances[a]!.url, await newConversation(instances[a]!.url));
      await instances[a]!.kill();
      await chat.stream.ended;
      // Two sweeps 10 s apart must both find it abandoned.
      const answer = await settledMessage(instances[b]!.url, chat.message_id, 30_000);
      expect(answer).toMatchObject({ status: 'failed', metadata: { error_type: 'interrupted' } });
      expect(chat.stream.text().startsWith(answer.content)).toBe(true);
    },
    TEST_TIMEOUT,
  );

  it(
    'after all that, the read models equal a rebuild from the log',
    async () => {
      await Promise.all(instances.slice(1).map((instance) => instance.stop()));
      const before = await tableRows(database.url);
      const rebuild = await runCli('rebuild-projections', [], {
        env: { DATABASE_URL: database.url },
        timeoutMs: TEST_TIMEOUT - 10_000,
      });
      expect(rebuild.code, rebuild.stderr).toBe(0);
      expect(await tableRows(database.url)).toEqual(before);
      expect(before.messages!.length).toBeGreaterThan(0);
    },
    TEST_TIMEOUT,
  );
});
