import { beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../src/http/app-state.js';
import { uuidv7 } from '../../src/ids.js';
import { exchange } from '../support/commands.js';
import { httpClient, type HttpClient } from '../support/http-client.js';
import { startTestServer } from '../support/test-server.js';

// No llama.cpp behind this server: every refusal below is decided before it would be asked.
let api: HttpClient;
let services: Services;

beforeAll(async () => {
  const server = await startTestServer({ llmApiUrl: 'http://127.0.0.1:9', maxMessageLength: 10 });
  api = httpClient(server.url);
  services = server.services;
});

/** A conversation with one answered question, in a project that is then deleted. */
async function inDeletedProject() {
  const project = (await api.post('/api/projects', { name: 'Soon deleted' })).body.id as string;
  const conversation = (await api.post('/api/conversations', { project_id: project, title: 'Inside' })).body
    .id as string;
  const { userId, assistantId } = await exchange(services, conversation, 'Hi?', 'Hello.');
  expect((await api.delete(`/api/projects/${project}`)).status).toBe(204);
  return { project, conversation, userId, assistantId };
}

const eventCount = async () => (await api.get('/api/events?limit=1000')).body.items.length as number;

describe('refusals the deciders make, as HTTP answers them', () => {
  it('a question to a conversation in a deleted project is 404, before llama.cpp or a slot, storing nothing', async () => {
    const { conversation } = await inDeletedProject();
    const before = await eventCount();
    const reply = await api.post('/api/chat/stream', { conversation_id: conversation, message: 'Hi' });
    expect(reply.status).toBe(404);
    expect(reply.body).toMatchObject({ type: '/problems/not-found', detail: `Conversation ${conversation} not found` });
    expect(await eventCount()).toBe(before);
  });

  it('too long a question is 422 on body/message before the conversation is looked at', async () => {
    const reply = await api.post('/api/chat/stream', { conversation_id: uuidv7(), message: '12345678901' });
    expect(reply.status).toBe(422);
    expect(reply.body.detail).toBe('body/message: must be at most 10 characters (MAX_MESSAGE_LENGTH)');
    expect(reply.body.errors).toEqual([
      { path: 'body/message', message: 'must be at most 10 characters (MAX_MESSAGE_LENGTH)' },
    ]);
  });

  it('regenerating a question (not an answer) is 422 on params/id', async () => {
    const conversation = (await api.post('/api/conversations', {})).body.id;
    const { userId } = await exchange(services, conversation, 'Hi?', 'Hello.');
    const reply = await api.post(`/api/messages/${userId}/regenerate`, {});
    expect(reply.status).toBe(422);
    expect(reply.body.detail).toBe(`Message ${userId} is not an answer that can be regenerated`);
    expect(reply.body.errors).toEqual([{ path: 'params/id', message: 'is not an assistant message' }]);
  });

  it('forking a conversation in a deleted project is 404, creating nothing', async () => {
    const { conversation, assistantId } = await inDeletedProject();
    const before = await eventCount();
    const reply = await api.post(`/api/conversations/${conversation}/fork`, { message_id: assistantId });
    expect(reply.status).toBe(404);
    expect(reply.body.detail).toBe(`Conversation ${conversation} not found`);
    expect(await eventCount()).toBe(before);
  });

  it('importing even an empty file into a deleted project is 422 on query/project_id', async () => {
    const { project } = await inDeletedProject();
    const reply = await api.post(`/api/conversations/import?project_id=${project}`, []);
    expect(reply.status).toBe(422);
    expect(reply.body.errors).toEqual([
      { path: 'query/project_id', message: `names no project, or a deleted one: ${project}` },
    ]);
  });

  it('moving a conversation into a deleted project is 422 on body/project_id', async () => {
    const { project } = await inDeletedProject();
    const conversation = (await api.post('/api/conversations', {})).body.id;
    const reply = await api.patch(`/api/conversations/${conversation}`, { project_id: project });
    expect(reply.status).toBe(422);
    expect(reply.body.errors).toEqual([
      { path: 'body/project_id', message: `Project ${project} does not exist or is deleted` },
    ]);
  });
});
