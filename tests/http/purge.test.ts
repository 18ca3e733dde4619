import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { projectors } from '../../projections/projectors.js';
import { rebuildProjections } from '../../projections/rebuild.js';
import { parseDatabaseUrl } from '../../src/db/database-url.js';
import { uuidv7 } from '../../src/ids.js';
import { exchange, runConversationCommand } from '../support/commands.js';
import { httpClient, type HttpClient } from '../support/http-client.js';
import { tableRows } from '../support/read-model-rows.js';
import { tracesOf as tracesOfIn } from '../support/traces.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** Text no other test writes: if any byte of it is left, the purge left it. */
const secret = () => `private-${Math.random().toString(36).slice(2, 12)}-note`;

async function conversationWithSecrets(server: TestServer, api: HttpClient, projectId: string | null, text: string) {
  const created = await api.post('/api/conversations', {
    title: `title ${text}`,
    project_id: projectId,
    metadata: { note: `metadata ${text}` },
  });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  const { assistantId } = await exchange(server.services, id, `question ${text}`, `answer ${text}`);
  expect((await api.patch(`/api/messages/${assistantId}/reaction`, { reaction: 'thumbs_up' })).status).toBe(200);
  return id;
}

const tracesOf = (server: TestServer, text: string) => tracesOfIn(server.database.url, text);

describe('DELETE /api/conversations/:id?purge=true', () => {
  it('erases the conversation: it, its messages and its events are gone, only a content-free tombstone is left', async () => {
    const server = await startTestServer();
    const api = httpClient(server.url);
    const text = secret();
    const id = await conversationWithSecrets(server, api, null, text);
    const kept = await conversationWithSecrets(server, api, null, secret());

    const purged = await api.delete(`/api/conversations/${id}?purge=true`);
    expect(purged.status).toBe(204);

    expect((await api.get(`/api/conversations/${id}?include_deleted=true`)).status).toBe(404);
    expect((await api.get(`/api/conversations/${id}/messages`)).status).toBe(404);
    expect((await api.post(`/api/conversations/${id}/restore`)).status).toBe(404);
    expect((await api.delete(`/api/conversations/${id}?purge=true`)).status).toBe(404);
    const listed = await api.get('/api/conversations?include_deleted=true');
    expect(listed.body.items.map((c: { id: string }) => c.id)).toEqual([kept]);

    const events = (await api.get('/api/events?limit=500')).body.items as { stream_id: string; type: string }[];
    const ofIt = events.filter((e) => e.stream_id === id);
    expect(ofIt).toEqual([expect.objectContaining({ type: 'ConversationPurged', data: { conversation_id: id } })]);
    expect(JSON.stringify(events)).not.toContain(text);
    expect(events.filter((e) => e.stream_id === kept).length).toBeGreaterThan(3);
  });

  it('leaves no byte of what was written in the SQLite files, also after VACUUM, nor in any PostgreSQL row', async () => {
    const server = await startTestServer();
    const api = httpClient(server.url);
    const text = secret();
    const id = await conversationWithSecrets(server, api, null, text);
    await conversationWithSecrets(server, api, null, secret());
    expect(await tracesOf(server, text)).not.toEqual([]);

    expect((await api.delete(`/api/conversations/${id}?purge=true`)).status).toBe(204);
    expect(await tracesOf(server, text)).toEqual([]);

    const target = parseDatabaseUrl(server.database.url);
    if (target.kind === 'sqlite') {
      const raw = new Database(target.file);
      raw.exec('vacuum');
      raw.close();
      expect(await tracesOf(server, text)).toEqual([]);
    }
  });

  it('leaves no byte of an answer that checkpoints rewrote: what SQLite freed before the purge is zeroed too', async () => {
    const server = await startTestServer();
    const api = httpClient(server.url);
    const text = secret();
    const id = (await api.post('/api/conversations', { title: 'Checkpointed' })).body.id as string;
    const [question, answer] = [uuidv7(), uuidv7()];
    const run = (command: Parameters<typeof runConversationCommand>[1]) =>
      runConversationCommand(server.services, command);
    await run({
      type: 'PostUserMessage',
      data: { conversation_id: id, message_id: question, content: 'Q', metadata: {} },
    });
    await run({
      type: 'StartAssistantResponse',
      data: { conversation_id: id, message_id: answer, parent_message_id: question, metadata: {} },
    });
    // Each checkpoint rewrites the answer's row, longer: its earlier copies are freed long before the purge.
    for (let i = 0; i < 20; i += 1) {
      await run({
        type: 'CheckpointResponse',
        data: { conversation_id: id, message_id: answer, delta: ` ${text} ${'x'.repeat(50)}` },
      });
    }
    await run({ type: 'CancelMessage', data: { conversation_id: id, message_id: answer, partial_content: 'cut' } });
    expect(await tracesOf(server, text)).not.toEqual([]);

    expect((await api.delete(`/api/conversations/${id}?purge=true`)).status).toBe(204);
    expect(await tracesOf(server, text)).toEqual([]);
  });

  it('keeps the read models what a replay of the log builds', async () => {
    const server = await startTestServer();
    const api = httpClient(server.url);
    const id = await conversationWithSecrets(server, api, null, secret());
    await conversationWithSecrets(server, api, null, secret());
    expect((await api.delete(`/api/conversations/${id}?purge=true`)).status).toBe(204);

    const inline = await tableRows(server.database.url);
    await rebuildProjections(server.services.db.em(), projectors);
    expect(await tableRows(server.database.url)).toEqual(inline);
  });

  it('never reuses the id: creating a conversation under it again is a conflict, changing it is not found', async () => {
    const server = await startTestServer();
    const api = httpClient(server.url);
    const id = await conversationWithSecrets(server, api, null, secret());
    expect((await api.delete(`/api/conversations/${id}?purge=true`)).status).toBe(204);
    const posted = await api.post('/api/conversations', { id, title: 'Again' });
    expect(posted.status).toBe(409);
    expect(posted.body.detail).toMatch(/purged/);
    expect((await api.patch(`/api/conversations/${id}`, { title: 'Again' })).status).toBe(404);
  });

  it('refuses a stale If-Match with 412 and erases nothing', async () => {
    const server = await startTestServer();
    const api = httpClient(server.url);
    const id = await conversationWithSecrets(server, api, null, secret());
    const refused = await api.delete(`/api/conversations/${id}?purge=true`, { 'If-Match': 'W/"1"' });
    expect(refused.status).toBe(412);
    const still = await api.get(`/api/conversations/${id}/messages`);
    expect(still.body.items).toHaveLength(2);
  });

  it('answers purge=false with a soft delete, and a bad purge value with 422', async () => {
    const server = await startTestServer();
    const api = httpClient(server.url);
    const id = await conversationWithSecrets(server, api, null, secret());
    expect((await api.delete(`/api/conversations/${id}?purge=maybe`)).status).toBe(422);
    expect((await api.delete(`/api/conversations/${id}?purge=false`)).status).toBe(204);
    const soft = await api.get(`/api/conversations/${id}?include_deleted=true`);
    expect(soft.status).toBe(200);
    expect(soft.body.deleted_at).not.toBeNull();
  });
});

describe('DELETE /api/projects/:id?purge=true', () => {
  it('erases the project and every conversation in it, soft-deleted ones too, and nothing of other projects', async () => {
    const server = await startTestServer();
    const api = httpClient(server.url);
    const text = secret();
    const project = await api.post('/api/projects', { name: `name ${text}`, metadata: { system_prompt: text } });
    const other = await api.post('/api/projects', { name: 'Other' });
    const inside = await conversationWithSecrets(server, api, project.body.id, text);
    const deletedInside = await conversationWithSecrets(server, api, project.body.id, text);
    expect((await api.delete(`/api/conversations/${deletedInside}`)).status).toBe(204);
    const elsewhere = await conversationWithSecrets(server, api, other.body.id, secret());

    expect((await api.delete(`/api/projects/${project.body.id}?purge=true`)).status).toBe(204);

    expect((await api.get(`/api/projects/${project.body.id}?include_deleted=true`)).status).toBe(404);
    for (const id of [inside, deletedInside]) {
      expect((await api.get(`/api/conversations/${id}?include_deleted=true`)).status).toBe(404);
    }
    expect((await api.get(`/api/conversations/${elsewhere}/messages`)).body.items).toHaveLength(2);
    expect((await api.get('/api/projects')).body.items.map((p: { id: string }) => p.id)).toEqual([other.body.id]);
    const types = ((await api.get('/api/events?limit=500')).body.items as { type: string }[]).map((e) => e.type);
    expect(types.filter((t) => t.endsWith('Purged')).sort()).toEqual([
      'ConversationPurged',
      'ConversationPurged',
      'ProjectPurged',
    ]);
    expect(await tracesOf(server, text)).toEqual([]);

    const inline = await tableRows(server.database.url);
    await rebuildProjections(server.services.db.em(), projectors);
    expect(await tableRows(server.database.url)).toEqual(inline);
  });

  it('erases nothing, with 409, while an answer is being generated in one of its conversations: all or none', async () => {
    const server = await startTestServer();
    const api = httpClient(server.url);
    const project = await api.post('/api/projects', { name: 'Busy' });
    const idle = await conversationWithSecrets(server, api, project.body.id, secret());
    const busy = await conversationWithSecrets(server, api, project.body.id, secret());
    const question = uuidv7();
    await runConversationCommand(server.services, {
      type: 'PostUserMessage',
      data: { conversation_id: busy, message_id: question, content: 'Still thinking?', metadata: {} },
    });
    await runConversationCommand(server.services, {
      type: 'StartAssistantResponse',
      data: { conversation_id: busy, message_id: uuidv7(), parent_message_id: question, metadata: {} },
    });
    const eventsBefore = (await api.get('/api/events?limit=500')).body.items.length;

    const refused = await api.delete(`/api/projects/${project.body.id}?purge=true`);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/being generated/);
    expect((await api.get(`/api/projects/${project.body.id}`)).status).toBe(200);
    expect((await api.get(`/api/conversations/${idle}/messages`)).body.items).toHaveLength(2);
    expect((await api.get(`/api/conversations/${busy}/messages`)).body.items).toHaveLength(4);
    expect((await api.get('/api/events?limit=500')).body.items).toHaveLength(eventsBefore);
  });
});
