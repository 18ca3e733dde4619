import { afterAll, describe, expect, it, vi } from 'vitest';
import { replyWords } from '../../tools/llama-double/tokenizer.js';
import { httpClient } from '../support/http-client.js';
import { killLlamaDoubleProcesses, startLlamaDoubleProcess } from '../support/llama-double-process.js';
import { openSse } from '../support/sse-client.js';
import { startTestServer } from '../support/test-server.js';

/** Long enough for a chat to be sent while the restarted llama.cpp still loads, on a busy machine. */
const LOADING_MS = 6_000;

afterAll(() => {
  killLlamaDoubleProcesses();
});

describe('llama.cpp killed (SIGKILL) mid-answer, then restarted and loading its model', () => {
  it(
    'the answer ends in an llm_error event and is stored failed with its partial text; during the restart a chat ' +
      'gets a 503 problem, its answer failed; once loaded the next chat completes',
    async () => {
      const llama = await startLlamaDoubleProcess(['--port', '0', '--tokens', '400', '--delay', '50']);
      // One slot and no queue: an answer left holding its slot would refuse the next chat with 429.
      const server = await startTestServer({ llmApiUrl: llama.url, llmMaxConcurrency: 1, llmMaxQueue: 0 });
      const api = httpClient(server.url);
      const created = await api.post('/api/conversations', {});
      expect(created.status).toBe(201);
      const conversation_id: string = created.body.id;
      const chat = (message: string) =>
        openSse(`${server.url}/api/chat/stream`, { body: { conversation_id, message } });

      const stream = await chat('Tell me a long story');
      expect(stream.status).toBe(200);
      const { message_id } = (await stream.next('start')).json;
      await stream.tokens(5);
      await llama.kill();
      const events = await stream.ended;

      const last = events.at(-1)!;
      expect(last.json).toEqual({ type: 'error', error: expect.stringMatching(/broke off/), error_type: 'llm_error' });
      const partial = stream.text();
      expect(partial.length).toBeGreaterThan(0);
      expect(replyWords(400).join('').startsWith(partial)).toBe(true);
      expect((await api.get(`/api/messages/${message_id}`)).body).toMatchObject({
        status: 'failed',
        content: partial,
        metadata: { error: last.json.error, error_type: 'llm_error' },
      });

      const restarted = await startLlamaDoubleProcess([
        '--port',
        String(llama.port),
        '--tokens',
        '12',
        '--loading-ms',
        String(LOADING_MS),
      ]);
      try {
        const loading = await chat('Are you back?');
        expect(loading.status).toBe(503);
        expect(Number(loading.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(loading.body).toMatchObject({
          type: '/problems/llm-unavailable',
          detail: expect.stringMatching(/Loading model/),
        });
        const messages = (await api.get(`/api/conversations/${conversation_id}/messages`)).body.items;
        expect(messages.at(-2)).toMatchObject({ role: 'user', content: 'Are you back?', status: 'complete' });
        expect(messages.at(-1)).toMatchObject({
          role: 'assistant',
          status: 'failed',
          content: '',
          metadata: { error_type: 'llm_unavailable' },
        });

        await vi.waitFor(async () => expect((await fetch(`${restarted.url}/health`)).status).toBe(200), {
          timeout: LOADING_MS + 10_000,
          interval: 100,
        });
        const next = await chat('And now?');
        expect({ status: next.status, body: next.body }).toMatchObject({ status: 200 });
        expect((await next.ended).at(-1)?.json).toMatchObject({ type: 'complete', finish_reason: 'stop' });
        expect(next.text()).toBe(replyWords(12).join(''));
      } finally {
        await restarted.kill();
      }
    },
    90_000,
  );
});
