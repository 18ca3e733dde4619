import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isFinal, type ChatEventData } from '../../src/chat/chat-events.js';
import type { AnswerOutcome, AnswerRequest, Relay } from '../../src/chat/chat-flow.js';
import { uuidv7 } from '../../src/ids.js';
import { createLogger } from '../../src/logger.js';
import { httpClient } from '../support/http-client.js';
import { startLlamaDouble, type LlamaDouble } from '../support/llama-double.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

// The chat flow called as HTTP calls it, with plain inputs and a relay that only records: what it answers and when.

let double: LlamaDouble;

beforeAll(async () => {
  double = await startLlamaDouble();
});

beforeEach(() => double.reset());

afterAll(async () => {
  await double.close();
});

async function newConversation(server: TestServer): Promise<string> {
  const created = await httpClient(server.url).post('/api/conversations', {});
  expect(created.status).toBe(201);
  return created.body.id;
}

/** A question as POST /api/chat/stream asks it. */
function question(conversation_id: string, content = 'Tell me a story'): AnswerRequest {
  const [session_id, user_message_id, message_id] = [uuidv7(), uuidv7(), uuidv7()];
  return {
    conversation_id,
    session_id,
    message_id,
    question_id: user_message_id,
    user_message_id,
    metadata: { request_id: 'chat-flow-test' },
    log: createLogger('silent'),
    start: {
      type: 'AskQuestion',
      data: {
        conversation_id,
        user_message_id,
        assistant_message_id: message_id,
        content,
        metadata: {},
        assistant_metadata: { session_id },
        max_content_length: 10_000,
        options: {},
      },
    },
  };
}

/** A relay that records the events it is sent; it is done once the final event came and `finish()` was called. */
function recordingRelay() {
  const events: ChatEventData[] = [];
  let calls = 0;
  let finish = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const relay: Relay = (session) => {
    calls += 1;
    return new Promise<void>((resolve) => {
      session.subscribe((event) => {
        events.push(event.data);
        if (isFinal(event.data)) void finished.then(resolve);
      });
    });
  };
  return { relay, events, finish, calls: () => calls };
}

/** The outcome once settled, or 'pending'. */
async function stateOf(promise: Promise<AnswerOutcome | void>): Promise<unknown> {
  return Promise.race([promise, new Promise((resolve) => setTimeout(() => resolve('pending'), 100))]);
}

const messageStatus = async (server: TestServer, id: string) => {
  const reply = await httpClient(server.url).get(`/api/messages/${id}`);
  return reply.status === 200 ? reply.body.status : reply.status;
};

describe('the chat flow (src/chat/chat-flow.ts), without HTTP', () => {
  it('relays an accepted answer once, and ends (and lets a drain end) only after the relay is done', async () => {
    const server = await startTestServer({ llmApiUrl: double.url });
    const request = question(await newConversation(server));
    const recorder = recordingRelay();

    const outcome = server.services.chatFlow.answer(request, recorder.relay);
    await expect.poll(() => recorder.events.at(-1)?.type, { timeout: 5_000 }).toBe('complete');
    expect(recorder.events.map((e) => e.type)).toEqual(['start', ...Array(12).fill('token'), 'complete']);
    expect(await messageStatus(server, request.message_id)).toBe('complete');

    // The answer has ended, its end is stored: still the flow holds it as running while the relay sends.
    const drained = server.services.drain.drain(10_000);
    expect(await stateOf(outcome)).toBe('pending');
    expect(await stateOf(drained)).toBe('pending');
    recorder.finish();
    expect(await outcome).toEqual({ type: 'streamed' });
    await drained;
    expect(recorder.calls()).toBe(1);

    // Draining: refused before anything is stored or relayed.
    const late = question(request.conversation_id, 'One more?');
    const lateRelay = recordingRelay();
    expect(await server.services.chatFlow.answer(late, lateRelay.relay)).toEqual({
      type: 'refused',
      refusal: { reason: 'shutting_down' },
    });
    expect(lateRelay.calls()).toBe(0);
    expect(await messageStatus(server, late.user_message_id!)).toBe(404);
  });

  it('refuses llm_unavailable without relaying when llama.cpp is unreachable; the answer is stored failed', async () => {
    const server = await startTestServer();
    const request = question(await newConversation(server));
    const recorder = recordingRelay();

    const outcome = await server.services.chatFlow.answer(request, recorder.relay);
    expect(outcome).toEqual({
      type: 'refused',
      refusal: { reason: 'llm_unavailable', error: expect.stringMatching(/unreachable/) },
    });
    expect(recorder.calls()).toBe(0);
    expect(await messageStatus(server, request.user_message_id!)).toBe('complete');
    expect(await messageStatus(server, request.message_id)).toBe('failed');
  });

  it('refuses too_many_generations without relaying or storing when the one slot is busy and there is no queue', async () => {
    double.configure({ tokens: 20, tokenDelayMs: 50 });
    const server = await startTestServer({ llmApiUrl: double.url, llmMaxConcurrency: 1, llmMaxQueue: 0 });
    const first = question(await newConversation(server));
    const running = recordingRelay();
    const firstOutcome = server.services.chatFlow.answer(first, running.relay);
    await expect.poll(() => running.events.length, { timeout: 5_000 }).toBeGreaterThan(1);

    const second = question(await newConversation(server));
    const refused = recordingRelay();
    expect(await server.services.chatFlow.answer(second, refused.relay)).toEqual({
      type: 'refused',
      refusal: { reason: 'too_many_generations' },
    });
    expect(refused.calls()).toBe(0);
    expect(await messageStatus(server, second.user_message_id!)).toBe(404);

    running.finish();
    expect(await firstOutcome).toEqual({ type: 'streamed' });
    expect(running.events.at(-1)?.type).toBe('complete');
  });
});
