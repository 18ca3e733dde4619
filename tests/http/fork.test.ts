import { beforeAll, describe, expect, it } from 'vitest';
import { projectors } from '../../projections/projectors.js';
import { rebuildProjections } from '../../projections/rebuild.js';
import type { Services } from '../../src/http/app-state.js';
import { uuidv7 } from '../../src/ids.js';
import { apiSnapshot } from '../support/api-snapshot.js';
import { exchange, runConversationCommand } from '../support/commands.js';
import { httpClient, type HttpClient } from '../support/http-client.js';
import { tableRows } from '../support/read-model-rows.js';
import { messagesOf, richConversation } from '../support/rich-conversation.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

let server: TestServer;
let api: HttpClient;
let services: Services;

beforeAll(async () => {
  server = await startTestServer();
  api = httpClient(server.url);
  services = server.services;
});

/** A message as the API shows it, without what a copy changes: its id, parent and conversation. */
const copied = ({ id: _id, parent_message_id: _parent, conversation_id: _conversation, ...rest }: any) => rest;

async function expectRefused(path: string, body: unknown, status: number, detail?: RegExp) {
  const before = await apiSnapshot(api);
  const reply = await api.post(path, body);
  expect(reply.status, reply.text).toBe(status);
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  if (detail) expect(reply.body.detail).toMatch(detail);
  expect(await apiSnapshot(api)).toEqual(before);
  return reply;
}

describe('POST /api/conversations/:id/fork', () => {
  it('makes a new conversation of copies of the branch root -> message, with new ids, recording where it came from', async () => {
    const project = (await api.post('/api/projects', { name: 'Forks' })).body;
    const rich = await richConversation(services, api, { project_id: project.id });
    const before = await messagesOf(api, rich.id);
    const source = (await api.get(`/api/conversations/${rich.id}`)).body;

    const reply = await api.post(`/api/conversations/${rich.id}/fork`, { message_id: rich.followUp });
    expect(reply.status, reply.text).toBe(201);
    const fork = reply.body;
    expect(reply.headers.get('location')).toBe(`/api/conversations/${fork.id}`);
    expect(reply.headers.get('etag')).toBe('W/"4"');
    expect(fork).toMatchObject({
      title: 'Vector clocks',
      project_id: project.id,
      metadata: {
        pinned: true,
        tags: ['distributed'],
        forked_from: { conversation_id: rich.id, message_id: rich.followUp },
      },
      message_count: 3,
      deleted_at: null,
    });
    expect(fork.created_at >= source.updated_at).toBe(true);

    const copies = await messagesOf(api, fork.id);
    const originals = [rich.question, rich.answer, rich.followUp].map((id) => before.find((m) => m.id === id));
    // Text, reasoning, roles, statuses, models, token counts, timings, reactions and times as they were.
    expect(copies.map(copied)).toEqual(originals.map(copied));
    expect(copies.map((m) => m.parent_message_id)).toEqual([null, copies[0].id, copies[1].id]);
    for (const copy of copies) expect(before.some((m) => m.id === copy.id)).toBe(false);
    expect(copies[1]).toMatchObject({ reaction: 'thumbs_up', token_count: 12, model_name: 'tiny-model.gguf' });
    expect(copies[1].metadata.timings).toEqual({ prompt_n: 5, prompt_ms: 1.5, predicted_n: 12, predicted_ms: 30 });
    expect((await api.get(`/api/messages/${copies[1].id}`)).body.reasoning).toBe(
      'The user asks what a vector clock is.',
    );
    expect(fork.current_leaf_id).toBe(copies[2].id);

    // The original is as it was.
    expect(await messagesOf(api, rich.id)).toEqual(before);
    expect((await api.get(`/api/conversations/${rich.id}`)).body).toEqual(source);
  });

  it('forks at a failed answer of another branch, and takes a title and a project of its own, or none', async () => {
    const rich = await richConversation(services, api);
    const other = (await api.post('/api/projects', { name: 'Elsewhere' })).body;
    const reply = await api.post(`/api/conversations/${rich.id}/fork`, {
      message_id: rich.failed,
      title: 'Retry the failure',
      project_id: other.id,
    });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ title: 'Retry the failure', project_id: other.id, message_count: 2 });
    const copies = await messagesOf(api, reply.body.id);
    expect(copies.map((m) => [m.role, m.status, m.content])).toEqual([
      ['user', 'complete', 'What is a vector clock?'],
      ['assistant', 'failed', 'A list'],
    ]);
    const untitled = await api.post(`/api/conversations/${rich.id}/fork`, {
      message_id: rich.question,
      title: null,
      project_id: null,
    });
    expect(untitled.body).toMatchObject({ title: null, project_id: null, message_count: 1 });
  });

  it('answers 404 for an unknown or deleted conversation, and for a message not in it (of another conversation too)', async () => {
    const rich = await richConversation(services, api);
    const other = await richConversation(services, api);
    await expectRefused(`/api/conversations/${uuidv7()}/fork`, { message_id: rich.question }, 404);
    await expectRefused(`/api/conversations/${rich.id}/fork`, { message_id: uuidv7() }, 404, /not found in/);
    await expectRefused(`/api/conversations/${rich.id}/fork`, { message_id: other.question }, 404, /not found in/);
    expect((await api.delete(`/api/conversations/${other.id}`)).status).toBe(204);
    await expectRefused(`/api/conversations/${other.id}/fork`, { message_id: other.question }, 404);
  });

  it('answers 409 while a message of the branch is being generated, and forks once it has ended', async () => {
    const id = (await api.post('/api/conversations', { title: 'Busy' })).body.id;
    const { userId } = await exchange(services, id, 'Hi?', 'Hello.');
    const streaming = uuidv7();
    await runConversationCommand(services, {
      type: 'StartAssistantResponse',
      data: { conversation_id: id, message_id: streaming, parent_message_id: userId, metadata: {} },
    });
    await expectRefused(`/api/conversations/${id}/fork`, { message_id: streaming }, 409, /still being generated/);
    // Forking before it, at its question, is fine.
    expect((await api.post(`/api/conversations/${id}/fork`, { message_id: userId })).status).toBe(201);
    await runConversationCommand(services, {
      type: 'CompleteMessage',
      data: {
        conversation_id: id,
        message_id: streaming,
        content: 'Done.',
        token_count: 2,
        model_name: 'm',
        completion_time_ms: 5,
        finish_reason: 'stop',
        timings: {},
      },
    });
    expect((await api.post(`/api/conversations/${id}/fork`, { message_id: streaming })).status).toBe(201);
  });

  it('answers 422 for a project that does not exist or is deleted, and for a bad body', async () => {
    const rich = await richConversation(services, api);
    const missing = await expectRefused(
      `/api/conversations/${rich.id}/fork`,
      { message_id: rich.answer, project_id: uuidv7() },
      422,
    );
    expect(missing.body.errors[0].path).toBe('body/project_id');
    const deleted = (await api.post('/api/projects', { name: 'Gone' })).body;
    await api.delete(`/api/projects/${deleted.id}`);
    await expectRefused(`/api/conversations/${rich.id}/fork`, { message_id: rich.answer, project_id: deleted.id }, 422);
    const bad = await expectRefused(`/api/conversations/${rich.id}/fork`, { message_id: 'nope', extra: 1 }, 422);
    expect(bad.body.errors.map((e: any) => e.path).sort()).toEqual(['body/extra', 'body/message_id']);
    await expectRefused(`/api/conversations/${rich.id}/fork`, { message_id: rich.answer, title: '' }, 422);
  });

  it('keeps the read models what a replay of the log builds', async () => {
    const own = await startTestServer();
    const client = httpClient(own.url);
    const rich = await richConversation(own.services, client);
    expect((await client.post(`/api/conversations/${rich.id}/fork`, { message_id: rich.cancelled })).status).toBe(201);
    const inline = await tableRows(own.database.url);
    await rebuildProjections(own.services.db.em(), projectors);
    expect(await tableRows(own.database.url)).toEqual(inline);
  });
});
