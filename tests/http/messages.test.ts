import { beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../src/http/app-state.js';
import { uuidv7 } from '../../src/ids.js';
import { exchange, runConversationCommand } from '../support/commands.js';
import { httpClient, type HttpClient } from '../support/http-client.js';
import { startTestServer } from '../support/test-server.js';

let api: HttpClient;
let services: Services;

beforeAll(async () => {
  const server = await startTestServer();
  api = httpClient(server.url);
  services = server.services;
});

/** A new conversation (optionally in a project) with one question and its completed answer. */
async function conversationWithExchange(projectId?: string) {
  const created = await api.post('/api/conversations', projectId ? { project_id: projectId } : {});
  expect(created.status).toBe(201);
  const conversationId: string = created.body.id;
  const turn = await exchange(services, conversationId, 'What is 2 + 2?', 'Four.', {
    tokens: 12,
    model: 'qwen-0.5b.gguf',
  });
  return { conversationId, ...turn };
}

describe('GET /api/messages/:id', () => {
  it('returns a completed assistant message with its generation fields, timings and parent', async () => {
    const { conversationId, userId, assistantId } = await conversationWithExchange();
    const reply = await api.get(`/api/messages/${assistantId}`);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
    expect(reply.body).toEqual({
      id: assistantId,
      conversation_id: conversationId,
      role: 'assistant',
      content: 'Four.',
      status: 'complete',
      finish_reason: 'stop',
      reaction: null,
      parent_message_id: userId,
      token_count: 12,
      model_name: 'qwen-0.5b.gguf',
      completion_time_ms: 42,
      metadata: { timings: { prompt_n: 5, prompt_ms: 1.5, predicted_n: 12, predicted_ms: 30 } },
      created_at: reply.body.created_at,
      reasoning: null,
      sources: [],
      has_reasoning: false,
      reasoning_ms: null,
    });
    expect(new Date(reply.body.created_at).toISOString()).toBe(reply.body.created_at);
  });

  it('returns a user message with no generation fields', async () => {
    const { conversationId, userId } = await conversationWithExchange();
    const reply = await api.get(`/api/messages/${userId}`);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      id: userId,
      conversation_id: conversationId,
      role: 'user',
      content: 'What is 2 + 2?',
      status: 'complete',
      finish_reason: null,
      reaction: null,
      parent_message_id: null,
      token_count: null,
      model_name: null,
      completion_time_ms: null,
      metadata: {},
    });
  });

  it('shows an assistant message still being generated as streaming with empty content', async () => {
    const { conversationId, assistantId: previous } = await conversationWithExchange();
    const userId = uuidv7();
    const assistantId = uuidv7();
    await runConversationCommand(services, {
      type: 'PostUserMessage',
      data: { conversation_id: conversationId, message_id: userId, content: 'And 3 + 3?', metadata: { lang: 'en' } },
    });
    await runConversationCommand(services, {
      type: 'StartAssistantResponse',
      data: { conversation_id: conversationId, message_id: assistantId, parent_message_id: userId, metadata: {} },
    });
    expect((await api.get(`/api/messages/${userId}`)).body).toMatchObject({
      parent_message_id: previous,
      metadata: { lang: 'en' },
    });
    expect((await api.get(`/api/messages/${assistantId}`)).body).toMatchObject({
      role: 'assistant',
      content: '',
      status: 'streaming',
      finish_reason: null,
      token_count: null,
      parent_message_id: userId,
    });
  });

  it('shows a failed generation as failed with its partial content and the error in metadata', async () => {
    const { conversationId } = await conversationWithExchange();
    const userId = uuidv7();
    const assistantId = uuidv7();
    await runConversationCommand(services, {
      type: 'PostUserMessage',
      data: { conversation_id: conversationId, message_id: userId, content: 'Tell me more', metadata: {} },
    });
    await runConversationCommand(services, {
      type: 'StartAssistantResponse',
      data: { conversation_id: conversationId, message_id: assistantId, parent_message_id: userId, metadata: {} },
    });
    await runConversationCommand(services, {
      type: 'FailMessage',
      data: {
        conversation_id: conversationId,
        message_id: assistantId,
        error: 'llama.cpp went away',
        error_type: 'connection',
        partial_content: 'Well,',
      },
    });
    expect((await api.get(`/api/messages/${assistantId}`)).body).toMatchObject({
      status: 'failed',
      content: 'Well,',
      metadata: { error: 'llama.cpp went away', error_type: 'connection' },
    });
  });

  it('answers 404 problem+json for an unknown message id', async () => {
    const reply = await api.get(`/api/messages/${uuidv7()}`);
    expect(reply.status).toBe(404);
    expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(reply.body).toMatchObject({ status: 404, type: '/problems/not-found' });
  });

  it('answers 422 naming params/id for an id that is not a UUID', async () => {
    const reply = await api.get('/api/messages/42');
    expect(reply.status).toBe(422);
    expect(reply.body.errors).toContainEqual(expect.objectContaining({ path: 'params/id' }));
  });

  it('answers 404 for a message of a deleted conversation, and 200 again once it is restored', async () => {
    const { conversationId, assistantId } = await conversationWithExchange();
    expect((await api.delete(`/api/conversations/${conversationId}`)).status).toBe(204);
    expect((await api.get(`/api/messages/${assistantId}`)).status).toBe(404);
    expect((await api.post(`/api/conversations/${conversationId}/restore`)).status).toBe(200);
    expect((await api.get(`/api/messages/${assistantId}`)).status).toBe(200);
  });

  it('answers 404 for a message of a conversation whose project is deleted', async () => {
    const project = await api.post('/api/projects', { name: 'Soon gone' });
    const { assistantId } = await conversationWithExchange(project.body.id);
    expect((await api.get(`/api/messages/${assistantId}`)).status).toBe(200);
    expect((await api.delete(`/api/projects/${project.body.id}`)).status).toBe(204);
    expect((await api.get(`/api/messages/${assistantId}`)).status).toBe(404);
  });
});

describe('PATCH /api/messages/:id/reaction', () => {
  it('sets thumbs_up and answers 200 with the message carrying the reaction', async () => {
    const { assistantId } = await conversationWithExchange();
    const reply = await api.patch(`/api/messages/${assistantId}/reaction`, { reaction: 'thumbs_up' });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ id: assistantId, reaction: 'thumbs_up', content: 'Four.', status: 'complete' });
    expect((await api.get(`/api/messages/${assistantId}`)).body.reaction).toBe('thumbs_up');
  });

  it('replaces thumbs_up with thumbs_down', async () => {
    const { assistantId } = await conversationWithExchange();
    await api.patch(`/api/messages/${assistantId}/reaction`, { reaction: 'thumbs_up' });
    const reply = await api.patch(`/api/messages/${assistantId}/reaction`, { reaction: 'thumbs_down' });
    expect(reply.status).toBe(200);
    expect(reply.body.reaction).toBe('thumbs_down');
    expect((await api.get(`/api/messages/${assistantId}`)).body.reaction).toBe('thumbs_down');
  });

  it('clears the reaction with null', async () => {
    const { assistantId } = await conversationWithExchange();
    await api.patch(`/api/messages/${assistantId}/reaction`, { reaction: 'thumbs_down' });
    const reply = await api.patch(`/api/messages/${assistantId}/reaction`, { reaction: null });
    expect(reply.status).toBe(200);
    expect(reply.body.reaction).toBeNull();
    expect((await api.get(`/api/messages/${assistantId}`)).body.reaction).toBeNull();
  });

  it('answers setting the same reaction twice 200 without a second change to the conversation', async () => {
    const { conversationId, assistantId } = await conversationWithExchange();
    await api.patch(`/api/messages/${assistantId}/reaction`, { reaction: 'thumbs_up' });
    const version = (await api.get(`/api/conversations/${conversationId}`)).headers.get('etag');
    const again = await api.patch(`/api/messages/${assistantId}/reaction`, { reaction: 'thumbs_up' });
    expect(again.status).toBe(200);
    expect(again.body.reaction).toBe('thumbs_up');
    expect((await api.get(`/api/conversations/${conversationId}`)).headers.get('etag')).toBe(version);
  });

  it('reacts to one message without touching the others of the conversation', async () => {
    const { conversationId, userId, assistantId } = await conversationWithExchange();
    const second = await exchange(services, conversationId, 'Sure?', 'Yes.');
    await api.patch(`/api/messages/${second.assistantId}/reaction`, { reaction: 'thumbs_up' });
    const messages = (await api.get(`/api/conversations/${conversationId}/messages`)).body.items;
    expect(messages.map((m: any) => [m.id, m.reaction])).toEqual([
      [userId, null],
      [assistantId, null],
      [second.userId, null],
      [second.assistantId, 'thumbs_up'],
    ]);
  });

  it('counts reactions in the stats of the project', async () => {
    const project = await api.post('/api/projects', { name: 'Feedback' });
    const first = await conversationWithExchange(project.body.id);
    const second = await conversationWithExchange(project.body.id);
    await api.patch(`/api/messages/${first.assistantId}/reaction`, { reaction: 'thumbs_up' });
    await api.patch(`/api/messages/${second.assistantId}/reaction`, { reaction: 'thumbs_down' });
    await api.patch(`/api/messages/${second.userId}/reaction`, { reaction: 'thumbs_down' });
    const stats = await api.get(`/api/projects/${project.body.id}/stats`);
    expect(stats.body.reactions).toEqual({ thumbs_up: 1, thumbs_down: 2 });
  });

  it('rejects a reaction outside thumbs_up, thumbs_down and null with 422 naming body/reaction', async () => {
    const { assistantId } = await conversationWithExchange();
    for (const reaction of ['heart', 'THUMBS_UP', '', 1, true]) {
      const reply = await api.patch(`/api/messages/${assistantId}/reaction`, { reaction });
      expect(reply.status, String(reaction)).toBe(422);
      expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(reply.body.errors, String(reaction)).toContainEqual(expect.objectContaining({ path: 'body/reaction' }));
    }
    expect((await api.get(`/api/messages/${assistantId}`)).body.reaction).toBeNull();
  });

  it('rejects a body without the reaction field with 422 naming body/reaction', async () => {
    const { assistantId } = await conversationWithExchange();
    await api.patch(`/api/messages/${assistantId}/reaction`, { reaction: 'thumbs_up' });
    const empty = await api.patch(`/api/messages/${assistantId}/reaction`, {});
    expect(empty.status).toBe(422);
    expect(empty.body.errors).toContainEqual(expect.objectContaining({ path: 'body/reaction' }));
    const none = await api.request('PATCH', `/api/messages/${assistantId}/reaction`);
    expect(none.status).toBe(422);
    expect(none.body.errors).toContainEqual(expect.objectContaining({ path: 'body/reaction' }));
    expect((await api.get(`/api/messages/${assistantId}`)).body.reaction).toBe('thumbs_up');
  });

  it('rejects unknown fields next to the reaction with 422 naming the field', async () => {
    const { assistantId } = await conversationWithExchange();
    const reply = await api.patch(`/api/messages/${assistantId}/reaction`, { reaction: 'thumbs_up', comment: 'nice' });
    expect(reply.status).toBe(422);
    expect(reply.body.errors).toContainEqual(expect.objectContaining({ path: 'body/comment' }));
    expect((await api.get(`/api/messages/${assistantId}`)).body.reaction).toBeNull();
  });

  it('answers 404 for an unknown message', async () => {
    const reply = await api.patch(`/api/messages/${uuidv7()}/reaction`, { reaction: 'thumbs_up' });
    expect(reply.status).toBe(404);
    expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('answers 404 for a message of a deleted conversation and leaves its reaction unchanged', async () => {
    const { conversationId, assistantId } = await conversationWithExchange();
    await api.delete(`/api/conversations/${conversationId}`);
    const reply = await api.patch(`/api/messages/${assistantId}/reaction`, { reaction: 'thumbs_up' });
    expect(reply.status).toBe(404);
    await api.post(`/api/conversations/${conversationId}/restore`);
    expect((await api.get(`/api/messages/${assistantId}`)).body.reaction).toBeNull();
  });
});
