import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replyWords } from '../../tools/llama-double/tokenizer.js';
import { httpClient } from '../support/http-client.js';
import { startLlamaDouble, type LlamaDouble } from '../support/llama-double.js';
import { openSse } from '../support/sse-client.js';
import { startTestServer } from '../support/test-server.js';

let llama: LlamaDouble;

beforeAll(async () => {
  llama = await startLlamaDouble({ closeReused: true });
});

afterAll(async () => {
  await llama.close();
});

describe('llama.cpp closes a kept-alive connection as a request goes out on it (its idle timeout ran out)', () => {
  it('every chat still completes: its request goes again on a new connection', async () => {
    const server = await startTestServer({ llmApiUrl: llama.url });
    const api = httpClient(server.url);
    const created = await api.post('/api/conversations', {});
    expect(created.status).toBe(201);
    const conversation_id: string = created.body.id;

    for (const message of ['First question', 'Second question', 'Third question']) {
      const stream = await openSse(`${server.url}/api/chat/stream`, { body: { conversation_id, message } });
      expect({ status: stream.status, body: stream.body }).toMatchObject({ status: 200 });
      expect((await stream.ended).at(-1)?.json).toMatchObject({ type: 'complete', finish_reason: 'stop' });
      expect(stream.text()).toBe(replyWords(12).join(''));
    }

    const closed = llama.requests.filter((request) => request.closedUnanswered);
    expect(closed.map((request) => request.path)).toEqual(expect.arrayContaining(['/v1/chat/completions']));
    const messages = (await api.get(`/api/conversations/${conversation_id}/messages`)).body.items;
    expect(messages.map((each: { status: string }) => each.status)).toEqual(Array(6).fill('complete'));
  });
});
