import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replyWords } from '../../tools/llama-double/tokenizer.js';
import { httpClient } from '../support/http-client.js';
import { startLlamaDouble, type LlamaDouble } from '../support/llama-double.js';
import { killServerProcesses, startServerProcess } from '../support/server-process.js';
import { openSse } from '../support/sse-client.js';
import { freshDatabase, type TestDatabase } from '../support/test-database.js';

const TEST_TIMEOUT = 120_000;
const TOKEN_DELAY_MS = 100;
/** The server checkpoints the partial answer this often. */
const CHECKPOINT_MS = 2_000;
/** Thought for about 2.5 s before the answer: two checkpoints carry reasoning. */
const REASONING = 'The person wants a long story, so I will tell one about a lighthouse keeper and a storm.';

const databases: TestDatabase[] = [];
let double: LlamaDouble;

beforeAll(async () => {
  double = await startLlamaDouble({ tokens: 400, tokenDelayMs: TOKEN_DELAY_MS, reasoning: REASONING, roleChunk: true });
});

afterAll(async () => {
  killServerProcesses();
  await double?.close();
  for (const database of databases.splice(0)) await database.drop();
});

/** `node dist/server.mjs` in its own process group, with only the configuration given here. */
function spawnServer(databaseUrl: string) {
  return startServerProcess({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    LLM_API_URL: double.url,
    LOG_LEVEL: 'info',
  });
}

describe('a server killed (SIGKILL) in the middle of an answer', () => {
  it(
    'on restart the answer is failed (interrupted) with the text and reasoning checkpointed before the kill; the question is intact',
    async () => {
      const database = await freshDatabase();
      databases.push(database);
      const first = await spawnServer(database.url);
      const api = httpClient(first.url);
      const created = await api.post('/api/conversations', {});
      expect(created.status).toBe(201);
      const conversationId: string = created.body.id;

      const stream = await openSse(`${first.url}/api/chat/stream`, {
        body: { conversation_id: conversationId, message: 'Tell me a very long story' },
      });
      expect(stream.status).toBe(200);
      const { message_id, user_message_id } = (await stream.next('start')).json;
      const firstToken = await stream.next('token');
      // More than one checkpoint interval of tokens, so at least one checkpoint was stored.
      await stream.waitFor((event) => event.at - firstToken.at > CHECKPOINT_MS + 500, 15_000);

      const killedAt = performance.now();
      await first.kill();
      await stream.ended;
      expect(stream.broken).not.toBeNull();
      const received = stream.text();
      expect(stream.events.some((e) => e.event === 'complete' || e.event === 'error')).toBe(false);
      expect(received.length).toBeGreaterThan(0);

      const second = await spawnServer(database.url);
      const after = httpClient(second.url);
      const answer = await after.get(`/api/messages/${message_id}`);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        role: 'assistant',
        status: 'failed',
        parent_message_id: user_message_id,
        metadata: { error_type: 'interrupted', error: expect.any(String) },
      });
      // It had finished thinking more than a checkpoint interval before the kill: all its reasoning is kept.
      const thought = stream.events
        .filter((e) => e.event === 'reasoning')
        .map((e) => e.json.token)
        .join('');
      expect(thought).toBe(REASONING);
      expect(answer.body).toMatchObject({ reasoning: REASONING, has_reasoning: true });
      const kept: string = answer.body.content;
      expect(kept.length).toBeGreaterThan(0);
      expect(received.startsWith(kept)).toBe(true);
      // At most the last checkpoint interval (plus a token and a write) is lost.
      const surely = stream.events
        .filter((e) => e.event === 'token' && e.at < killedAt - CHECKPOINT_MS - TOKEN_DELAY_MS - 500)
        .map((e) => e.json.token)
        .join('');
      expect(kept.length).toBeGreaterThanOrEqual(surely.length);
      expect(replyWords(400).join('').startsWith(kept)).toBe(true);

      const question = await after.get(`/api/messages/${user_message_id}`);
      expect(question.body).toMatchObject({
        role: 'user',
        status: 'complete',
        content: 'Tell me a very long story',
      });

      // The conversation is no longer locked by an answer "being generated": it takes the next question.
      double.configure({ tokens: 5, tokenDelayMs: 0, reasoning: null });
      const next = await openSse(`${second.url}/api/chat/stream`, {
        body: { conversation_id: conversationId, message: 'Again, shorter' },
      });
      expect(next.status).toBe(200);
      expect((await next.ended).at(-1)?.json).toMatchObject({ type: 'complete' });
      expect(next.text()).toBe(replyWords(5).join(''));

      await second.kill();
    },
    TEST_TIMEOUT,
  );
});
