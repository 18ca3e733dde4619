import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvSchema } from '../../src/config/env.schema.js';
import { replyWords } from '../../tools/llama-double/tokenizer.js';
import { httpClient } from '../support/http-client.js';
import { startLlamaDouble, type LlamaDouble } from '../support/llama-double.js';
import { requestEvents } from '../support/sse-events.js';
import { freshDatabase, type TestDatabase } from '../support/test-database.js';

const root = join(import.meta.dirname, '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const entry = join(root, 'src', 'main.ts');
/** tsx compiles on start; on a small, busy machine that takes a few seconds. */
const START_TIMEOUT = 40_000;
const TEST_TIMEOUT = 120_000;
const TOKEN_DELAY_MS = 100;
/** The server checkpoints the partial answer this often. */
const CHECKPOINT_MS = 2_000;

type ServerProcess = { child: ChildProcess; url: string; exited: Promise<void> };

const children = new Set<ChildProcess>();
const databases: TestDatabase[] = [];
let double: LlamaDouble;

beforeAll(async () => {
  double = await startLlamaDouble({ tokens: 400, tokenDelayMs: TOKEN_DELAY_MS });
});

afterAll(async () => {
  for (const child of children) killGroup(child);
  await double?.close();
  for (const database of databases.splice(0)) await database.drop();
});

/** tsx runs the server in a second node process: killing the process group reaches both. */
function killGroup(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** `tsx src/main.ts` in its own process group, with only the configuration given here. */
async function spawnServer(databaseUrl: string): Promise<ServerProcess> {
  const env = { ...process.env };
  for (const name of Object.keys(EnvSchema.properties)) delete env[name];
  Object.assign(env, {
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    LLM_API_URL: double.url,
    LOG_LEVEL: 'info',
  });
  const child = spawn(tsx, [entry], { cwd: root, env, detached: true, stdio: 'pipe' });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let exit: string | null = null;
  const exited = new Promise<void>((resolve) =>
    child.once('close', (code, signal) => {
      children.delete(child);
      exit = `code ${code}, signal ${signal}`;
      resolve();
    }),
  );
  const deadline = Date.now() + START_TIMEOUT;
  for (;;) {
    const listening = stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((log) => log.msg === 'listening');
    if (typeof listening?.url === 'string') return { child, url: listening.url, exited };
    if (exit !== null || Date.now() > deadline) {
      killGroup(child);
      throw new Error(`server did not start (${exit}):\nstdout: ${stdout}\nstderr: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a server killed (SIGKILL) in the middle of an answer', () => {
  it(
    'on restart the answer is failed (interrupted) with the text checkpointed before the kill; the question is intact',
    async () => {
      const database = await freshDatabase();
      databases.push(database);
      const first = await spawnServer(database.url);
      const api = httpClient(first.url);
      const created = await api.post('/api/conversations', {});
      expect(created.status).toBe(201);
      const conversationId: string = created.body.id;

      const stream = await requestEvents(`${first.url}/api/chat/stream`, {
        body: { conversation_id: conversationId, message: 'Tell me a very long story' },
      });
      expect(stream.status).toBe(200);
      const { message_id, user_message_id } = (await stream.next('start')).data;
      const firstToken = await stream.next('token');
      // More than one checkpoint interval of tokens, so at least one checkpoint was stored.
      await stream.waitFor((event) => event.at - firstToken.at > CHECKPOINT_MS + 500, 15_000);

      const killedAt = performance.now();
      process.kill(-first.child.pid!, 'SIGKILL');
      await first.exited;
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
      const kept: string = answer.body.content;
      expect(kept.length).toBeGreaterThan(0);
      expect(received.startsWith(kept)).toBe(true);
      // At most the last checkpoint interval (plus a token and a write) is lost.
      const surely = stream.events
        .filter((e) => e.event === 'token' && e.at < killedAt - CHECKPOINT_MS - TOKEN_DELAY_MS - 500)
        .map((e) => e.data.token)
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
      double.configure({ tokens: 5, tokenDelayMs: 0 });
      const next = await requestEvents(`${second.url}/api/chat/stream`, {
        body: { conversation_id: conversationId, message: 'Again, shorter' },
      });
      expect(next.status).toBe(200);
      expect((await next.ended).at(-1)?.data).toMatchObject({ type: 'complete' });
      expect(next.text()).toBe(replyWords(5).join(''));

      killGroup(second.child);
      await second.exited;
    },
    TEST_TIMEOUT,
  );
});
