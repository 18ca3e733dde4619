import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpClient, type HttpClient } from '../support/http-client.js';
import { ONE_MODEL, startRealLlamaServer, type RealLlamaServer } from '../support/real-llama-server.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { startTestServer } from '../support/test-server.js';
import { answers, textOf } from './answers.js';

let llama: RealLlamaServer;
let proxy: TcpProxy;
let api: HttpClient;
let chats: ReturnType<typeof answers>;
/** Set, the next reply bytes carrying a reasoning delta freeze llama-server where it is. */
let freezeOnReasoning = false;
let stoppedConversation: string;

// The tiny model writes a whole answer in about 0.2 s, quicker than a stop can arrive. The app talks to llama-server
// through a relay that watches its replies, so the test can freeze the server (SIGSTOP) mid-answer, as if the model
// were slow, and stop the answer there.
beforeAll(async () => {
  llama = await startRealLlamaServer(ONE_MODEL);
  proxy = await startTcpProxy(
    { host: '127.0.0.1', port: Number(new URL(llama.url).port) },
    {
      onReply: (chunk) => {
        if (freezeOnReasoning && chunk.includes('"reasoning_content"')) {
          freezeOnReasoning = false;
          llama.pause();
        }
      },
    },
  );
  const app = await startTestServer({ llmApiUrl: `http://127.0.0.1:${proxy.port}` });
  api = httpClient(app.url);
  chats = answers(app.url, api);
});

afterAll(async () => {
  await proxy?.close();
  await llama?.close();
});

describe('a stop of an answer a real llama-server is generating', () => {
  it('cancels it at once, keeps the partial text, and llama.cpp lets go of the slot', async () => {
    freezeOnReasoning = true;
    stoppedConversation = await chats.newConversation();
    const stream = await chats.chat({ conversation_id: stoppedConversation, message: 'Stop me' });
    const start = await stream.next('start');
    await stream.next('reasoning');
    const stopped = await api.post('/api/chat/stop', { session_id: start.json.session_id });
    expect(stopped.status, stopped.text).toBe(200);
    expect(stopped.body).toEqual({ stopped: true });
    const events = await stream.ended;
    llama.resume();
    expect(events.at(-1)!.json).toMatchObject({ type: 'error', error_type: 'cancelled' });
    expect(events.some((event) => event.event === 'complete')).toBe(false);

    const message = await chats.message(start.json.message_id);
    expect(message).toMatchObject({ status: 'cancelled', has_reasoning: true, content: textOf(events, 'token') });
    expect(message.reasoning).toBe(textOf(events, 'reasoning'));
    expect(message.reasoning).not.toBe('');

    // Thawed, llama-server finds the connection closed and cancels the task: every slot idle again.
    await expect.poll(() => llama.output(), { timeout: 10_000 }).toMatch(/cancel task/);
    await expect
      .poll(async () => {
        const slots = (await (await fetch(`${llama.url}/slots`)).json()) as { is_processing: boolean }[];
        return slots.map((slot) => slot.is_processing);
      })
      .toEqual([false, false]);
  });

  it('answers the next question of the stopped conversation whole', async () => {
    const { end } = await chats.answered(stoppedConversation, 'Are you still there?');
    expect(end.json).toMatchObject({ type: 'complete', finish_reason: 'stop' });
  });
});
