import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/ids.js';
import { httpClient, type HttpClient, type Reply } from '../support/http-client.js';
import { startLlamaDouble, type LlamaDouble } from '../support/llama-double.js';
import { openSse } from '../support/sse-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

let double: LlamaDouble;
let server: TestServer;
let api: HttpClient;

beforeAll(async () => {
  double = await startLlamaDouble({ modelPath: '/srv/models/Qwen2.5-0.5B-Instruct-Q4_K_M.gguf' });
  server = await startTestServer({ llmApiUrl: double.url });
  api = httpClient(server.url);
});

afterAll(async () => {
  await double.close();
});

/** Asks a question and waits for its answer to end; returns the ids its start event named. */
async function asked(conversationId: string) {
  const stream = await openSse(`${server.url}/api/chat/stream`, {
    body: { conversation_id: conversationId, message: 'Hello?' },
  });
  expect(stream.status).toBe(200);
  const start = (await stream.next('start')).json as {
    session_id: string;
    user_message_id: string;
    message_id: string;
  };
  await stream.ended;
  return start;
}

/** What exists by the time each case runs: one of every kind of thing an id can name. */
async function existing() {
  const project = (await api.post('/api/projects', { name: 'Taken' })).body.id as string;
  const conversation = (await api.post('/api/conversations', { title: 'Taken' })).body.id as string;
  const { session_id, user_message_id, message_id } = await asked(conversation);
  return { project, conversation, question: user_message_id, answer: message_id, session: session_id };
}

/** A 409 problem saying what the id already names; nothing was written. */
async function expectTaken(send: () => Promise<Reply>, owner: string) {
  const head = (await api.get('/api/events?limit=1000')).body.items.length;
  const reply = await send();
  expect(reply.status, JSON.stringify(reply.body)).toBe(409);
  expect(reply.headers.get('content-type')).toMatch(/application\/problem\+json/);
  expect(reply.body).toMatchObject({ type: '/problems/conflict', status: 409 });
  expect(reply.body.detail).toMatch(new RegExp(`already belongs to a ${owner}$`));
  expect((await api.get('/api/events?limit=1000')).body.items.length).toBe(head);
}

describe('a client-made id that names something that exists', () => {
  let taken: Awaited<ReturnType<typeof existing>>;
  beforeAll(async () => {
    taken = await existing();
  });

  const kinds = [
    ['message (a question)', 'question', 'message'],
    ['message (an answer)', 'answer', 'message'],
    ['chat session', 'session', 'chat session'],
    ['project', 'project', 'project'],
    ['conversation', 'conversation', 'conversation'],
  ] as const;

  for (const path of ['/api/conversations', '/api/conversations/create']) {
    for (const [kind, key, owner] of kinds) {
      if (key === 'conversation') continue;
      it(`POST ${path} with the id of a ${kind} is 409 saying so, creating nothing`, async () => {
        await expectTaken(() => api.post(path, { id: taken[key], title: 'Mine' }), owner);
      });
    }
  }

  for (const path of ['/api/projects', '/api/projects/create']) {
    for (const [kind, key, owner] of kinds) {
      if (key === 'project') continue;
      it(`POST ${path} with the id of a ${kind} is 409 saying so, creating nothing`, async () => {
        await expectTaken(() => api.post(path, { id: taken[key], name: 'Mine' }), owner);
      });
    }
  }

  it('a retried create with the same id and body still answers 200 with what exists', async () => {
    const id = uuidv7();
    expect((await api.post('/api/conversations', { id, title: 'Twice' })).status).toBe(201);
    expect((await api.post('/api/conversations', { id, title: 'Twice' })).status).toBe(200);
    const project = uuidv7();
    expect((await api.post('/api/projects', { id: project, name: 'Twice' })).status).toBe(201);
    expect((await api.post('/api/projects', { id: project, name: 'Twice' })).status).toBe(200);
  });

  it('an id that names a soft-deleted conversation or its messages is still taken', async () => {
    const gone = await existing();
    expect((await api.delete(`/api/conversations/${gone.conversation}`)).status).toBe(204);
    await expectTaken(() => api.post('/api/conversations', { id: gone.answer }), 'message');
    await expectTaken(() => api.post('/api/projects', { id: gone.conversation, name: 'x' }), 'conversation');
  });

  it('a fresh client id is created, and search finds its title', async () => {
    const id = uuidv7();
    const reply = await api.post('/api/conversations', { id, title: 'Zebracorn notes' });
    expect(reply.status).toBe(201);
    expect(reply.body.id).toBe(id);
    const hits = (await api.get('/api/search?q=Zebracorn')).body.items;
    expect(hits.map((hit: any) => hit.conversation_id)).toEqual([id]);
  });
});
