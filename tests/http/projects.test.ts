import { beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/ids.js';
import { exchange } from '../support/commands.js';
import { httpClient, type HttpClient, type Reply } from '../support/http-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

let server: TestServer;
let api: HttpClient;
const start = (): Promise<TestServer> => startTestServer();

beforeAll(async () => {
  server = await start();
  api = httpClient(server.url);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function createProject(body: Record<string, unknown> = {}) {
  const reply = await api.post('/api/projects', { name: 'Project', ...body });
  expect(reply.status).toBe(201);
  return reply.body as { id: string; name: string; [key: string]: unknown };
}

async function createConversation(projectId: string | null, title = 'Chat') {
  const reply = await api.post('/api/conversations', { project_id: projectId, title });
  expect(reply.status).toBe(201);
  return reply.body as { id: string; [key: string]: unknown };
}

function expectProblem(reply: Reply, status: number, path?: string) {
  expect(reply.status).toBe(status);
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(reply.body).toMatchObject({
    status,
    type: expect.any(String),
    title: expect.any(String),
    detail: expect.any(String),
  });
  if (path) expect(reply.body.errors).toContainEqual({ path, message: expect.any(String) });
}

describe('POST /api/projects', () => {
  it('creates a project and answers 201 with Location, weak ETag and the read model', async () => {
    const reply = await api.post('/api/projects', {
      name: 'Research',
      description: 'Papers',
      metadata: { color: 'blue' },
    });
    expect(reply.status).toBe(201);
    expect(reply.headers.get('location')).toBe(`/api/projects/${reply.body.id}`);
    expect(reply.headers.get('etag')).toBe('W/"1"');
    expect(reply.body).toMatchObject({
      name: 'Research',
      description: 'Papers',
      metadata: { color: 'blue' },
      deleted_at: null,
      conversation_count: 0,
      message_count: 0,
    });
    const read = await api.get(reply.headers.get('location')!);
    expect(read.body).toEqual(reply.body);
  });

  it('defaults description to null and metadata to an empty object', async () => {
    const reply = await api.post('/api/projects', { name: 'Bare' });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ name: 'Bare', description: null, metadata: {} });
  });

  it('also creates a project at POST /api/projects/create, the path of the original UI', async () => {
    const reply = await api.post('/api/projects/create', { name: 'Legacy' });
    expect(reply.status).toBe(201);
    expect(reply.headers.get('location')).toBe(`/api/projects/${reply.body.id}`);
    expect(reply.headers.get('etag')).toBe('W/"1"');
    expect((await api.get(`/api/projects/${reply.body.id}`)).body.name).toBe('Legacy');
  });

  it('answers a retry with the same client id and body with 200 and the existing project', async () => {
    const id = uuidv7();
    const body = { id, name: 'Idempotent', description: 'once', metadata: { a: 1 } };
    const first = await api.post('/api/projects', body);
    expect(first.status).toBe(201);
    expect(first.body.id).toBe(id);
    const retry = await api.post('/api/projects', body);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('etag')).toBe('W/"1"');
    expect(retry.headers.get('location')).toBe(`/api/projects/${id}`);
    expect(retry.body).toEqual(first.body);
  });

  it('answers 409 problem when a client id is reused with a different body, and keeps the original', async () => {
    const id = uuidv7();
    expect((await api.post('/api/projects', { id, name: 'Original' })).status).toBe(201);
    const clash = await api.post('/api/projects', { id, name: 'Different' });
    expectProblem(clash, 409);
    const read = await api.get(`/api/projects/${id}`);
    expect(read.body.name).toBe('Original');
    expect(read.headers.get('etag')).toBe('W/"1"');
  });

  it.each([
    ['the name is missing', { description: 'x' }, 'body/name'],
    ['the name is blank', { name: '   ' }, 'body/name'],
    ['the name is longer than 200 characters', { name: 'n'.repeat(201) }, 'body/name'],
    [
      'the description is longer than 5000 characters',
      { name: 'ok', description: 'd'.repeat(5001) },
      'body/description',
    ],
    ['a field is unknown', { name: 'ok', colour: 'red' }, 'body/colour'],
    ['metadata is not an object', { name: 'ok', metadata: 'tags' }, 'body/metadata'],
    ['metadata is an array', { name: 'ok', metadata: [1, 2] }, 'body/metadata'],
    ['the client id is not a UUID', { id: 'abc', name: 'ok' }, 'body/id'],
  ])('answers 422 problem naming the path when %s', async (_case, body, path) => {
    const before = (await api.get('/api/projects?limit=100')).body.items.length;
    expectProblem(await api.post('/api/projects', body), 422, path);
    expect((await api.get('/api/projects?limit=100')).body.items.length).toBe(before);
  });

  it('accepts a name of exactly 200 characters and a description of exactly 5000', async () => {
    const reply = await api.post('/api/projects', { name: 'n'.repeat(200), description: 'd'.repeat(5000) });
    expect(reply.status).toBe(201);
    expect(reply.body.name).toHaveLength(200);
  });
});

describe('GET /api/projects/:id', () => {
  it('answers 200 with the project and its ETag', async () => {
    const project = await createProject({ name: 'Readable' });
    const reply = await api.get(`/api/projects/${project.id}`);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('etag')).toBe('W/"1"');
    expect(reply.body).toEqual(project);
  });

  it('answers 404 problem for an id that never existed', async () => {
    expectProblem(await api.get(`/api/projects/${uuidv7()}`), 404);
  });

  it('answers 422 problem naming params/id when the id is not a UUID', async () => {
    expectProblem(await api.get('/api/projects/not-a-uuid'), 422, 'params/id');
  });

  it('answers 404 for a deleted project, and 200 with deleted_at when include_deleted=true', async () => {
    const project = await createProject();
    expect((await api.delete(`/api/projects/${project.id}`)).status).toBe(204);
    expectProblem(await api.get(`/api/projects/${project.id}`), 404);
    const reply = await api.get(`/api/projects/${project.id}?include_deleted=true`);
    expect(reply.status).toBe(200);
    expect(reply.body.id).toBe(project.id);
    expect(reply.body.deleted_at).toEqual(expect.any(String));
    expect(Date.parse(reply.body.deleted_at)).not.toBeNaN();
  });
});

describe('GET /api/projects', () => {
  // A server of its own, so the listing holds exactly the projects made here.
  let list: HttpClient;
  const created: string[] = [];

  beforeAll(async () => {
    list = httpClient((await start()).url);
    for (let i = 1; i <= 7; i++) {
      const reply = await list.post('/api/projects', { name: `P${i}` });
      created.push(reply.body.id);
      await sleep(3); // distinct created_at, so "newest first" has one right answer
    }
  });

  async function walk(query: string) {
    const pages: { items: { id: string }[]; next_cursor: string | null }[] = [];
    let cursor: string | null = null;
    do {
      const reply: Reply = await list.get(
        `/api/projects?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(reply.status).toBe(200);
      pages.push(reply.body);
      cursor = reply.body.next_cursor;
    } while (cursor !== null && pages.length < 20);
    return pages;
  }

  it('lists projects newest first', async () => {
    const reply = await list.get('/api/projects');
    expect(reply.status).toBe(200);
    expect(reply.body.items.map((p: { id: string }) => p.id)).toEqual([...created].reverse());
    expect(reply.body.next_cursor).toBeNull();
  });

  it('pages 7 projects 3 at a time with no duplicate, no gap, and next_cursor null at the end', async () => {
    const pages = await walk('limit=3');
    expect(pages.map((p) => p.items.length)).toEqual([3, 3, 1]);
    expect(pages.flatMap((p) => p.items.map((item) => item.id))).toEqual([...created].reverse());
    expect(pages.at(-1)!.next_cursor).toBeNull();
    expect(pages[0]!.next_cursor).toEqual(expect.any(String));
  });

  it('answers next_cursor null when the last page is exactly full', async () => {
    const pages = await walk('limit=7');
    expect(pages).toHaveLength(1);
    expect(pages[0]!.items).toHaveLength(7);
    expect(pages[0]!.next_cursor).toBeNull();
  });

  it('leaves deleted projects out unless include_deleted=true, which keeps their place in the order', async () => {
    const victim = created[3]!;
    expect((await list.delete(`/api/projects/${victim}`)).status).toBe(204);
    try {
      const live = (await walk('limit=2')).flatMap((p) => p.items.map((item) => item.id));
      expect(live).toEqual([...created].reverse().filter((id) => id !== victim));
      const all = await walk('limit=2&include_deleted=true');
      const items = all.flatMap((p) => p.items as { id: string; deleted_at: string | null }[]);
      expect(items.map((item) => item.id)).toEqual([...created].reverse());
      expect(items.find((item) => item.id === victim)!.deleted_at).toEqual(expect.any(String));
    } finally {
      await list.post(`/api/projects/${victim}/restore`);
    }
  });

  it.each(['limit=0', 'limit=101', 'limit=abc', 'limit=2.5'])(
    'answers 422 problem naming query/limit for %s',
    async (query) => {
      expectProblem(await list.get(`/api/projects?${query}`), 422, 'query/limit');
    },
  );

  it.each([
    ['not base64 JSON', '%%%garbage'],
    ['valid base64 of the wrong shape', Buffer.from('[1,2]').toString('base64url')],
    ['valid base64 of nonsense', 'bm9wZQ'],
  ])('answers 422 problem naming query/cursor for a cursor that is %s', async (_case, cursor) => {
    expectProblem(await list.get(`/api/projects?cursor=${cursor}`), 422, 'query/cursor');
  });

  it('answers 422 problem for an unknown query parameter', async () => {
    expectProblem(await list.get('/api/projects?sort=name'), 422, 'query/sort');
  });
});

describe('PATCH /api/projects/:id', () => {
  it('changes name, description and metadata, replacing the whole metadata object', async () => {
    const project = await createProject({ name: 'Before', description: 'old', metadata: { a: 1, b: 2 } });
    const reply = await api.patch(`/api/projects/${project.id}`, {
      name: 'After',
      description: 'new',
      metadata: { c: 3 },
    });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('etag')).toBe('W/"2"');
    expect(reply.body).toMatchObject({ id: project.id, name: 'After', description: 'new', metadata: { c: 3 } });
    expect(reply.body.created_at).toBe(project.created_at);
    expect(Date.parse(reply.body.updated_at)).toBeGreaterThanOrEqual(Date.parse(project.updated_at as string));
    expect((await api.get(`/api/projects/${project.id}`)).body).toEqual(reply.body);
  });

  it('changes only the fields sent', async () => {
    const project = await createProject({ name: 'Keep', description: 'keep me', metadata: { k: true } });
    const reply = await api.patch(`/api/projects/${project.id}`, { description: null });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ name: 'Keep', description: null, metadata: { k: true } });
  });

  it('answers 200 with the same ETag when nothing changes', async () => {
    const project = await createProject({ name: 'Same' });
    const reply = await api.patch(`/api/projects/${project.id}`, { name: 'Same' });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('etag')).toBe('W/"1"');
  });

  it('applies the change when If-Match matches the current ETag and answers the new ETag W/"2"', async () => {
    const project = await createProject({ name: 'Guarded' });
    const reply = await api.patch(`/api/projects/${project.id}`, { name: 'Guarded 2' }, { 'If-Match': 'W/"1"' });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('etag')).toBe('W/"2"');
    expect(reply.body.name).toBe('Guarded 2');
  });

  it('answers 412 problem to a stale If-Match and changes nothing', async () => {
    const project = await createProject({ name: 'Contested' });
    expect(
      (await api.patch(`/api/projects/${project.id}`, { name: 'First writer' }, { 'If-Match': 'W/"1"' })).status,
    ).toBe(200);
    const stale = await api.patch(`/api/projects/${project.id}`, { name: 'Second writer' }, { 'If-Match': 'W/"1"' });
    expectProblem(stale, 412);
    const read = await api.get(`/api/projects/${project.id}`);
    expect(read.body.name).toBe('First writer');
    expect(read.headers.get('etag')).toBe('W/"2"');
  });

  it.each(['garbage', '"abc"', 'W/1'])(
    'answers 412 problem to an If-Match that is not an ETag of this API (%s)',
    async (ifMatch) => {
      const project = await createProject({ name: 'Untouched' });
      expectProblem(await api.patch(`/api/projects/${project.id}`, { name: 'Changed' }, { 'If-Match': ifMatch }), 412);
      expect((await api.get(`/api/projects/${project.id}`)).body.name).toBe('Untouched');
    },
  );

  it('answers 404 problem for an unknown project', async () => {
    expectProblem(await api.patch(`/api/projects/${uuidv7()}`, { name: 'Nobody' }), 404);
  });

  it('answers 404 problem for a deleted project', async () => {
    const project = await createProject();
    await api.delete(`/api/projects/${project.id}`);
    expectProblem(await api.patch(`/api/projects/${project.id}`, { name: 'Ghost' }), 404);
  });

  it.each([
    ['a blank name', { name: ' ' }, 'body/name'],
    ['an unknown field', { title: 'x' }, 'body/title'],
    ['metadata that is not an object', { metadata: 42 }, 'body/metadata'],
  ])('answers 422 problem naming the path for %s', async (_case, body, path) => {
    const project = await createProject({ name: 'Valid' });
    expectProblem(await api.patch(`/api/projects/${project.id}`, body), 422, path);
    expect((await api.get(`/api/projects/${project.id}`)).headers.get('etag')).toBe('W/"1"');
  });
});

describe('DELETE /api/projects/:id and POST /api/projects/:id/restore', () => {
  it('answers 204, and 204 again when already deleted without writing another event', async () => {
    const project = await createProject();
    const first = await api.delete(`/api/projects/${project.id}`);
    expect(first.status).toBe(204);
    expect(first.text).toBe('');
    expect((await api.delete(`/api/projects/${project.id}`)).status).toBe(204);
    expect((await api.get(`/api/projects/${project.id}?include_deleted=true`)).headers.get('etag')).toBe('W/"2"');
  });

  it('answers 404 problem when deleting a project that never existed', async () => {
    expectProblem(await api.delete(`/api/projects/${uuidv7()}`), 404);
  });

  it('answers 412 problem to a delete with a stale If-Match and keeps the project', async () => {
    const project = await createProject();
    await api.patch(`/api/projects/${project.id}`, { name: 'v2' });
    expectProblem(await api.delete(`/api/projects/${project.id}`, { 'If-Match': 'W/"1"' }), 412);
    expect((await api.get(`/api/projects/${project.id}`)).status).toBe(200);
  });

  it('restores a deleted project: 200 with deleted_at null and ETag W/"3", and it is readable again', async () => {
    const project = await createProject({ name: 'Phoenix' });
    await api.delete(`/api/projects/${project.id}`);
    const reply = await api.post(`/api/projects/${project.id}/restore`);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('etag')).toBe('W/"3"');
    expect(reply.body).toMatchObject({ id: project.id, name: 'Phoenix', deleted_at: null });
    expect((await api.get(`/api/projects/${project.id}`)).status).toBe(200);
  });

  it('answers 200 without a new version when restoring a project that is not deleted', async () => {
    const project = await createProject();
    const reply = await api.post(`/api/projects/${project.id}/restore`);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('etag')).toBe('W/"1"');
  });

  it('answers 404 problem when restoring a project that never existed', async () => {
    expectProblem(await api.post(`/api/projects/${uuidv7()}/restore`), 404);
  });

  it('hides the conversations and messages of a deleted project, and restore brings them back', async () => {
    const project = await createProject({ name: 'Hidden' });
    const conversation = await createConversation(project.id, 'Inside');
    const { userId } = await exchange(server.services, conversation.id, 'hello?', 'hi!');
    const outside = await createConversation(null, 'Outside');

    const listed = async () =>
      (await api.get('/api/conversations?limit=100')).body.items.map((c: { id: string }) => c.id);
    expect(await listed()).toEqual(expect.arrayContaining([conversation.id, outside.id]));

    expect((await api.delete(`/api/projects/${project.id}`)).status).toBe(204);
    expect(await listed()).not.toContain(conversation.id);
    expect(await listed()).toContain(outside.id);
    expect((await api.get(`/api/conversations?project_id=${project.id}`)).body.items).toEqual([]);
    expectProblem(await api.get(`/api/conversations/${conversation.id}`), 404);
    expectProblem(await api.get(`/api/messages/${userId}`), 404);
    expect((await api.get(`/api/conversations/${conversation.id}?include_deleted=true`)).status).toBe(200);

    expect((await api.post(`/api/projects/${project.id}/restore`)).status).toBe(200);
    expect(await listed()).toContain(conversation.id);
    const back = await api.get(`/api/conversations/${conversation.id}`);
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ project_id: project.id, deleted_at: null, message_count: 2 });
    expect((await api.get(`/api/messages/${userId}`)).status).toBe(200);
  });
});

describe('GET /api/projects/:id/stats', () => {
  it('answers zeros and the project update time for a project with no conversations', async () => {
    const project = await createProject();
    const reply = await api.get(`/api/projects/${project.id}/stats`);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      conversation_count: 0,
      message_count: 0,
      last_activity_at: project.updated_at,
      total_tokens: 0,
      reactions: { thumbs_up: 0, thumbs_down: 0 },
      document_count: 0,
      chunk_count: 0,
    });
  });

  it('counts conversations, messages, tokens and reactions, and reports the last activity', async () => {
    const project = await createProject({ name: 'Busy' });
    const first = await createConversation(project.id, 'First');
    const second = await createConversation(project.id, 'Second');
    const a = await exchange(server.services, first.id, 'q1', 'a1', { tokens: 10 });
    const b = await exchange(server.services, first.id, 'q2', 'a2', { tokens: 5 });
    const c = await exchange(server.services, second.id, 'q3', 'a3', { tokens: 20 });
    for (const [id, reaction] of [
      [a.assistantId, 'thumbs_up'],
      [b.assistantId, 'thumbs_up'],
      [c.assistantId, 'thumbs_down'],
      [c.userId, 'thumbs_up'],
    ] as const) {
      expect((await api.patch(`/api/messages/${id}/reaction`, { reaction })).status).toBe(200);
    }
    // Clearing a reaction takes it out of the counts.
    expect((await api.patch(`/api/messages/${c.userId}/reaction`, { reaction: null })).body.reaction).toBeNull();

    const lastMessageAt = (await api.get(`/api/conversations/${second.id}`)).body.last_message_at;
    const stats = await api.get(`/api/projects/${project.id}/stats`);
    expect(stats.status).toBe(200);
    expect(stats.body).toEqual({
      conversation_count: 2,
      message_count: 6,
      last_activity_at: lastMessageAt,
      total_tokens: 35,
      reactions: { thumbs_up: 2, thumbs_down: 1 },
      document_count: 0,
      chunk_count: 0,
    });
    const read = (await api.get(`/api/projects/${project.id}`)).body;
    expect(read).toMatchObject({ conversation_count: 2, message_count: 6, last_activity_at: lastMessageAt });
  });

  it('drops the counts of a conversation that is deleted or moved out of the project', async () => {
    const project = await createProject({ name: 'Shrinking' });
    const other = await createProject({ name: 'Elsewhere' });
    const staying = await createConversation(project.id, 'Staying');
    const leaving = await createConversation(project.id, 'Leaving');
    const deleted = await createConversation(project.id, 'Deleted');
    await exchange(server.services, staying.id, 'q', 'a', { tokens: 1 });
    const moved = await exchange(server.services, leaving.id, 'q', 'a', { tokens: 2 });
    const gone = await exchange(server.services, deleted.id, 'q', 'a', { tokens: 4 });
    await api.patch(`/api/messages/${moved.assistantId}/reaction`, { reaction: 'thumbs_up' });
    await api.patch(`/api/messages/${gone.assistantId}/reaction`, { reaction: 'thumbs_down' });
    const stats = async (id: string) => (await api.get(`/api/projects/${id}/stats`)).body;
    expect(await stats(project.id)).toMatchObject({
      conversation_count: 3,
      message_count: 6,
      total_tokens: 7,
      reactions: { thumbs_up: 1, thumbs_down: 1 },
    });

    expect((await api.delete(`/api/conversations/${deleted.id}`)).status).toBe(204);
    expect(await stats(project.id)).toMatchObject({
      conversation_count: 2,
      message_count: 4,
      total_tokens: 3,
      reactions: { thumbs_up: 1, thumbs_down: 0 },
    });

    expect((await api.patch(`/api/conversations/${leaving.id}`, { project_id: other.id })).status).toBe(200);
    expect(await stats(project.id)).toMatchObject({
      conversation_count: 1,
      message_count: 2,
      total_tokens: 1,
      reactions: { thumbs_up: 0, thumbs_down: 0 },
    });
    expect(await stats(other.id)).toMatchObject({
      conversation_count: 1,
      message_count: 2,
      total_tokens: 2,
      reactions: { thumbs_up: 1, thumbs_down: 0 },
    });

    expect((await api.patch(`/api/conversations/${staying.id}`, { project_id: null })).status).toBe(200);
    expect(await stats(project.id)).toMatchObject({ conversation_count: 0, message_count: 0, total_tokens: 0 });
    expect((await api.get(`/api/projects/${project.id}`)).body).toMatchObject({
      conversation_count: 0,
      message_count: 0,
    });

    expect((await api.post(`/api/conversations/${deleted.id}/restore`)).status).toBe(200);
    expect(await stats(project.id)).toMatchObject({ conversation_count: 1, message_count: 2, total_tokens: 4 });
  });

  it('answers 404 problem for an unknown or deleted project', async () => {
    expectProblem(await api.get(`/api/projects/${uuidv7()}/stats`), 404);
    const project = await createProject();
    await api.delete(`/api/projects/${project.id}`);
    expectProblem(await api.get(`/api/projects/${project.id}/stats`), 404);
  });
});
