import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/ids.js';
import { runConversationCommand } from '../support/commands.js';
import { httpClient, type HttpClient } from '../support/http-client.js';
import { startLlamaDouble, type LlamaDouble } from '../support/llama-double.js';
import { readWholeLog } from '../support/read-log.js';
import { openSse } from '../support/sse-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

let double: LlamaDouble;
let server: TestServer;
let api: HttpClient;

beforeAll(async () => {
  double = await startLlamaDouble({ tokens: 4 });
  server = await startTestServer({ llmApiUrl: double.url });
  api = httpClient(server.url);
});

afterAll(async () => {
  await double.close();
});

async function created(path: string, body: Record<string, unknown> = {}): Promise<string> {
  const reply = await api.post(path, body);
  expect(reply.status, reply.text).toBe(201);
  return reply.body.id as string;
}

/** Asks over the chat API and reads the answer to its end; returns the answer's message id. */
async function ask(conversationId: string, message: string): Promise<string> {
  const stream = await openSse(`${server.url}/api/chat/stream`, {
    body: { conversation_id: conversationId, message },
  });
  expect(stream.status).toBe(200);
  const events = await stream.ended;
  expect(events.at(-1)!.event).toBe('complete');
  return events[0]!.json.message_id as string;
}

async function regenerate(messageId: string): Promise<string> {
  const stream = await openSse(`${server.url}/api/messages/${messageId}/regenerate`, { body: {} });
  const events = await stream.ended;
  expect(events.at(-1)!.event).toBe('complete');
  return events[0]!.json.message_id as string;
}

async function historyOf(id: string, query = ''): Promise<any[]> {
  const reply = await api.get(`/api/conversations/${id}/history${query}`);
  expect(reply.status, reply.text).toBe(200);
  return reply.body.items;
}

describe('GET /api/conversations/:id/history', () => {
  it('lists what was asked, answered, regenerated, reacted to, renamed, moved, deleted and restored, in order, each as /api/events shows it', async () => {
    const [p, q] = [await created('/api/projects', { name: 'P' }), await created('/api/projects', { name: 'Q' })];
    const id = await created('/api/conversations', { project_id: p, title: 'First title' });
    const answer = await ask(id, 'What is an event log?');
    expect((await api.patch(`/api/messages/${answer}/reaction`, { reaction: 'thumbs_down' })).status).toBe(200);
    await regenerate(answer);
    expect((await api.patch(`/api/conversations/${id}`, { title: 'Second title' })).status).toBe(200);
    expect((await api.patch(`/api/conversations/${id}`, { project_id: q })).status).toBe(200);
    expect((await api.delete(`/api/conversations/${id}`)).status).toBe(204);
    expect((await api.post(`/api/conversations/${id}/restore`)).status).toBe(200);
    await created('/api/conversations', { title: 'Another conversation' });

    const history = await historyOf(id);
    expect(history.map((e) => e.type)).toEqual([
      'ConversationCreated',
      'UserMessagePosted',
      'AssistantResponseStarted',
      'MessageCompleted',
      'MessageReactionChanged',
      'AssistantResponseStarted',
      'MessageCompleted',
      'ConversationRenamed',
      'ConversationMoved',
      'ConversationDeleted',
      'ConversationRestored',
    ]);
    expect(history.map((e) => e.stream_version)).toEqual(history.map((_, i) => i + 1));
    expect(history[1].data).toMatchObject({ content: 'What is an event log?' });
    expect(history[5].data).toMatchObject({ parent_message_id: history[1].data.message_id });
    expect(history[5].data.metadata).toMatchObject({ regenerated_from: answer });
    expect(history[8].data).toEqual({ conversation_id: id, from_project_id: p, to_project_id: q });
    const log = (await readWholeLog(api)).filter((e) => e.stream_id === id);
    expect(history).toEqual(log);
  });

  it('lists the streaming checkpoints of an answer (AssistantResponseProgressed) as the log holds them; types picks some types only', async () => {
    const id = await created('/api/conversations', { title: 'Checkpointed' });
    const question = uuidv7();
    const answer = uuidv7();
    const run = (command: Parameters<typeof runConversationCommand>[1]) =>
      runConversationCommand(server.services, command);
    await run({
      type: 'PostUserMessage',
      data: { conversation_id: id, message_id: question, content: 'Long answer please', metadata: {} },
    });
    await run({
      type: 'StartAssistantResponse',
      data: { conversation_id: id, message_id: answer, parent_message_id: question, metadata: {} },
    });
    await run({ type: 'CheckpointResponse', data: { conversation_id: id, message_id: answer, delta: 'Once ' } });
    await run({ type: 'CheckpointResponse', data: { conversation_id: id, message_id: answer, delta: 'upon ' } });
    await run({
      type: 'CompleteMessage',
      data: {
        conversation_id: id,
        message_id: answer,
        content: 'Once upon a time.',
        token_count: 5,
        model_name: 'tiny.gguf',
        completion_time_ms: 12,
        finish_reason: 'stop',
        timings: {},
      },
    });

    const all = await historyOf(id);
    expect(all.filter((e) => e.type === 'AssistantResponseProgressed').map((e) => e.data.delta)).toEqual([
      'Once ',
      'upon ',
    ]);
    const picked = await historyOf(id, '?types=UserMessagePosted,MessageCompleted');
    expect(picked.map((e) => e.type)).toEqual(['UserMessagePosted', 'MessageCompleted']);
    const without = await historyOf(
      id,
      '?types=ConversationCreated,UserMessagePosted,AssistantResponseStarted,MessageCompleted',
    );
    expect(without).toEqual(all.filter((e) => e.type !== 'AssistantResponseProgressed'));
  });

  it('pages with after and limit like /api/events: next_after is the last position, an empty page ends it', async () => {
    const id = await created('/api/conversations', { title: 'Paged 0' });
    for (let i = 1; i <= 6; i++) {
      expect((await api.patch(`/api/conversations/${id}`, { title: `Paged ${i}` })).status).toBe(200);
      await created('/api/conversations', { title: `interleaved ${i}` });
    }
    const all = await historyOf(id);
    expect(all).toHaveLength(7);

    const pages: any[][] = [];
    let after = 0;
    for (;;) {
      const reply = await api.get(`/api/conversations/${id}/history?after=${after}&limit=3`);
      expect(reply.status).toBe(200);
      if (reply.body.items.length === 0) {
        expect(reply.body.next_after).toBe(after);
        break;
      }
      expect(reply.body.next_after).toBe(reply.body.items.at(-1).position);
      pages.push(reply.body.items);
      after = reply.body.next_after;
    }
    expect(pages.map((page) => page.length)).toEqual([3, 3, 1]);
    expect(pages.flat()).toEqual(all);
    const filtered = await api.get(`/api/conversations/${id}/history?types=ConversationRenamed&limit=2`);
    expect(filtered.body.items.map((e: any) => e.data.title)).toEqual(['Paged 1', 'Paged 2']);
    expect(filtered.body.next_after).toBe(filtered.body.items[1].position);
  });

  it('answers a soft-deleted conversation with its history, its deletion included', async () => {
    const id = await created('/api/conversations', { title: 'Deleted' });
    expect((await api.delete(`/api/conversations/${id}`)).status).toBe(204);
    expect((await api.get(`/api/conversations/${id}`)).status).toBe(404);
    expect((await historyOf(id)).map((e) => e.type)).toEqual(['ConversationCreated', 'ConversationDeleted']);
  });

  it('answers 404 for an unknown conversation, a project id, and a purged conversation (only its tombstone is left)', async () => {
    expect((await api.get(`/api/conversations/${uuidv7()}/history`)).status).toBe(404);
    const project = await created('/api/projects', { name: 'Not a conversation' });
    expect((await api.get(`/api/conversations/${project}/history`)).status).toBe(404);

    const id = await created('/api/conversations', { title: 'Secret' });
    expect((await api.delete(`/api/conversations/${id}?purge=true`)).status).toBe(204);
    const purged = await api.get(`/api/conversations/${id}/history`);
    expect(purged.status).toBe(404);
    expect(purged.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(purged.text).not.toContain('Secret');
  });

  it.each([
    ['limit=0', 'query/limit'],
    ['limit=1001', 'query/limit'],
    ['after=-1', 'query/after'],
    ['after=x', 'query/after'],
    ['types=Renamed', 'query/types'],
    ['types=', 'query/types'],
    ['cursor=abc', 'query/cursor'],
  ])('answers ?%s with a 422 problem naming %s', async (query, path) => {
    const id = await created('/api/conversations', {});
    const reply = await api.get(`/api/conversations/${id}/history?${query}`);
    expect(reply.status).toBe(422);
    expect(reply.body.errors).toContainEqual({ path, message: expect.any(String) });
  });

  it('answers a malformed id with a 422 problem naming it', async () => {
    const reply = await api.get('/api/conversations/not-an-id/history');
    expect(reply.status).toBe(422);
    expect(reply.body.errors).toContainEqual({ path: 'params/id', message: expect.any(String) });
  });
});
