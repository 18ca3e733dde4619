import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { projectors } from '../../projections/projectors.js';
import { rebuildProjections } from '../../projections/rebuild.js';
import { parseDatabaseUrl } from '../../src/db/database-url.js';
import type { Services } from '../../src/http/app-state.js';
import { uuidv7 } from '../../src/ids.js';
import { apiSnapshot } from '../support/api-snapshot.js';
import { exchange, runConversationCommand } from '../support/commands.js';
import { httpClient, type HttpClient } from '../support/http-client.js';
import { tableRows } from '../support/read-model-rows.js';
import { messagesOf, richConversation, withoutIds } from '../support/rich-conversation.js';
import { withClient } from '../support/test-database.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

let server: TestServer;
let api: HttpClient;
let services: Services;

beforeAll(async () => {
  server = await startTestServer();
  api = httpClient(server.url);
  services = server.services;
});

const chatGptFixture = () =>
  JSON.parse(readFileSync(new URL('../fixtures/chatgpt/conversations.json', import.meta.url), 'utf8'));

/** ChatGPT's Unix seconds as the API writes times. */
const at = (seconds: number) => new Date(seconds * 1000).toISOString();
const T = 1718000000;

/** The 422 of a refused import: nothing imported, the first error at `path`. */
async function expectRefused(body: unknown, path: string, message?: RegExp) {
  const before = await apiSnapshot(api);
  const reply = await api.post('/api/conversations/import', body);
  expect(reply.status, reply.text).toBe(422);
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(reply.body.errors[0].path).toBe(path);
  if (message) expect(reply.body.errors[0].message).toMatch(message);
  expect(await apiSnapshot(api)).toEqual(before);
  return reply;
}

describe('POST /api/conversations/import: an export of this API', () => {
  it('round trip: export, import, export again gives the same content under new ids, branches and all', async () => {
    const rich = await richConversation(services, api);
    const exported = (await api.get(`/api/conversations/${rich.id}/export`)).body;
    const reply = await api.post('/api/conversations/import', exported);
    expect(reply.status, reply.text).toBe(201);
    expect(reply.body.conversations).toHaveLength(1);
    const imported = reply.body.conversations[0];
    expect(imported.id).not.toBe(rich.id);
    const { generating: _, context: __, ...original } = (await api.get(`/api/conversations/${rich.id}`)).body;
    expect(imported).toEqual({
      ...original,
      id: imported.id,
      current_leaf_id: imported.current_leaf_id,
    });

    const again = (await api.get(`/api/conversations/${imported.id}/export`)).body;
    expect(withoutIds(again)).toEqual(withoutIds(exported));
    const newIds = new Set(again.conversations[0].messages.map((m: { id: string }) => m.id));
    for (const message of exported.conversations[0].messages) expect(newIds.has(message.id)).toBe(false);
  });

  it('imports every conversation of a project export into the project named, or none', async () => {
    const from = (await api.post('/api/projects', { name: 'From' })).body;
    const into = (await api.post('/api/projects', { name: 'Into' })).body;
    await richConversation(services, api, { project_id: from.id, title: 'One' });
    await api.post('/api/conversations', { project_id: from.id, title: 'Two, empty' });
    const exported = (await api.get(`/api/projects/${from.id}/export`)).body;

    const intoProject = await api.post(`/api/conversations/import?project_id=${into.id}`, exported);
    expect(intoProject.status).toBe(201);
    expect(intoProject.body.conversations.map((c: any) => [c.title, c.project_id, c.message_count])).toEqual([
      ['One', into.id, 6],
      ['Two, empty', into.id, 0],
    ]);
    const nowhere = await api.post('/api/conversations/import', exported);
    expect(nowhere.body.conversations.map((c: any) => c.project_id)).toEqual([null, null]);
    const listed = await api.get(`/api/conversations?project_id=${into.id}`);
    expect(listed.body.items).toHaveLength(2);
  });

  it('brings an answer exported while it streamed back as failed (interrupted), with its text so far', async () => {
    const id = (await api.post('/api/conversations', { title: 'Streaming' })).body.id;
    const { userId } = await exchange(services, id, 'Hi?', 'Hello.');
    const streaming = uuidv7();
    await runConversationCommand(services, {
      type: 'StartAssistantResponse',
      data: { conversation_id: id, message_id: streaming, parent_message_id: userId, metadata: {} },
    });
    await runConversationCommand(services, {
      type: 'CheckpointResponse',
      data: { conversation_id: id, message_id: streaming, delta: 'Half' },
    });
    const exported = (await api.get(`/api/conversations/${id}/export`)).body;
    expect(exported.conversations[0].messages[2]).toMatchObject({ status: 'streaming', content: 'Half' });
    const imported = (await api.post('/api/conversations/import', exported)).body.conversations[0];
    const messages = await messagesOf(api, imported.id);
    expect(messages[2]).toMatchObject({
      status: 'failed',
      content: 'Half',
      finish_reason: null,
      metadata: { error_type: 'interrupted', error: 'The answer was still being generated when it was exported' },
    });
  });

  it('leaves an imported conversation ready to go on: a new question replies to its current leaf', async () => {
    const rich = await richConversation(services, api);
    const exported = (await api.get(`/api/conversations/${rich.id}/export`)).body;
    const imported = (await api.post('/api/conversations/import', exported)).body.conversations[0];
    const question = uuidv7();
    await runConversationCommand(services, {
      type: 'PostUserMessage',
      data: { conversation_id: imported.id, message_id: question, content: 'And then?', metadata: {} },
    });
    const posted = (await api.get(`/api/messages/${question}`)).body;
    expect(posted.parent_message_id).toBe(imported.current_leaf_id);
    const after = (await api.get(`/api/conversations/${imported.id}`)).body;
    expect(after).toMatchObject({ current_leaf_id: question, message_count: 7 });
  });

  it('refuses a file of another format or version, naming the field', async () => {
    const rich = await richConversation(services, api);
    const exported = (await api.get(`/api/conversations/${rich.id}/export`)).body;
    await expectRefused({ ...exported, format: 'something-else' }, 'body/format', /gpt-oss-assistant-export/);
    await expectRefused({ hello: 'world' }, 'body/format');
    await expectRefused({ ...exported, version: 2 }, 'body/version');
    await expectRefused({ ...exported, conversations: [] }, 'body/conversations', /no conversation/);
  });

  it('refuses a broken tree with a JSON pointer to the bad message, and imports nothing', async () => {
    const rich = await richConversation(services, api);
    const exported = (await api.get(`/api/conversations/${rich.id}/export`)).body;
    const good = exported.conversations[0];
    const withMessages = (change: (messages: any[]) => void) => {
      const copy = structuredClone(good);
      change(copy.messages);
      // A good conversation first: a refusal leaves nothing behind, not even it.
      return { ...exported, conversations: [good, copy] };
    };
    await expectRefused(
      withMessages((m) => (m[1].parent_message_id = uuidv7())),
      'body/conversations/1/messages/1/parent_message_id',
      /earlier message/,
    );
    // A child listed before its parent.
    await expectRefused(
      withMessages((m) => m.reverse()),
      'body/conversations/1/messages/0/parent_message_id',
    );
    await expectRefused(
      withMessages((m) => (m[2].id = m[0].id)),
      'body/conversations/1/messages/2/id',
    );
    await expectRefused(
      withMessages((m) => (m[3].role = 'system')),
      'body/conversations/1/messages/3/role',
    );
    await expectRefused(
      withMessages((m) => (m[0].created_at = 'yesterday')),
      'body/conversations/1/messages/0/created_at',
    );
    await expectRefused(
      { ...exported, conversations: [good, { ...good, current_leaf_id: uuidv7() }] },
      'body/conversations/1/current_leaf_id',
    );
    await expectRefused(
      { ...exported, conversations: [good, { ...good, title: 'x'.repeat(501) }] },
      'body/conversations/1/title',
      /at most 500 characters \(MAX_TITLE_LENGTH\)/,
    );
  });

  it('takes a title as long as a raised MAX_TITLE_LENGTH allows', async () => {
    const roomy = httpClient((await startTestServer({ maxTitleLength: 1000 })).url);
    const rich = await richConversation(services, api);
    const exported = (await api.get(`/api/conversations/${rich.id}/export`)).body;
    const title = 'x'.repeat(1000);
    const reply = await roomy.post('/api/conversations/import', {
      ...exported,
      conversations: [{ ...exported.conversations[0], title }],
    });
    expect(reply.status, reply.text).toBe(201);
    expect(reply.body.conversations[0].title).toBe(title);
  });

  it('holds imported conversation metadata to METADATA_MAX_BYTES, naming the conversation', async () => {
    const rich = await richConversation(services, api);
    const exported = (await api.get(`/api/conversations/${rich.id}/export`)).body;
    const big = { ...exported.conversations[0], metadata: { note: 'x'.repeat(70_000) } };
    await expectRefused(
      { ...exported, conversations: [exported.conversations[0], big] },
      'body/conversations/1/metadata',
      /METADATA_MAX_BYTES/,
    );
  });
});

describe("POST /api/conversations/import: ChatGPT's conversations.json", () => {
  it('keeps the visible user and assistant messages with their branches, models, outcomes and times', async () => {
    const reply = await api.post('/api/conversations/import', chatGptFixture());
    expect(reply.status, reply.text).toBe(201);
    const [clocks, quick] = reply.body.conversations;
    expect(clocks).toMatchObject({
      title: 'Vector clocks explained',
      project_id: null,
      metadata: {},
      created_at: at(T),
      updated_at: at(T + 600),
      last_message_at: at(T + 206),
      message_count: 7,
    });
    const messages = await messagesOf(api, clocks.id);
    const byText = (start: string) => messages.find((m) => m.content.startsWith(start));
    const question = byText('What is a vector clock?');
    const first = byText('A vector clock is');
    const regenerated = byText('Each process keeps');
    const withImage = byText('[image]');
    const interrupted = byText('The diagram shows');
    const edited = byText('Can you give an example');
    const final = byText('A sends [1,0]');
    // System, custom instructions, code, tool output and the empty answer are left out; thoughts are no message.
    expect(messages.map((m) => m.content)).toEqual(
      [question, first, regenerated, withImage, interrupted, edited, final].map((m) => m.content),
    );
    expect(question).toMatchObject({ role: 'user', parent_message_id: null, created_at: at(T + 10) });
    expect(first).toMatchObject({
      role: 'assistant',
      parent_message_id: question.id,
      model_name: 'gpt-4o',
      status: 'complete',
      finish_reason: 'stop',
      token_count: null,
      created_at: at(T + 14),
    });
    expect(regenerated).toMatchObject({
      parent_message_id: question.id,
      model_name: 'gpt-4o-mini',
      finish_reason: 'length',
    });
    expect(withImage).toMatchObject({
      role: 'user',
      parent_message_id: regenerated.id,
      content: '[image]\n\nAnd in this diagram?',
      model_name: null,
    });
    // Its parent, the tool call and the tool's output, were left out: it replies to the question before them.
    expect(interrupted).toMatchObject({
      parent_message_id: withImage.id,
      status: 'cancelled',
      finish_reason: 'cancelled',
    });
    expect(edited).toMatchObject({ parent_message_id: regenerated.id });
    expect(final).toMatchObject({ parent_message_id: edited.id, model_name: 'o3', created_at: at(T + 206) });
    // The thoughts and the recap shown before it are its reasoning; the answers without any have none.
    expect((await api.get(`/api/messages/${final.id}`)).body.reasoning).toBe(
      '**Pick an example**\n\nTwo processes A and B...\n\nThought for 4 seconds',
    );
    expect(messages.filter((m) => m.has_reasoning).map((m) => m.id)).toEqual([final.id]);
    expect(clocks.current_leaf_id).toBe(final.id);
    const shown = await api.get(`/api/conversations/${clocks.id}/messages?path=current`);
    expect(shown.body.items.map((m: any) => m.id)).toEqual([question.id, regenerated.id, edited.id, final.id]);

    // No title, and messages without times, which take the conversation's.
    expect(quick).toMatchObject({ title: null, created_at: at(T + 86400), message_count: 2 });
    expect(await messagesOf(api, quick.id)).toMatchObject([
      {
        role: 'user',
        content: "Translate 'hello' to French, then to Japanese: こんにちは?",
        created_at: at(T + 86400),
      },
      { role: 'assistant', content: 'Bonjour. こんにちは。', model_name: 'gpt-4', created_at: at(T + 86400) },
    ]);
  });

  it('imports into a project; a project that does not exist is 422 on query/project_id and nothing is imported', async () => {
    const project = (await api.post('/api/projects', { name: 'From ChatGPT' })).body;
    const reply = await api.post(`/api/conversations/import?project_id=${project.id}`, chatGptFixture());
    expect(reply.body.conversations.map((c: any) => c.project_id)).toEqual([project.id, project.id]);
    const before = await apiSnapshot(api);
    const refused = await api.post(`/api/conversations/import?project_id=${uuidv7()}`, chatGptFixture());
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0].path).toBe('query/project_id');
    expect(await apiSnapshot(api)).toEqual(before);
    const deleted = (await api.post('/api/projects', { name: 'Deleted' })).body;
    await api.delete(`/api/projects/${deleted.id}`);
    expect((await api.post(`/api/conversations/import?project_id=${deleted.id}`, chatGptFixture())).status).toBe(422);
  });

  it('cuts a title to MAX_TITLE_LENGTH characters (an emoji is one), and dates a conversation without times by its messages or now', async () => {
    const [clocks] = chatGptFixture();
    const long = { ...clocks, title: `${'t'.repeat(499)}😀 and more`, create_time: null, update_time: null };
    const reply = await api.post('/api/conversations/import', [long]);
    expect(reply.status).toBe(201);
    const imported = reply.body.conversations[0];
    expect(imported.title).toBe(`${'t'.repeat(499)}😀`);
    expect(imported).toMatchObject({ created_at: at(T + 10), updated_at: at(T + 206) });
  });

  it('refuses a malformed conversation with a JSON pointer to the bad node; one bad conversation imports none', async () => {
    const [clocks, quick] = chatGptFixture();
    const node = (key: string) => `body/1/mapping/${key}`;
    const withMapping = (change: (mapping: any) => void) => {
      const copy = structuredClone(quick);
      change(copy.mapping);
      return [clocks, copy];
    };
    const answer = 'bbbb0002-0000-4000-8000-000000000002';
    const question = 'bbbb0002-0000-4000-8000-000000000001';
    await expectRefused(
      withMapping((m) => (m[answer].parent = 'nowhere')),
      `${node(answer)}/parent`,
      /names no node/,
    );
    await expectRefused(
      withMapping((m) => (m['root-b'].parent = answer)),
      `${node('root-b')}/parent`,
      /cycle/,
    );
    await expectRefused(
      withMapping((m) => (m[question].message.author = { name: 'x' })),
      `${node(question)}/message/author/role`,
    );
    await expectRefused(
      withMapping((m) => (m[question].message.content.parts = 'not a list')),
      `${node(question)}/message/content/parts`,
    );
    await expectRefused(
      withMapping((m) => (m[question].message.create_time = 1e15)),
      `${node(question)}/message/create_time`,
      /1970 and 9999/,
    );
    await expectRefused(
      withMapping((m) => (m['a/b~c'] = { parent: 'missing' })),
      `${node('a~1b~0c')}/parent`,
    );
    await expectRefused([clocks, { ...quick, current_node: 'gone' }], 'body/1/current_node');
    await expectRefused([clocks, { ...quick, title: 42 }], 'body/1/title');
    const { mapping: _, ...noMapping } = quick;
    await expectRefused([clocks, noMapping], 'body/1/mapping', /required/);
    await expectRefused([], 'body');
    await expectRefused([clocks, 'not a conversation'], 'body/1');
  });
});

describe('POST /api/conversations/import: limits and storage', () => {
  it('takes a body up to MAX_IMPORT_BYTES, though other routes stop at MAX_BODY_BYTES; larger is 413', async () => {
    const limited = await startTestServer({ maxBodyBytes: 2048, maxImportBytes: 64 * 1024 });
    const client = httpClient(limited.url);
    const body = chatGptFixture();
    const size = Buffer.byteLength(JSON.stringify(body));
    expect(size).toBeGreaterThan(2048);
    expect((await client.post('/api/conversations/import', body)).status).toBe(201);
    expect((await client.post('/api/conversations', { title: 'x', metadata: { pad: 'x'.repeat(size) } })).status).toBe(
      413,
    );
    const tooBig = Array.from({ length: 10 }, () => body).flat();
    expect(Buffer.byteLength(JSON.stringify(tooBig))).toBeGreaterThan(64 * 1024);
    const refused = await client.post('/api/conversations/import', tooBig);
    expect(refused.status).toBe(413);
    expect(refused.body.type).toBe('/problems/payload-too-large');
  });

  it('does not hold imported text to MAX_MESSAGE_LENGTH, which limits questions asked here', async () => {
    const [clocks] = chatGptFixture();
    const long = 'long paste '.repeat(2_000);
    clocks.mapping['aaaa0001-0000-4000-8000-000000000003'].message.content.parts = [long];
    const imported = (await api.post('/api/conversations/import', [clocks])).body.conversations[0];
    expect((await messagesOf(api, imported.id))[0].content).toBe(long);
  });

  it('is all or none at the storage too: a write failing in the last conversation leaves nothing behind', async () => {
    const own = await startTestServer();
    const client = httpClient(own.url);
    const [clocks, quick] = chatGptFixture();
    quick.mapping['bbbb0002-0000-4000-8000-000000000002'].message.content.parts = ['poison-pill'];
    const before = await apiSnapshot(client);
    const rowsBefore = await tableRows(own.database.url);
    await poisonMessages(own, true);
    const reply = await client.post('/api/conversations/import', [clocks, quick]);
    expect(reply.status).toBe(500);
    expect(await apiSnapshot(client)).toEqual(before);
    expect(await tableRows(own.database.url)).toEqual(rowsBefore);
    await poisonMessages(own, false);
    expect((await client.post('/api/conversations/import', [clocks, quick])).status).toBe(201);
  });

  it('keeps the read models what a replay of the log builds', async () => {
    const own = await startTestServer();
    const client = httpClient(own.url);
    const project = (await client.post('/api/projects', { name: 'P' })).body;
    const rich = await richConversation(own.services, client, { project_id: project.id });
    const exported = (await client.get(`/api/conversations/${rich.id}/export`)).body;
    expect((await client.post(`/api/conversations/import?project_id=${project.id}`, exported)).status).toBe(201);
    expect((await client.post('/api/conversations/import', chatGptFixture())).status).toBe(201);
    const inline = await tableRows(own.database.url);
    await rebuildProjections(own.services.db.em(), projectors);
    expect(await tableRows(own.database.url)).toEqual(inline);
  });

  it('erases an imported conversation for good on purge: no event and no message of it is left', async () => {
    const [clocks] = chatGptFixture();
    clocks.mapping['aaaa0001-0000-4000-8000-000000000003'].message.content.parts = ['secret-imported-question'];
    const imported = (await api.post('/api/conversations/import', [clocks])).body.conversations[0];
    expect((await api.delete(`/api/conversations/${imported.id}?purge=true`)).status).toBe(204);
    expect((await api.get(`/api/conversations/${imported.id}/messages`)).status).toBe(404);
    const events = (await api.get('/api/events?limit=1000')).text;
    expect(events).not.toContain('secret-imported-question');
  });
});

/** A trigger that makes the database refuse any message holding 'poison-pill' (or drops it): a write failing late. */
async function poisonMessages(target: TestServer, on: boolean): Promise<void> {
  const url = parseDatabaseUrl(target.database.url);
  if (url.kind === 'sqlite') {
    const raw = new Database(url.file);
    raw.exec(
      on
        ? `create trigger poison before insert on messages when new.content like '%poison-pill%'
           begin select raise(abort, 'poisoned'); end`
        : 'drop trigger poison',
    );
    raw.close();
    return;
  }
  await withClient(url.url, (client) =>
    client.query(
      on
        ? `create function poison() returns trigger language plpgsql as $$
           begin if new.content like '%poison-pill%' then raise exception 'poisoned'; end if; return new; end $$;
           create trigger poison before insert on messages for each row execute function poison()`
        : 'drop trigger poison on messages; drop function poison()',
    ),
  );
}
