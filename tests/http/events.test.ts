import { beforeAll, describe, expect, it } from 'vitest';
import { exchange } from '../support/commands.js';
import { httpClient, type HttpClient } from '../support/http-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

type LoggedEvent = {
  position: number;
  stream_id: string;
  stream_type: string;
  stream_version: number;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  schema_version: number;
  created_at: string;
};

let server: TestServer;
let api: HttpClient;

beforeAll(async () => {
  server = await startTestServer();
  api = httpClient(server.url);
});

/** The position of the last event in the log, so a test reads only what it wrote. */
async function logEnd(): Promise<number> {
  let after = 0;
  for (;;) {
    const reply = await api.get(`/api/events?after=${after}&limit=1000`);
    if (reply.body.items.length === 0) return after;
    after = reply.body.next_after;
  }
}

async function eventsAfter(after: number, limit = 1000): Promise<LoggedEvent[]> {
  const reply = await api.get(`/api/events?after=${after}&limit=${limit}`);
  expect(reply.status).toBe(200);
  return reply.body.items;
}

describe('GET /api/events', () => {
  it('returns what each command wrote in position order, with stream id, version, type, data, metadata', async () => {
    const start = await logEnd();
    const created = await api.post(
      '/api/projects',
      { name: 'Logged', description: 'd', metadata: { k: 1 } },
      { 'X-Correlation-Id': 'corr-42' },
    );
    const projectId = created.body.id;
    const renamed = await api.patch(`/api/projects/${projectId}`, { name: 'Logged 2' });
    const conversation = await api.post('/api/conversations', { project_id: projectId, title: 'T' });

    const events = await eventsAfter(start);
    expect(events.map((e) => [e.stream_id, e.stream_type, e.stream_version, e.type])).toEqual([
      [projectId, 'project', 1, 'ProjectCreated'],
      [projectId, 'project', 2, 'ProjectUpdated'],
      [conversation.body.id, 'conversation', 1, 'ConversationCreated'],
    ]);
    const positions = events.map((e) => e.position);
    expect(positions[0]).toBeGreaterThan(start);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(new Set(positions).size).toBe(positions.length);

    const [first, second, third] = events as [LoggedEvent, LoggedEvent, LoggedEvent];
    expect(first.data).toEqual({ project_id: projectId, name: 'Logged', description: 'd', metadata: { k: 1 } });
    expect(second.data).toEqual({ project_id: projectId, name: 'Logged 2' });
    expect(third.data).toEqual({
      conversation_id: conversation.body.id,
      project_id: projectId,
      title: 'T',
      metadata: {},
    });

    const createdBy = created.headers.get('x-request-id');
    expect(createdBy).toEqual(expect.any(String));
    expect(first.metadata).toEqual({ request_id: createdBy, correlation_id: 'corr-42', causation_id: createdBy });
    const renamedBy = renamed.headers.get('x-request-id');
    expect(renamedBy).not.toBe(createdBy);
    expect(second.metadata).toMatchObject({ request_id: renamedBy, correlation_id: renamedBy });
    expect(third.metadata).toMatchObject({ request_id: conversation.headers.get('x-request-id') });

    for (const event of events) {
      expect(event.schema_version).toBe(1);
      expect(new Date(event.created_at).toISOString()).toBe(event.created_at);
    }
    expect(first.created_at).toBe(created.body.created_at);
  });

  it('stores the X-Request-Id a client sent as the request_id of the events it caused', async () => {
    const start = await logEnd();
    const reply = await api.post('/api/projects', { name: 'Traced' }, { 'X-Request-Id': 'client-req-7' });
    expect(reply.headers.get('x-request-id')).toBe('client-req-7');
    const [event] = await eventsAfter(start);
    expect(event!.metadata).toMatchObject({ request_id: 'client-req-7', correlation_id: 'client-req-7' });
  });

  it('replaces an X-Request-Id that is unsafe to log with one of its own, and logs that one', async () => {
    const start = await logEnd();
    const reply = await api.post('/api/projects', { name: 'Untrusted' }, { 'X-Request-Id': 'bad id\twith spaces' });
    const used = reply.headers.get('x-request-id');
    expect(used).not.toBe('bad id\twith spaces');
    expect(used).toMatch(/^[A-Za-z0-9._:-]+$/);
    const [event] = await eventsAfter(start);
    expect(event!.metadata.request_id).toBe(used);
  });

  it('logs message events of the command layer on the conversation stream, one version after another', async () => {
    const conversation = await api.post('/api/conversations', { title: 'Chat' });
    const start = await logEnd();
    const { userId, assistantId } = await exchange(server.services, conversation.body.id, 'q', 'a', { tokens: 3 });
    const events = await eventsAfter(start);
    expect(events.map((e) => [e.stream_id, e.stream_version, e.type])).toEqual([
      [conversation.body.id, 2, 'UserMessagePosted'],
      [conversation.body.id, 3, 'AssistantResponseStarted'],
      [conversation.body.id, 4, 'MessageCompleted'],
    ]);
    expect(events[0]!.data).toMatchObject({ message_id: userId, content: 'q', parent_message_id: null });
    expect(events[2]!.data).toMatchObject({
      message_id: assistantId,
      content: 'a',
      token_count: 3,
      finish_reason: 'stop',
    });
    expect(events[0]!.metadata).toMatchObject({ request_id: 'test' });
  });

  it('writes no event for a command that changes nothing, nor for one that is refused', async () => {
    const project = await api.post('/api/projects', { name: 'Quiet' });
    const start = await logEnd();
    expect((await api.patch(`/api/projects/${project.body.id}`, { name: 'Quiet' })).status).toBe(200);
    expect((await api.post(`/api/projects/${project.body.id}/restore`)).status).toBe(200);
    expect((await api.patch(`/api/projects/${project.body.id}`, { name: 'x' }, { 'If-Match': 'W/"9"' })).status).toBe(
      412,
    );
    expect((await api.post('/api/projects', { name: '' })).status).toBe(422);
    expect(await eventsAfter(start)).toEqual([]);
  });

  it('pages through the log with after and limit, next_after at the end of each page, no gap or repeat', async () => {
    const start = await logEnd();
    for (let i = 0; i < 5; i++) await api.post('/api/projects', { name: `Paged ${i}` });
    const all = await eventsAfter(start);
    expect(all).toHaveLength(5);

    const pages: LoggedEvent[][] = [];
    let after = start;
    for (;;) {
      const reply = await api.get(`/api/events?after=${after}&limit=2`);
      expect(reply.status).toBe(200);
      const items: LoggedEvent[] = reply.body.items;
      if (items.length === 0) {
        expect(reply.body.next_after).toBe(after);
        break;
      }
      expect(reply.body.next_after).toBe(items.at(-1)!.position);
      pages.push(items);
      after = reply.body.next_after;
    }
    expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
    expect(pages.flat()).toEqual(all);
  });

  it('reads from the start of the log when after is left out, and answers an empty page past the end', async () => {
    await api.post('/api/projects', { name: 'Somewhere' });
    const first = await api.get('/api/events?limit=1');
    expect(first.body.items).toHaveLength(1);
    expect(first.body.items[0].position).toBe(first.body.next_after);
    expect((await api.get(`/api/events?after=0&limit=1`)).body).toEqual(first.body);

    const end = await logEnd();
    const past = await api.get(`/api/events?after=${end + 1000}`);
    expect(past.status).toBe(200);
    expect(past.body).toEqual({ items: [], next_after: end + 1000 });
  });

  it('accepts limit 1 and 1000, the bounds', async () => {
    expect((await api.get('/api/events?limit=1')).status).toBe(200);
    expect((await api.get('/api/events?limit=1000')).status).toBe(200);
  });

  it.each([
    ['limit=0', 'query/limit'],
    ['limit=1001', 'query/limit'],
    ['limit=abc', 'query/limit'],
    ['limit=1.5', 'query/limit'],
    ['after=-1', 'query/after'],
    ['after=first', 'query/after'],
    ['from=3', 'query/from'],
  ])('answers 422 problem naming %s as invalid', async (query, path) => {
    const reply = await api.get(`/api/events?${query}`);
    expect(reply.status).toBe(422);
    expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(reply.body.errors).toContainEqual({ path, message: expect.any(String) });
  });
});
