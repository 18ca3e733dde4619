import { beforeAll, describe, expect, it } from 'vitest';
import { httpClient, type HttpClient } from '../support/http-client.js';
import { startTestServer } from '../support/test-server.js';

type Json = Record<string, any>;

let api: HttpClient;

beforeAll(async () => {
  api = httpClient((await startTestServer()).url);
});

async function created(path: string, body: Json): Promise<Json> {
  const reply = await api.post(path, body);
  expect(reply.status, reply.text).toBe(201);
  return reply.body as Json;
}

const overrides = { temperature: 0.2, reasoning_effort: 'high', system_prompt: 'Answer in French.', stop: ['###'] };

describe('settings in exports, imports and forks', () => {
  it("a conversation's export carries its settings, and importing it restores them", async () => {
    const conversation = await created('/api/conversations', { title: 'Portable', settings: overrides });
    const exported = await api.get(`/api/conversations/${conversation.id}/export`);
    expect(exported.status).toBe(200);
    expect(exported.body.conversations[0].settings).toStrictEqual(overrides);

    const imported = await api.post('/api/conversations/import', exported.body);
    expect(imported.status, imported.text).toBe(201);
    const copy = imported.body.conversations[0] as Json;
    expect(copy.settings).toStrictEqual(overrides);
    expect((await api.get(`/api/conversations/${copy.id}`)).body.settings).toStrictEqual(overrides);
  });

  it("a project's export carries the project's settings and each conversation's", async () => {
    const project = await created('/api/projects', { name: 'Portable', settings: { top_k: 40, model: 'gpt-oss-20b' } });
    await created('/api/conversations', { project_id: project.id, settings: { seed: 3 } });
    const exported = await api.get(`/api/projects/${project.id}/export`);
    expect(exported.status).toBe(200);
    expect(exported.body.project.settings).toStrictEqual({ top_k: 40, model: 'gpt-oss-20b' });
    expect(exported.body.conversations.map((c: Json) => c.settings)).toStrictEqual([{ seed: 3 }]);
  });

  it('an export written before settings existed imports with none', async () => {
    const conversation = await created('/api/conversations', { title: 'Old file' });
    const exported = (await api.get(`/api/conversations/${conversation.id}/export`)).body as Json;
    delete exported.conversations[0].settings;
    const imported = await api.post('/api/conversations/import', exported);
    expect(imported.status, imported.text).toBe(201);
    expect(imported.body.conversations[0].settings).toStrictEqual({});
  });

  it('an import whose settings are out of range is 422 pointing at the field, and imports nothing', async () => {
    const conversation = await created('/api/conversations', { title: 'Broken file' });
    const exported = (await api.get(`/api/conversations/${conversation.id}/export`)).body as Json;
    exported.conversations[0].settings = { temperature: 9 };
    const before = (await api.get('/api/conversations?limit=100')).body.items.length as number;
    const imported = await api.post('/api/conversations/import', exported);
    expect(imported.status).toBe(422);
    expect(JSON.stringify(imported.body.errors)).toContain('/conversations/0/settings/temperature');
    expect((await api.get('/api/conversations?limit=100')).body.items).toHaveLength(before);
  });

  it("a fork copies the conversation's settings", async () => {
    const conversation = await created('/api/conversations', { title: 'Original', settings: overrides });
    const imported = await api.post('/api/conversations/import', {
      format: 'gpt-oss-assistant-export',
      version: 1,
      exported_at: '2025-01-01T00:00:00.000Z',
      project: null,
      conversations: [
        {
          ...(await api.get(`/api/conversations/${conversation.id}/export`)).body.conversations[0],
          messages: [
            {
              id: '01940000-0000-7000-8000-000000000001',
              parent_message_id: null,
              role: 'user',
              content: 'Bonjour ?',
              status: 'complete',
              finish_reason: null,
              reaction: null,
              token_count: null,
              model_name: null,
              completion_time_ms: null,
              metadata: {},
              created_at: '2025-01-01T00:00:00.000Z',
              updated_at: '2025-01-01T00:00:00.000Z',
            },
          ],
          current_leaf_id: '01940000-0000-7000-8000-000000000001',
        },
      ],
    });
    expect(imported.status, imported.text).toBe(201);
    const source = imported.body.conversations[0] as Json;
    const message = (await api.get(`/api/conversations/${source.id}/messages`)).body.items[0] as Json;
    const fork = await api.post(`/api/conversations/${source.id}/fork`, { message_id: message.id });
    expect(fork.status, fork.text).toBe(201);
    expect(fork.body.settings).toStrictEqual(overrides);
  });
});
