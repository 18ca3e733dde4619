import { afterAll, describe, expect, it, vi } from 'vitest';
import { replyWords } from '../../tools/llama-double/tokenizer.js';
import { uuidv7 } from '../../src/ids.js';
import { httpClient, type HttpClient } from '../support/http-client.js';
import { startLlamaDouble, type LlamaDouble } from '../support/llama-double.js';
import { tableRows } from '../support/read-model-rows.js';
import { runCli } from '../support/run-cli.js';
import { killServerProcesses, startServerProcess } from '../support/server-process.js';
import { openSse, type SseStream } from '../support/sse-client.js';
import { freshDatabase, type TestDatabase } from '../support/test-database.js';

const TEST_TIMEOUT = 240_000;
const CHATS = 20;
const WRITERS = 4;
const TOKENS = 1_000;
const TOKEN_DELAY_MS = 50;
/** The server checkpoints partial answers this often. */
const CHECKPOINT_MS = 2_000;

let double: LlamaDouble | undefined;
const databases: TestDatabase[] = [];

afterAll(async () => {
  killServerProcesses();
  await double?.close();
  for (const database of databases.splice(0)) await database.drop();
});

function spawnServer(databaseUrl: string, llmUrl: string) {
  return startServerProcess({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    LLM_API_URL: llmUrl,
    LLM_MAX_CONCURRENCY: String(CHATS),
    // All the chats come from this one address.
    SSE_MAX_PER_CLIENT: String(CHATS),
    LOG_LEVEL: 'info',
  });
}

/** A write the server acknowledged (2xx), and what must be found after the crash. */
type Acknowledged =
  | { kind: 'project created'; id: string; name: string }
  | { kind: 'project renamed'; id: string; name: string }
  | { kind: 'conversation created'; id: string; title: string };

/**
 * Writes until `stop()` and records each write the server acknowledged. A write in flight when the server dies has
 * no answer: it may or may not be stored, and nobody was told it was.
 */
function keepWriting(api: HttpClient, writer: number) {
  const acknowledged: Acknowledged[] = [];
  let stopped = false;
  const done = (async () => {
    for (let round = 0; !stopped; round++) {
      try {
        const id = uuidv7();
        const name = `Writer ${writer} project ${round}`;
        if ((await api.post('/api/projects', { id, name })).status !== 201) continue;
        acknowledged.push({ kind: 'project created', id, name });
        const renamed = `${name}, renamed`;
        if ((await api.patch(`/api/projects/${id}`, { name: renamed })).status !== 200) continue;
        acknowledged.push({ kind: 'project renamed', id, name: renamed });
        const conversation = uuidv7();
        const title = `Writer ${writer} conversation ${round}`;
        if ((await api.post('/api/conversations', { id: conversation, project_id: id, title })).status !== 201)
          continue;
        acknowledged.push({ kind: 'conversation created', id: conversation, title });
      } catch {
        return; // the server is gone
      }
    }
  })();
  return {
    acknowledged,
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

async function newConversation(api: HttpClient): Promise<string> {
  const reply = await api.post('/api/conversations', {});
  expect(reply.status).toBe(201);
  return reply.body.id;
}

describe('kill -9 in the middle of 20 concurrent chats and writes', () => {
  it(
    'after a restart every acknowledged write is there, every answer is interrupted with its checkpointed text, ' +
      'and a rebuild from the log equals the read models',
    async () => {
      double = await startLlamaDouble({ tokens: TOKENS, tokenDelayMs: TOKEN_DELAY_MS });
      const database = await freshDatabase();
      databases.push(database);
      const first = await spawnServer(database.url, double.url);
      const api = httpClient(first.url);

      const conversations = await Promise.all(Array.from({ length: CHATS }, () => newConversation(api)));
      const chats: SseStream[] = await Promise.all(
        conversations.map((conversation_id, i) =>
          openSse(`${first.url}/api/chat/stream`, { body: { conversation_id, message: `Question ${i}` } }),
        ),
      );
      expect(chats.map((chat) => chat.status)).toEqual(chats.map(() => 200));
      const answers = await Promise.all(chats.map(async (chat) => (await chat.next('start')).json));
      const writers = Array.from({ length: WRITERS }, (_, i) => keepWriting(api, i));

      // Every answer streams past a checkpoint, so each has stored text to keep.
      await Promise.all(
        chats.map(async (chat) => {
          const firstToken = await chat.next('token', 30_000);
          await chat.waitFor((event) => event.at - firstToken.at > CHECKPOINT_MS + 1_000, 60_000);
        }),
      );
      await first.kill();
      await Promise.all([...writers.map((w) => w.stop()), ...chats.map((chat) => chat.ended)]);
      for (const chat of chats) {
        expect(chat.events.some((e) => e.event === 'complete' || e.event === 'error')).toBe(false);
      }
      const acknowledged = writers.flatMap((w) => w.acknowledged);
      expect(acknowledged.length).toBeGreaterThan(WRITERS);

      const second = await spawnServer(database.url, double.url);
      const after = httpClient(second.url);

      for (const write of acknowledged) {
        if (write.kind === 'conversation created') {
          const reply = await after.get(`/api/conversations/${write.id}`);
          expect(reply.status, write.id).toBe(200);
          expect(reply.body.title).toBe(write.title);
        } else {
          const reply = await after.get(`/api/projects/${write.id}`);
          expect(reply.status, write.id).toBe(200);
          // A later rename, sent but never answered, may have been stored as well.
          if (write.kind === 'project created')
            expect([write.name, `${write.name}, renamed`]).toContain(reply.body.name);
          else expect(reply.body.name).toBe(write.name);
        }
      }

      const allWords = replyWords(TOKENS).join('');
      for (const [i, { message_id, user_message_id }] of answers.entries()) {
        const answer = await vi.waitFor(
          async () => {
            const reply = await after.get(`/api/messages/${message_id}`);
            expect(reply.body.status).toBe('failed');
            return reply.body;
          },
          { timeout: 30_000, interval: 200 },
        );
        expect(answer).toMatchObject({ parent_message_id: user_message_id, metadata: { error_type: 'interrupted' } });
        const received = chats[i]!.text();
        expect(answer.content.length).toBeGreaterThan(0);
        expect(received.startsWith(answer.content)).toBe(true);
        expect(allWords.startsWith(answer.content)).toBe(true);
        const question = await after.get(`/api/messages/${user_message_id}`);
        expect(question.body).toMatchObject({ status: 'complete', content: `Question ${i}` });
      }
      await second.stop();

      const inline = await tableRows(database.url);
      const rebuilt = await runCli('rebuild-projections', [], {
        env: { DATABASE_URL: database.url },
        timeoutMs: 60_000,
      });
      expect(rebuilt.stderr).toBe('');
      expect(rebuilt.code).toBe(0);
      expect(await tableRows(database.url)).toEqual(inline);
    },
    TEST_TIMEOUT,
  );
});
