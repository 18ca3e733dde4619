import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../../clients/typescript/client.js';
import { replyWords } from '../../tools/llama-double/tokenizer.js';
import { startLlamaDouble, type LlamaDouble } from '../support/llama-double.js';
import { startTestServer } from '../support/test-server.js';

const TOKEN = 'a-token-for-the-typed-client-test-0123456789';
let llama: LlamaDouble;

beforeAll(async () => {
  llama = await startLlamaDouble();
});

afterAll(async () => {
  await llama.close();
});

describe('a client made with openapi-fetch from the generated types, against the real server', () => {
  it('creates a project and a conversation in it, lists both, chats and reads the answer back by id', async () => {
    const server = await startTestServer({ apiToken: TOKEN, llmApiUrl: llama.url });
    const api = createApiClient(server.url, TOKEN);

    const project = await api.POST('/api/projects', { body: { name: 'Typed' } });
    expect(project.response.status).toBe(201);
    const project_id = project.data!.id;
    const conversation = await api.POST('/api/conversations', { body: { project_id, title: 'Typed talk' } });
    expect(conversation.response.status).toBe(201);
    const conversation_id = conversation.data!.id;

    const projects = await api.GET('/api/projects', { params: { query: { limit: 100 } } });
    expect(projects.data?.items.map((each) => each.id)).toContain(project_id);
    const conversations = await api.GET('/api/conversations', { params: { query: { project_id } } });
    expect(conversations.data?.items.map((each) => [each.id, each.title])).toEqual([[conversation_id, 'Typed talk']]);

    const chat = await api.POST('/api/chat/stream', {
      body: { conversation_id, message: 'Hello, typed world' },
      parseAs: 'text',
    });
    expect(chat.response.status).toBe(200);
    expect(chat.data).toContain('event: complete');

    const messages = await api.GET('/api/conversations/{id}/messages', { params: { path: { id: conversation_id } } });
    const answer = messages.data!.items.at(-1)!;
    const read = await api.GET('/api/messages/{id}', { params: { path: { id: answer.id } } });
    expect(read.data).toMatchObject({
      role: 'assistant',
      status: 'complete',
      content: replyWords(12).join(''),
      conversation_id,
    });
  });

  it('answers an unknown id with a typed 404 problem and a request without the token with 401', async () => {
    const server = await startTestServer({ apiToken: TOKEN });
    const missing = await createApiClient(server.url, TOKEN).GET('/api/messages/{id}', {
      params: { path: { id: '0190f3c4-0000-7000-8000-000000000000' } },
    });
    expect(missing.response.status).toBe(404);
    expect(missing.error).toMatchObject({ status: 404, detail: expect.stringContaining('not found') });
    const anonymous = await createApiClient(server.url).GET('/api/projects');
    expect(anonymous.response.status).toBe(401);
  });

  it('the types refuse a body the API does not take, and the server answers it with a 422 problem', async () => {
    const server = await startTestServer({ apiToken: TOKEN });
    const api = createApiClient(server.url, TOKEN);
    // @ts-expect-error `name` is required and `title` is not a field of a project
    const refused = await api.POST('/api/projects', { body: { title: 'Not a project field' } });
    expect(refused.response.status).toBe(422);
    expect(refused.error).toMatchObject({ status: 422 });
  });
});
