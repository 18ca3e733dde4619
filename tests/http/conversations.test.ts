import { beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../src/http/app-state.js';
import { uuidv7 } from '../../src/ids.js';
import { exchange } from '../support/commands.js';
import { httpClient, type HttpClient } from '../support/http-client.js';
import { startTestServer } from '../support/test-server.js';

let api: HttpClient;
let services: Services;

beforeAll(async () => {
  const server = await startTestServer();
  api = httpClient(server.url);
  services = server.services;
});

/** Waits until the clock has moved on, so the next write gets a later timestamp than the last one. */
async function tick(): Promise<void> {
  const start = Date.now();
  while (Date.now() <= start + 1) await new Promise((resolve) => setTimeout(resolve, 1));
}

async function createProject(name = 'Project'): Promise<string> {
  const reply = await api.post('/api/projects', { name });
  expect(reply.status).toBe(201);
  return reply.body.id;
}

async function createConversation(body: Record<string, unknown> = {}): Promise<any> {
  const reply = await api.post('/api/conversations', body);
  expect(reply.status).toBe(201);
  return reply.body;
}

async function deleteProject(id: string): Promise<void> {
  expect((await api.delete(`/api/projects/${id}`)).status).toBe(204);
}

/** Follows next_cursor to the end and returns every item seen, page by page. */
async function allPages(path: string): Promise<{ pages: any[][]; items: any[] }> {
  const pages: any[][] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const url: string = cursor ? `${path}${separator}cursor=${encodeURIComponent(cursor)}` : path;
    const reply = await api.get(url);
    expect(reply.status).toBe(200);
    pages.push(reply.body.items);
    cursor = reply.body.next_cursor;
  } while (cursor !== null && pages.length < 50);
  return { pages, items: pages.flat() };
}

const ids = (items: { id: string }[]) => items.map((item) => item.id);

describe('POST /api/conversations', () => {
  it('creates a conversation without a project: 201, Location, ETag W/"1" and the read model', async () => {
    const reply = await api.post('/api/conversations', { title: 'Loose ends', metadata: { pinned: true } });
    expect(reply.status).toBe(201);
    expect(reply.headers.get('location')).toBe(`/api/conversations/${reply.body.id}`);
    expect(reply.headers.get('etag')).toBe('W/"1"');
    expect(reply.body).toEqual({
      id: reply.body.id,
      project_id: null,
      title: 'Loose ends',
      metadata: { pinned: true },
      settings: {},
      created_at: reply.body.created_at,
      updated_at: reply.body.created_at,
      deleted_at: null,
      last_message_at: null,
      message_count: 0,
      current_leaf_id: null,
    });
    expect(reply.body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Date(reply.body.created_at).toISOString()).toBe(reply.body.created_at);
    const read = await api.get(reply.headers.get('location')!);
    expect(read.status).toBe(200);
    expect(read.headers.get('etag')).toBe('W/"1"');
    expect(read.body).toEqual({ ...reply.body, generating: null, context: null });
  });

  it('creates a conversation in a project, which then counts it', async () => {
    const projectId = await createProject('Research');
    const reply = await api.post('/api/conversations', { project_id: projectId, title: 'Papers' });
    expect(reply.status).toBe(201);
    expect(reply.headers.get('location')).toBe(`/api/conversations/${reply.body.id}`);
    expect(reply.headers.get('etag')).toBe('W/"1"');
    expect(reply.body).toMatchObject({ project_id: projectId, title: 'Papers', metadata: {} });
    const project = await api.get(`/api/projects/${projectId}`);
    expect(project.body.conversation_count).toBe(1);
  });

  it('creates through the legacy path POST /api/conversations/create as well', async () => {
    const reply = await api.post('/api/conversations/create', { title: 'Legacy UI' });
    expect(reply.status).toBe(201);
    expect(reply.headers.get('location')).toBe(`/api/conversations/${reply.body.id}`);
    expect((await api.get(`/api/conversations/${reply.body.id}`)).body.title).toBe('Legacy UI');
  });

  it('creates an untitled conversation from an empty JSON body and from no body at all', async () => {
    const empty = await api.post('/api/conversations', {});
    expect(empty.status).toBe(201);
    expect(empty.body).toMatchObject({ project_id: null, title: null, metadata: {}, message_count: 0 });
    const none = await api.request('POST', '/api/conversations');
    expect(none.status).toBe(201);
    expect(none.body).toMatchObject({ project_id: null, title: null, metadata: {} });
    expect(none.body.id).not.toBe(empty.body.id);
  });

  it('answers 422 naming body/project_id when the project does not exist, and creates nothing', async () => {
    const id = uuidv7();
    const reply = await api.post('/api/conversations', { id, project_id: uuidv7(), title: 'Orphan' });
    expect(reply.status).toBe(422);
    expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(reply.body.errors).toContainEqual(expect.objectContaining({ path: 'body/project_id' }));
    expect((await api.get(`/api/conversations/${id}?include_deleted=true`)).status).toBe(404);
  });

  it('answers 422 naming body/project_id when the project is deleted', async () => {
    const projectId = await createProject('Gone');
    await deleteProject(projectId);
    const id = uuidv7();
    const reply = await api.post('/api/conversations', { id, project_id: projectId });
    expect(reply.status).toBe(422);
    expect(reply.body.errors).toContainEqual(expect.objectContaining({ path: 'body/project_id' }));
    expect((await api.get(`/api/conversations/${id}?include_deleted=true`)).status).toBe(404);
  });

  it('answers a retry with the same client id and body 200 with the same resource, creating nothing new', async () => {
    const projectId = await createProject('Retries');
    const body = { id: uuidv7(), project_id: projectId, title: 'Once only', metadata: { n: 1 } };
    const first = await api.post('/api/conversations', body);
    expect(first.status).toBe(201);
    const retry = await api.post('/api/conversations', body);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('location')).toBe(`/api/conversations/${body.id}`);
    expect(retry.headers.get('etag')).toBe('W/"1"');
    expect(retry.body).toEqual(first.body);
    const list = await api.get(`/api/conversations?project_id=${projectId}`);
    expect(ids(list.body.items)).toEqual([body.id]);
  });

  it('answers 409 when a client id is reused with a different body, and keeps the original', async () => {
    const id = uuidv7();
    expect((await api.post('/api/conversations', { id, title: 'Original' })).status).toBe(201);
    const clash = await api.post('/api/conversations', { id, title: 'Impostor' });
    expect(clash.status).toBe(409);
    expect(clash.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await api.get(`/api/conversations/${id}`)).body.title).toBe('Original');
  });

  it('answers 409 when the client id is already the id of a project, and leaves the project working', async () => {
    const projectId = await createProject('Taken id');
    const reply = await api.post('/api/conversations', { id: projectId, title: 'Same id' });
    expect(reply.status).toBe(409);
    expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await api.get(`/api/conversations/${projectId}?include_deleted=true`)).status).toBe(404);
    expect((await api.delete(`/api/conversations/${projectId}`)).status).toBe(404);
    const rename = await api.patch(`/api/projects/${projectId}`, { name: 'Still a project' });
    expect(rename.status).toBe(200);
    expect(rename.headers.get('etag')).toBe('W/"2"');
  });

  it('answers 409 when a project is created with a conversation id, and leaves the conversation working', async () => {
    const conversation = await createConversation({ title: 'Mine' });
    const reply = await api.post('/api/projects', { id: conversation.id, name: 'Same id' });
    expect(reply.status).toBe(409);
    expect((await api.get(`/api/projects/${conversation.id}?include_deleted=true`)).status).toBe(404);
    const rename = await api.patch(`/api/conversations/${conversation.id}`, { title: 'Still mine' });
    expect(rename.status).toBe(200);
    expect(rename.headers.get('etag')).toBe('W/"2"');
  });

  it('answers 422 naming body/project_id when project_id is the id of a conversation', async () => {
    const other = await createConversation({ title: 'Not a project' });
    const reply = await api.post('/api/conversations', { project_id: other.id });
    expect(reply.status).toBe(422);
    expect(reply.body.errors).toContainEqual(expect.objectContaining({ path: 'body/project_id' }));
    const move = await api.patch(`/api/conversations/${other.id}`, { project_id: other.id });
    expect(move.status).toBe(422);
    expect((await api.get(`/api/conversations/${other.id}`)).body.project_id).toBeNull();
  });

  it('rejects a title longer than 500 characters with 422 naming body/title', async () => {
    const reply = await api.post('/api/conversations', { title: 'x'.repeat(501) });
    expect(reply.status).toBe(422);
    expect(reply.body.errors).toContainEqual(expect.objectContaining({ path: 'body/title' }));
  });
});

describe('GET /api/conversations/:id', () => {
  it('answers 404 problem+json for an id that never existed', async () => {
    const reply = await api.get(`/api/conversations/${uuidv7()}`);
    expect(reply.status).toBe(404);
    expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(reply.body).toMatchObject({ status: 404, type: '/problems/not-found' });
  });

  it('answers 404 for a deleted conversation, and 200 with deleted_at when include_deleted=true', async () => {
    const conversation = await createConversation({ title: 'Deleted soon' });
    expect((await api.delete(`/api/conversations/${conversation.id}`)).status).toBe(204);
    expect((await api.get(`/api/conversations/${conversation.id}`)).status).toBe(404);
    const read = await api.get(`/api/conversations/${conversation.id}?include_deleted=true`);
    expect(read.status).toBe(200);
    expect(read.body.title).toBe('Deleted soon');
    expect(read.body.deleted_at).not.toBeNull();
    expect(new Date(read.body.deleted_at).toISOString()).toBe(read.body.deleted_at);
  });

  it('answers 404 for a conversation of a deleted project, and lists it again once that is restored', async () => {
    const projectId = await createProject('Hidden with it');
    const conversation = await createConversation({ project_id: projectId });
    await deleteProject(projectId);
    expect((await api.get(`/api/conversations/${conversation.id}`)).status).toBe(404);
    expect((await api.get(`/api/conversations?project_id=${projectId}`)).body.items).toEqual([]);
    expect((await api.post(`/api/projects/${projectId}/restore`)).status).toBe(200);
    expect((await api.get(`/api/conversations/${conversation.id}`)).status).toBe(200);
    expect(ids((await api.get(`/api/conversations?project_id=${projectId}`)).body.items)).toEqual([conversation.id]);
  });
});

describe('GET /api/conversations', () => {
  it('lists the most recently created first, and moves a conversation that gets a message to the top', async () => {
    const projectId = await createProject('Ordering');
    const first = await createConversation({ project_id: projectId, title: 'first' });
    await tick();
    const second = await createConversation({ project_id: projectId, title: 'second' });
    await tick();
    const third = await createConversation({ project_id: projectId, title: 'third' });
    const before = await api.get(`/api/conversations?project_id=${projectId}`);
    expect(ids(before.body.items)).toEqual([third.id, second.id, first.id]);
    expect(before.body.next_cursor).toBeNull();

    await tick();
    await exchange(services, first.id, 'Hello?', 'Hi!');
    const after = await api.get(`/api/conversations?project_id=${projectId}`);
    expect(ids(after.body.items)).toEqual([first.id, third.id, second.id]);

    await tick();
    await exchange(services, second.id, 'And me?', 'You too.');
    const again = await api.get(`/api/conversations?project_id=${projectId}`);
    expect(ids(again.body.items)).toEqual([second.id, first.id, third.id]);
  });

  it('filters by project_id, leaving out conversations of other projects and of none', async () => {
    const mine = await createProject('Mine');
    const other = await createProject('Other');
    const a = await createConversation({ project_id: mine });
    const b = await createConversation({ project_id: mine });
    const elsewhere = await createConversation({ project_id: other });
    const loose = await createConversation({});
    const list = await api.get(`/api/conversations?project_id=${mine}`);
    expect(list.status).toBe(200);
    expect(ids(list.body.items).sort()).toEqual([a.id, b.id].sort());
    expect(list.body.items.every((c: any) => c.project_id === mine)).toBe(true);
    const everything = ids((await api.get('/api/conversations?limit=100')).body.items);
    expect(everything).toEqual(expect.arrayContaining([a.id, b.id, elsewhere.id, loose.id]));
  });

  it('leaves deleted conversations out of the list unless include_deleted=true', async () => {
    const projectId = await createProject('Listing deleted');
    const kept = await createConversation({ project_id: projectId });
    const gone = await createConversation({ project_id: projectId });
    await api.delete(`/api/conversations/${gone.id}`);
    expect(ids((await api.get(`/api/conversations?project_id=${projectId}`)).body.items)).toEqual([kept.id]);
    const all = await api.get(`/api/conversations?project_id=${projectId}&include_deleted=true`);
    expect(ids(all.body.items).sort()).toEqual([kept.id, gone.id].sort());
  });

  it('finds titles containing q, case-insensitively', async () => {
    const match1 = await createConversation({ title: 'Zebra-Quokka notes' });
    const match2 = await createConversation({ title: 'about zebra-quokka' });
    const noMatch = await createConversation({ title: 'zebra quokka' });
    const untitled = await createConversation({});
    const found = ids((await api.get(`/api/conversations?q=${encodeURIComponent('ZEBRA-quokka')}`)).body.items);
    expect(found.sort()).toEqual([match1.id, match2.id].sort());
    expect(found).not.toContain(noMatch.id);
    expect(found).not.toContain(untitled.id);
  });

  it("treats '%' and '_' in q as literal characters, not wildcards", async () => {
    const percent = await createConversation({ title: 'Growth 100% yak' });
    const underscore = await createConversation({ title: 'snake_case yak' });
    const plain = await createConversation({ title: 'Growth 1000 yak snakeXcase' });
    const byPercent = ids((await api.get(`/api/conversations?q=${encodeURIComponent('100%')}`)).body.items);
    expect(byPercent).toEqual([percent.id]);
    const byUnderscore = ids((await api.get(`/api/conversations?q=${encodeURIComponent('snake_case')}`)).body.items);
    expect(byUnderscore).toEqual([underscore.id]);
    const onlyWildcard = ids((await api.get(`/api/conversations?q=${encodeURIComponent('%')}`)).body.items);
    expect(onlyWildcard).toEqual([percent.id]);
    expect(onlyWildcard).not.toContain(plain.id);
    const backslash = await createConversation({ title: 'path C:\\yak' });
    const byBackslash = ids((await api.get(`/api/conversations?q=${encodeURIComponent('C:\\y')}`)).body.items);
    expect(byBackslash).toEqual([backslash.id]);
  });

  it('combines q with project_id', async () => {
    const projectId = await createProject('Search within');
    const inside = await createConversation({ project_id: projectId, title: 'walrus plan' });
    await createConversation({ project_id: projectId, title: 'other plan' });
    const outside = await createConversation({ title: 'walrus plan' });
    const found = ids((await api.get(`/api/conversations?project_id=${projectId}&q=walrus`)).body.items);
    expect(found).toEqual([inside.id]);
    expect(found).not.toContain(outside.id);
  });

  it('pages through every conversation with next_cursor, without duplicates or gaps, in activity order', async () => {
    const projectId = await createProject('Paging');
    const created: string[] = [];
    for (let i = 0; i < 7; i += 1) {
      created.push((await createConversation({ project_id: projectId, title: `page ${i}` })).id);
    }
    const { pages, items } = await allPages(`/api/conversations?project_id=${projectId}&limit=3`);
    expect(pages.map((page) => page.length)).toEqual([3, 3, 1]);
    expect(new Set(ids(items)).size).toBe(7);
    expect(ids(items).sort()).toEqual([...created].sort());
    const full = await api.get(`/api/conversations?project_id=${projectId}&limit=100`);
    expect(ids(items)).toEqual(ids(full.body.items));
  });

  it('answers a last page of exactly limit items with next_cursor null after it', async () => {
    const projectId = await createProject('Exact pages');
    for (let i = 0; i < 4; i += 1) await createConversation({ project_id: projectId });
    const { pages } = await allPages(`/api/conversations?project_id=${projectId}&limit=2`);
    expect(pages.map((page) => page.length)).toEqual([2, 2]);
  });

  it('rejects a cursor the API did not make with 422 naming query/cursor', async () => {
    const reply = await api.get('/api/conversations?cursor=not-a-cursor');
    expect(reply.status).toBe(422);
    expect(reply.body.errors).toContainEqual(expect.objectContaining({ path: 'query/cursor' }));
  });

  it('rejects limit outside 1..100 and a project_id that is not a UUID with 422 naming the query field', async () => {
    for (const [query, path] of [
      ['limit=0', 'query/limit'],
      ['limit=101', 'query/limit'],
      ['limit=abc', 'query/limit'],
      ['project_id=nope', 'query/project_id'],
    ]) {
      const reply = await api.get(`/api/conversations?${query}`);
      expect(reply.status, query).toBe(422);
      expect(reply.body.errors, query).toContainEqual(expect.objectContaining({ path }));
    }
  });
});

describe('PATCH /api/conversations/:id', () => {
  it('renames a conversation: 200 with the new title and a new ETag', async () => {
    const conversation = await createConversation({ title: 'Draft' });
    await tick();
    const reply = await api.patch(`/api/conversations/${conversation.id}`, { title: 'Final' });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('etag')).toBe('W/"2"');
    expect(reply.body).toMatchObject({ id: conversation.id, title: 'Final', created_at: conversation.created_at });
    expect(reply.body.updated_at > conversation.updated_at).toBe(true);
    expect((await api.get(`/api/conversations/${conversation.id}`)).body).toEqual({
      ...reply.body,
      generating: null,
      context: null,
    });
  });

  it('clears the title with null', async () => {
    const conversation = await createConversation({ title: 'Named' });
    const reply = await api.patch(`/api/conversations/${conversation.id}`, { title: null });
    expect(reply.status).toBe(200);
    expect(reply.body.title).toBeNull();
  });

  it('moves a conversation to another project, and both projects count it where it now is', async () => {
    const from = await createProject('From');
    const to = await createProject('To');
    const conversation = await createConversation({ project_id: from });
    await exchange(services, conversation.id, 'Q', 'A');
    expect((await api.get(`/api/projects/${from}`)).body).toMatchObject({ conversation_count: 1, message_count: 2 });

    const reply = await api.patch(`/api/conversations/${conversation.id}`, { project_id: to });
    expect(reply.status).toBe(200);
    expect(reply.body.project_id).toBe(to);
    expect((await api.get(`/api/projects/${from}`)).body).toMatchObject({ conversation_count: 0, message_count: 0 });
    expect((await api.get(`/api/projects/${to}`)).body).toMatchObject({ conversation_count: 1, message_count: 2 });
    expect(ids((await api.get(`/api/conversations?project_id=${to}`)).body.items)).toEqual([conversation.id]);
    expect((await api.get(`/api/conversations?project_id=${from}`)).body.items).toEqual([]);
  });

  it('moves a conversation out of any project with project_id null', async () => {
    const projectId = await createProject('Leaving');
    const conversation = await createConversation({ project_id: projectId });
    const reply = await api.patch(`/api/conversations/${conversation.id}`, { project_id: null });
    expect(reply.status).toBe(200);
    expect(reply.body.project_id).toBeNull();
    expect((await api.get(`/api/projects/${projectId}`)).body.conversation_count).toBe(0);
    expect((await api.get(`/api/conversations/${conversation.id}`)).body.project_id).toBeNull();
  });

  it('refuses a move to a deleted project with 422 naming body/project_id and changes nothing', async () => {
    const home = await createProject('Home');
    const deleted = await createProject('Deleted target');
    await deleteProject(deleted);
    const conversation = await createConversation({ project_id: home, title: 'Stay' });
    const reply = await api.patch(`/api/conversations/${conversation.id}`, { project_id: deleted, title: 'Moved' });
    expect(reply.status).toBe(422);
    expect(reply.body.errors).toContainEqual(expect.objectContaining({ path: 'body/project_id' }));
    const read = await api.get(`/api/conversations/${conversation.id}`);
    expect(read.headers.get('etag')).toBe('W/"1"');
    expect(read.body).toEqual({ ...conversation, generating: null, context: null });
    expect((await api.get(`/api/projects/${home}`)).body.conversation_count).toBe(1);
  });

  it('refuses a move to a project that does not exist with 422', async () => {
    const conversation = await createConversation({});
    const reply = await api.patch(`/api/conversations/${conversation.id}`, { project_id: uuidv7() });
    expect(reply.status).toBe(422);
    expect(reply.body.errors).toContainEqual(expect.objectContaining({ path: 'body/project_id' }));
    expect((await api.get(`/api/conversations/${conversation.id}`)).body.project_id).toBeNull();
  });

  it('replaces the whole metadata object rather than merging it', async () => {
    const conversation = await createConversation({ metadata: { a: 1, nested: { keep: false } } });
    const reply = await api.patch(`/api/conversations/${conversation.id}`, { metadata: { b: 2 } });
    expect(reply.status).toBe(200);
    expect(reply.body.metadata).toEqual({ b: 2 });
    expect((await api.get(`/api/conversations/${conversation.id}`)).body.metadata).toEqual({ b: 2 });
  });

  it('applies a PATCH whose If-Match is the current ETag', async () => {
    const conversation = await createConversation({ title: 'v1' });
    const reply = await api.patch(`/api/conversations/${conversation.id}`, { title: 'v2' }, { 'If-Match': 'W/"1"' });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('etag')).toBe('W/"2"');
    expect(reply.body.title).toBe('v2');
  });

  it('refuses a PATCH whose If-Match is stale with 412 problem+json and changes nothing', async () => {
    const conversation = await createConversation({ title: 'v1' });
    expect((await api.patch(`/api/conversations/${conversation.id}`, { title: 'v2' })).status).toBe(200);
    const stale = await api.patch(`/api/conversations/${conversation.id}`, { title: 'v3' }, { 'If-Match': 'W/"1"' });
    expect(stale.status).toBe(412);
    expect(stale.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(stale.body.status).toBe(412);
    const read = await api.get(`/api/conversations/${conversation.id}`);
    expect(read.body.title).toBe('v2');
    expect(read.headers.get('etag')).toBe('W/"2"');
  });

  it('refuses a PATCH whose If-Match is not an ETag of this API with 412', async () => {
    const conversation = await createConversation({ title: 'v1' });
    const reply = await api.patch(`/api/conversations/${conversation.id}`, { title: 'v2' }, { 'If-Match': 'banana' });
    expect(reply.status).toBe(412);
    expect((await api.get(`/api/conversations/${conversation.id}`)).body.title).toBe('v1');
  });

  it('applies a PATCH without If-Match whatever the current version', async () => {
    const conversation = await createConversation({ title: 'v1' });
    await api.patch(`/api/conversations/${conversation.id}`, { title: 'v2' });
    await api.patch(`/api/conversations/${conversation.id}`, { metadata: { x: 1 } });
    const reply = await api.patch(`/api/conversations/${conversation.id}`, { title: 'v4' });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('etag')).toBe('W/"4"');
    expect(reply.body).toMatchObject({ title: 'v4', metadata: { x: 1 } });
  });

  it('answers a PATCH that changes nothing 200 with the unchanged ETag', async () => {
    const conversation = await createConversation({ title: 'Same' });
    const reply = await api.patch(`/api/conversations/${conversation.id}`, { title: 'Same' });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('etag')).toBe('W/"1"');
    expect(reply.body).toEqual(conversation);
  });

  it('answers 404 for a PATCH of an unknown or deleted conversation', async () => {
    expect((await api.patch(`/api/conversations/${uuidv7()}`, { title: 'x' })).status).toBe(404);
    const conversation = await createConversation({ title: 'Deleted' });
    await api.delete(`/api/conversations/${conversation.id}`);
    expect((await api.patch(`/api/conversations/${conversation.id}`, { title: 'x' })).status).toBe(404);
    const read = await api.get(`/api/conversations/${conversation.id}?include_deleted=true`);
    expect(read.body.title).toBe('Deleted');
  });

  it('rejects unknown fields in a PATCH with 422 naming the field', async () => {
    const conversation = await createConversation({ title: 'Strict' });
    const reply = await api.patch(`/api/conversations/${conversation.id}`, { name: 'not a field' });
    expect(reply.status).toBe(422);
    expect(reply.body.errors).toContainEqual(expect.objectContaining({ path: 'body/name' }));
  });
});

describe('DELETE and restore /api/conversations/:id', () => {
  it('answers 204 on delete, 204 again when already deleted, and 404 for an id that never existed', async () => {
    const conversation = await createConversation({ title: 'Bye' });
    const first = await api.delete(`/api/conversations/${conversation.id}`);
    expect(first.status).toBe(204);
    expect(first.text).toBe('');
    expect((await api.delete(`/api/conversations/${conversation.id}`)).status).toBe(204);
    const unknown = await api.delete(`/api/conversations/${uuidv7()}`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('takes a deleted conversation out of its project counts', async () => {
    const projectId = await createProject('Counting deletes');
    const conversation = await createConversation({ project_id: projectId });
    await exchange(services, conversation.id, 'Q', 'A');
    await api.delete(`/api/conversations/${conversation.id}`);
    expect((await api.get(`/api/projects/${projectId}`)).body).toMatchObject({
      conversation_count: 0,
      message_count: 0,
    });
  });

  it('restores a deleted conversation: 200 with deleted_at null, visible and listed again', async () => {
    const projectId = await createProject('Restoring');
    const conversation = await createConversation({ project_id: projectId, title: 'Back' });
    await api.delete(`/api/conversations/${conversation.id}`);
    const reply = await api.post(`/api/conversations/${conversation.id}/restore`);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('etag')).toBe('W/"3"');
    expect(reply.body).toMatchObject({ id: conversation.id, title: 'Back', deleted_at: null });
    expect((await api.get(`/api/conversations/${conversation.id}`)).status).toBe(200);
    expect(ids((await api.get(`/api/conversations?project_id=${projectId}`)).body.items)).toEqual([conversation.id]);
  });

  it('answers restore of a conversation that is not deleted 200, and of an unknown id 404', async () => {
    const conversation = await createConversation({ title: 'Alive' });
    const reply = await api.post(`/api/conversations/${conversation.id}/restore`);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('etag')).toBe('W/"1"');
    expect((await api.post(`/api/conversations/${uuidv7()}/restore`)).status).toBe(404);
  });

  it('refuses a DELETE with a stale If-Match with 412 and keeps the conversation', async () => {
    const conversation = await createConversation({ title: 'Guarded' });
    await api.patch(`/api/conversations/${conversation.id}`, { title: 'Guarded 2' });
    const reply = await api.delete(`/api/conversations/${conversation.id}`, { 'If-Match': 'W/"1"' });
    expect(reply.status).toBe(412);
    expect((await api.get(`/api/conversations/${conversation.id}`)).status).toBe(200);
  });
});

describe('GET /api/conversations/:id/messages', () => {
  it('returns every message of every branch in creation order with their parent ids', async () => {
    const conversation = await createConversation({ title: 'Branches' });
    const turn1 = await exchange(services, conversation.id, 'First question', 'First answer');
    const turn2 = await exchange(services, conversation.id, 'Second question', 'Second answer');
    // Regenerate/edit: a second user message answering the first answer starts a sibling branch.
    const branch = await exchange(services, conversation.id, 'Second question, edited', 'Another answer', {
      parentId: turn1.assistantId,
    });
    const reply = await api.get(`/api/conversations/${conversation.id}/messages`);
    expect(reply.status).toBe(200);
    expect(reply.body.next_cursor).toBeNull();
    expect(reply.body.items.map((m: any) => [m.id, m.role, m.content, m.parent_message_id, m.conversation_id])).toEqual(
      [
        [turn1.userId, 'user', 'First question', null, conversation.id],
        [turn1.assistantId, 'assistant', 'First answer', turn1.userId, conversation.id],
        [turn2.userId, 'user', 'Second question', turn1.assistantId, conversation.id],
        [turn2.assistantId, 'assistant', 'Second answer', turn2.userId, conversation.id],
        [branch.userId, 'user', 'Second question, edited', turn1.assistantId, conversation.id],
        [branch.assistantId, 'assistant', 'Another answer', branch.userId, conversation.id],
      ],
    );
    const createdAt = reply.body.items.map((m: any) => m.created_at);
    expect([...createdAt].sort()).toEqual(createdAt);
  });

  it('starts a new root when a user message is posted with parent null', async () => {
    const conversation = await createConversation({});
    await exchange(services, conversation.id, 'one', 'two');
    const root = await exchange(services, conversation.id, 'fresh start', 'ok', { parentId: null });
    const items = (await api.get(`/api/conversations/${conversation.id}/messages`)).body.items;
    expect(items.find((m: any) => m.id === root.userId).parent_message_id).toBeNull();
  });

  it('keeps message_count and last_message_at of the conversation up to date', async () => {
    const conversation = await createConversation({ title: 'Counting' });
    expect(conversation).toMatchObject({ message_count: 0, last_message_at: null });
    const turn1 = await exchange(services, conversation.id, 'q1', 'a1');
    await tick();
    const turn2 = await exchange(services, conversation.id, 'q2', 'a2');
    const read = await api.get(`/api/conversations/${conversation.id}`);
    expect(read.body.message_count).toBe(4);
    const messages = (await api.get(`/api/conversations/${conversation.id}/messages`)).body.items;
    const byId = new Map(messages.map((m: any) => [m.id, m]));
    expect(read.body.last_message_at).toBe((byId.get(turn2.assistantId) as any).created_at);
    expect(read.body.last_message_at > (byId.get(turn1.userId) as any).created_at).toBe(true);
    expect(read.headers.get('etag')).toBe('W/"7"');
  });

  it('pages through the messages with next_cursor, in creation order, without duplicates or gaps', async () => {
    const conversation = await createConversation({ title: 'Many messages' });
    const expected: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const turn = await exchange(services, conversation.id, `q${i}`, `a${i}`);
      expected.push(turn.userId, turn.assistantId);
    }
    const { pages, items } = await allPages(`/api/conversations/${conversation.id}/messages?limit=3`);
    expect(pages.map((page) => page.length)).toEqual([3, 3, 2]);
    expect(ids(items)).toEqual(expected);
  });

  it('lists only the messages of the conversation asked for', async () => {
    const a = await createConversation({});
    const b = await createConversation({});
    const inA = await exchange(services, a.id, 'in a', 'reply a');
    await exchange(services, b.id, 'in b', 'reply b');
    const items = (await api.get(`/api/conversations/${a.id}/messages`)).body.items;
    expect(ids(items)).toEqual([inA.userId, inA.assistantId]);
  });

  it('answers an empty page for a conversation without messages', async () => {
    const conversation = await createConversation({});
    const reply = await api.get(`/api/conversations/${conversation.id}/messages`);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ items: [], next_cursor: null });
  });

  it('answers 404 for the messages of a deleted or unknown conversation', async () => {
    const conversation = await createConversation({});
    await exchange(services, conversation.id, 'q', 'a');
    await api.delete(`/api/conversations/${conversation.id}`);
    const reply = await api.get(`/api/conversations/${conversation.id}/messages`);
    expect(reply.status).toBe(404);
    expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await api.get(`/api/conversations/${uuidv7()}/messages`)).status).toBe(404);
  });

  it('rejects a message cursor the API did not make with 422 naming query/cursor', async () => {
    const conversation = await createConversation({});
    const forged = Buffer.from(JSON.stringify(['x'])).toString('base64url');
    const reply = await api.get(`/api/conversations/${conversation.id}/messages?cursor=${forged}`);
    expect(reply.status).toBe(422);
    expect(reply.body.errors).toContainEqual(expect.objectContaining({ path: 'query/cursor' }));
  });
});
