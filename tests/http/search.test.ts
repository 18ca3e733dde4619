import Database from 'better-sqlite3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { projectors } from '../../projections/projectors.js';
import { rebuildProjections } from '../../projections/rebuild.js';
import { parseDatabaseUrl } from '../../src/db/database-url.js';
import { exchange } from '../support/commands.js';
import { httpClient, type HttpClient } from '../support/http-client.js';
import { startLlamaDouble, type LlamaDouble } from '../support/llama-double.js';
import { openSse } from '../support/sse-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { tracesOf } from '../support/traces.js';

type Hit = {
  conversation_id: string;
  conversation_title: string | null;
  project_id: string | null;
  message_id: string | null;
  role: 'user' | 'assistant' | null;
  snippet: string;
  on_current_branch: boolean | null;
  created_at: string;
};

let double: LlamaDouble;
let server: TestServer;
let api: HttpClient;

beforeAll(async () => {
  double = await startLlamaDouble();
  server = await startTestServer({ llmApiUrl: double.url });
  api = httpClient(server.url);
});

afterAll(async () => {
  await double.close();
});

beforeEach(() => {
  double.reset();
});

/** The reply: a page of hits, or a problem. */
async function search(params: Record<string, string>) {
  return api.get(`/api/search?${new URLSearchParams(params)}`);
}

async function hits(params: Record<string, string>): Promise<Hit[]> {
  const reply = await search(params);
  expect(reply.status, reply.text).toBe(200);
  return reply.body.items;
}

/** SQLite: FTS5 checks that its index holds exactly the words of search_documents (it throws otherwise). */
function expectIndexIntact(): void {
  const target = parseDatabaseUrl(server.database.url);
  if (target.kind !== 'sqlite') return;
  const raw = new Database(target.file);
  try {
    raw.exec(`insert into search_fts (search_fts, rank) values ('integrity-check', 1)`);
  } finally {
    raw.close();
  }
}

async function newConversation(body: Record<string, unknown> = {}): Promise<string> {
  const created = await api.post('/api/conversations', body);
  expect(created.status, created.text).toBe(201);
  return created.body.id as string;
}

/** Asks through the chat API; llama.cpp (the double) answers `reply`. */
async function ask(conversationId: string, message: string, reply: string) {
  double.configure({ reply });
  const stream = await openSse(`${server.url}/api/chat/stream`, { body: { conversation_id: conversationId, message } });
  const events = await stream.ended;
  expect(events.at(-1)?.event).toBe('complete');
  const start = events[0]!.json as { user_message_id: string; message_id: string };
  return { questionId: start.user_message_id, answerId: start.message_id };
}

describe('GET /api/search', () => {
  it('ranks the message that matches more first, and finds titles and messages with their conversation', async () => {
    const projectId = (await api.post('/api/projects', { name: 'Clocks' })).body.id as string;
    const id = await newConversation({ project_id: projectId, title: 'Notes on vector clocks' });
    const { userId, assistantId } = await exchange(
      server.services,
      id,
      'Somewhere in this long question about ordering events in a distributed system a vector is named once',
      'A vector clock keeps one counter per process; each vector clock is compared entry by entry.',
    );

    const found = await hits({ q: 'vector', conversation_id: id });
    expect(found.map((h) => h.message_id)).toEqual([null, assistantId, userId]);
    expect(found[0]).toEqual({
      conversation_id: id,
      conversation_title: 'Notes on vector clocks',
      project_id: projectId,
      message_id: null,
      role: null,
      snippet: 'Notes on <mark>vector</mark> clocks',
      on_current_branch: null,
      created_at: expect.any(String),
    });
    expect(found[1]).toMatchObject({ role: 'assistant', on_current_branch: true, conversation_id: id });
    expect(found[2]).toMatchObject({ role: 'user', on_current_branch: true });

    // Either word: the answer has both, the question only one.
    const either = await hits({ q: 'counter OR distributed', conversation_id: id });
    expect(either.map((h) => h.message_id)).toEqual([assistantId, userId]);
  });

  it('finds every word in any order, a "phrase" only in a row, word* by prefix, and leaves out -excluded words', async () => {
    const id = await newConversation();
    const { userId, assistantId } = await exchange(
      server.services,
      id,
      'Which walrus colonies live near Svalbard?',
      'Colonies of walruses haul out near Svalbard in summer.',
    );
    const ids = async (q: string) => (await hits({ q, conversation_id: id })).map((h) => h.message_id);
    expect(await ids('svalbard colonies')).toEqual(expect.arrayContaining([userId, assistantId]));
    expect(await ids('"walrus colonies"')).toEqual([userId]);
    expect(await ids('"colonies walrus"')).toEqual([]);
    expect(await ids('walrus*')).toEqual(expect.arrayContaining([userId, assistantId]));
    expect(await ids('walrus')).toEqual([userId]);
    expect(await ids('svalbard -summer')).toEqual([userId]);
    expect(await ids('SVALBARD')).toHaveLength(2);
  });

  it('filters by project and by conversation', async () => {
    const first = (await api.post('/api/projects', { name: 'First' })).body.id as string;
    const second = (await api.post('/api/projects', { name: 'Second' })).body.id as string;
    const inFirst = await newConversation({ project_id: first });
    const inSecond = await newConversation({ project_id: second });
    const inNone = await newConversation();
    for (const id of [inFirst, inSecond, inNone]) await exchange(server.services, id, 'About quokkas?', 'Quokkas.');

    const conversations = async (params: Record<string, string>) =>
      new Set((await hits({ q: 'quokkas', ...params })).map((h) => h.conversation_id));
    expect(await conversations({})).toEqual(new Set([inFirst, inSecond, inNone]));
    expect(await conversations({ project_id: first })).toEqual(new Set([inFirst]));
    expect(await conversations({ conversation_id: inSecond })).toEqual(new Set([inSecond]));
    expect(await conversations({ project_id: first, conversation_id: inSecond })).toEqual(new Set());
  });

  it('marks matches in an HTML-escaped snippet: a <script> in a message stays text', async () => {
    const id = await newConversation();
    const { assistantId } = await exchange(
      server.services,
      id,
      'How do I escape?',
      `Write <script>alert("x")</script> & 'quote' it, then find the needle.`,
    );
    const [needle] = await hits({ q: 'needle', conversation_id: id });
    expect(needle!.message_id).toBe(assistantId);
    expect(needle!.snippet).toBe(
      'Write &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quote&#39; it, then find the <mark>needle</mark>.',
    );
    const [script] = await hits({ q: '<script>', conversation_id: id });
    expect(script!.snippet).toBe(
      'Write &lt;<mark>script</mark>&gt;alert(&quot;x&quot;)&lt;/<mark>script</mark>&gt; &amp; &#39;quote&#39; it, then find the needle.',
    );
    expect(script!.snippet.replace(/<\/?mark>/g, '')).not.toMatch(/[<>"']/);
  });

  it('cuts a long message to a snippet around the best matches, with … where it was cut', async () => {
    const id = await newConversation();
    const filler = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(' ');
    await exchange(server.services, id, 'Long one?', `${filler(200)} the platypus lays eggs ${filler(200)}`);
    const [hit] = await hits({ q: 'platypus', conversation_id: id });
    expect(hit!.snippet).toMatch(/^….* the <mark>platypus<\/mark> lays eggs .*…$/);
    expect(hit!.snippet.split(' ').length).toBeLessThanOrEqual(34);

    // No spaces to cut at: a cut by characters, never through an emoji's surrogate pair.
    await exchange(server.services, id, 'Emoji?', `${'🦙'.repeat(301)} okapi ${'🦙'.repeat(301)}`);
    const [okapi] = await hits({ q: 'okapi', conversation_id: id });
    expect(okapi!.snippet).toMatch(/^…🦙+ <mark>okapi<\/mark> 🦙+…$/u);
    expect(okapi!.snippet.length).toBeLessThanOrEqual(300 + '<mark></mark>……'.length);
    expect(okapi!.snippet).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
  });

  it('tells whether each hit is on the current branch: after a regeneration, and after switching back', async () => {
    const id = await newConversation();
    const { questionId, answerId: first } = await ask(id, 'Tell me about axolotls', 'Axolotls regrow limbs.');
    double.configure({ reply: 'Axolotls stay larval all their life.' });
    const regenerated = await openSse(`${server.url}/api/messages/${first}/regenerate`, { body: {} });
    const second = ((await regenerated.ended)[0]!.json as { message_id: string }).message_id;

    const flags = async () =>
      Object.fromEntries(
        (await hits({ q: 'axolotls', conversation_id: id })).map((h) => [h.message_id, h.on_current_branch]),
      );
    expect(await flags()).toEqual({ [questionId]: true, [first]: false, [second]: true, null: null });

    const switched = await api.patch(`/api/conversations/${id}`, { current_leaf_id: first });
    expect(switched.status).toBe(200);
    expect(await flags()).toEqual({ [questionId]: true, [first]: true, [second]: false, null: null });
  });

  it('indexes a streaming answer when it ends, not at its checkpoints, and a stopped answer with its partial text', async () => {
    const id = await newConversation();
    double.configure({ reply: `${'narwhal tusks '.repeat(40)}end`, tokenDelayMs: 40 });
    const stream = await openSse(`${server.url}/api/chat/stream`, { body: { conversation_id: id, message: 'Go on' } });
    const answerId = ((await stream.next('start')).json as { message_id: string }).message_id;
    // A checkpoint stores the partial text after 2 s: the message shows it, search does not find it yet.
    await expect
      .poll(async () => (await api.get(`/api/messages/${answerId}`)).body.content as string, { timeout: 10_000 })
      .toContain('narwhal');
    expect(await hits({ q: 'narwhal', conversation_id: id })).toEqual([]);
    await stream.ended;
    expect((await hits({ q: 'narwhal', conversation_id: id })).map((h) => h.message_id)).toEqual([answerId]);

    double.configure({ reply: 'Dugongs graze seagrass '.repeat(50), tokenDelayMs: 20 });
    const stopped = await openSse(`${server.url}/api/chat/stream`, { body: { conversation_id: id, message: 'More' } });
    const stoppedId = ((await stopped.next('start')).json as { message_id: string; session_id: string }).message_id;
    await stopped.tokens(5);
    const sessionId = (stopped.events[0]!.json as { session_id: string }).session_id;
    expect((await api.post('/api/chat/stop', { session_id: sessionId })).status).toBe(200);
    await stopped.ended;
    const [partial] = await hits({ q: 'dugongs', conversation_id: id });
    expect(partial).toMatchObject({ message_id: stoppedId, role: 'assistant' });
  });

  it('finds the title and messages of an imported conversation, and of a fork', async () => {
    const source = await newConversation({ title: 'Heliotrope source' });
    const { answerId } = await ask(source, 'What colour is heliotrope?', 'Heliotrope is a pinkish purple.');
    const file = (await api.get(`/api/conversations/${source}/export`)).body;
    const imported = await api.post('/api/conversations/import', file);
    expect(imported.status, imported.text).toBe(201);
    const copy = imported.body.conversations[0].id as string;
    const fork = await api.post(`/api/conversations/${source}/fork`, {
      message_id: answerId,
      title: 'Heliotrope fork',
    });
    expect(fork.status, fork.text).toBe(201);
    for (const id of [copy, fork.body.id as string]) {
      const found = await hits({ q: 'heliotrope', conversation_id: id });
      expect(found.map((h) => [h.role, h.on_current_branch])).toEqual(
        expect.arrayContaining([
          [null, null],
          ['user', true],
          ['assistant', true],
        ]),
      );
    }
    expectIndexIntact();
  });

  it('hides a deleted conversation, and one in a deleted project, until they are restored', async () => {
    const projectId = (await api.post('/api/projects', { name: 'Hidden' })).body.id as string;
    const id = await newConversation({ project_id: projectId, title: 'Pangolins' });
    await exchange(server.services, id, 'Pangolin scales?', 'Keratin.');
    const found = async () => (await hits({ q: 'pangolins OR pangolin' })).length;
    expect(await found()).toBe(2);

    expect((await api.delete(`/api/conversations/${id}`)).status).toBe(204);
    expect(await found()).toBe(0);
    expect((await api.post(`/api/conversations/${id}/restore`)).status).toBe(200);
    expect(await found()).toBe(2);

    expect((await api.delete(`/api/projects/${projectId}`)).status).toBe(204);
    expect(await found()).toBe(0);
    expect((await api.post(`/api/projects/${projectId}/restore`)).status).toBe(200);
    expect(await found()).toBe(2);
  });

  it('erases a purged conversation from the index: no byte of its words in the SQLite files or any PostgreSQL row', async () => {
    // One word to every tokenizer, lowercase as the indexes store it, and starting like no other word here.
    const word = `qqpurged${Math.random().toString(36).slice(2, 10)}`;
    const id = await newConversation({ title: `title ${word}` });
    await exchange(server.services, id, `question ${word}`, `answer ${word}`);
    // Later writes make FTS5 merge its segments, freeing pages that held the word before the purge.
    const other = await newConversation();
    for (let i = 0; i < 30; i += 1)
      await exchange(server.services, other, `filler ${i} question`, `filler ${i} answer`);
    expect(await hits({ q: word })).toHaveLength(3);
    expect(await tracesOf(server.database.url, word)).not.toEqual([]);

    expect((await api.delete(`/api/conversations/${id}?purge=true`)).status).toBe(204);
    expect(await hits({ q: word })).toEqual([]);
    expect(await tracesOf(server.database.url, word)).toEqual([]);
    expectIndexIntact();
  });

  it('pages with an opaque cursor through every hit once, best first', async () => {
    const id = await newConversation();
    for (let i = 1; i <= 5; i += 1) {
      await exchange(server.services, id, `Ibis ${'ibis '.repeat(i)}?`, `Answer ${i} about ibis`);
    }
    const all = await hits({ q: 'ibis', conversation_id: id, limit: '100' });
    expect(all).toHaveLength(10);
    const paged: Hit[] = [];
    let cursor: string | null = null;
    do {
      const reply = await search({ q: 'ibis', conversation_id: id, limit: '3', ...(cursor ? { cursor } : {}) });
      expect(reply.status).toBe(200);
      paged.push(...reply.body.items);
      cursor = reply.body.next_cursor;
    } while (cursor);
    expect(paged).toEqual(all);
    expect(new Set(all.map((h) => h.message_id)).size).toBe(10);

    const bad = await search({ q: 'ibis', cursor: 'not-a-cursor' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].path).toBe('query/cursor');
  });

  it('gives the same results after the read models are rebuilt from the log', async () => {
    const id = await newConversation({ title: 'Capybara facts' });
    await exchange(server.services, id, 'Capybara size?', 'The capybara is the largest rodent.');
    await exchange(server.services, id, 'And its diet?', 'Grasses, mostly; a capybara eats a lot.');
    await api.patch(`/api/conversations/${id}`, { title: 'Capybaras, renamed' });
    const queries = ['capybara', 'capybara OR rodent', 'capy*', 'capybara -rodent', '"largest rodent"'];
    const before = await Promise.all(queries.map((q) => hits({ q })));

    await rebuildProjections(server.services.db.em(), projectors);
    expect(await Promise.all(queries.map((q) => hits({ q })))).toEqual(before);
    expectIndexIntact();
  });

  it('finds words in any script, with their accents, case-insensitively', async () => {
    const id = await newConversation();
    await exchange(server.services, id, 'Ça marche?', 'Un café naïve, 日本語 and Привет мир 🦙.');
    for (const q of ['café', 'CAFÉ', 'naïve', '日本語', 'привет', 'ПРИВЕТ мир']) {
      expect((await hits({ q, conversation_id: id })).length, q).toBe(1);
    }
    expect(await hits({ q: 'cafe', conversation_id: id })).toEqual([]);
  });

  it('never answers odd input with a 5xx: it searches it as text, or says what is wrong in a 422', async () => {
    const id = await newConversation();
    await exchange(server.services, id, 'NEAR(a b) and col:umn "quoted" text?', 'x* -y OR z AND NOT w ^ $ {} 😀 ok');
    const odd = [
      '"',
      '""',
      '"unclosed',
      'a "b',
      '*',
      '**',
      'a*b',
      'ok*',
      '"ok"*',
      'ok***',
      'NEAR(',
      'NEAR(a b)',
      'NEAR(a, 2)',
      '-',
      '--',
      '-ok',
      'ok -',
      'ok --x',
      '-"ok"',
      'OR',
      'ok OR',
      'OR ok',
      'ok OR OR ok',
      'ok OR -x',
      'AND',
      'NOT',
      'ok AND NOT x',
      '(',
      ')',
      '(ok)',
      '{ok}',
      'col:umn',
      'body:ok',
      '^ok',
      '+ok',
      "'",
      "' OR 1=1 --",
      '\\',
      '%',
      '_',
      'ok:*',
      '!ok',
      '&',
      '|',
      '<->',
      'ok <-> x',
      'ok"quoted',
      '"a" "b"',
      '😀',
      '😀 ok',
      'ok😀',
      '🦙',
      '日本語',
      'é',
      '\u0301',
      'ǅ',
      'ok\tok',
      ' ok ',
      '\u200bok',
      'x'.repeat(500),
      'ok '.repeat(100),
      '-ok '.repeat(70),
    ];
    for (const q of odd) {
      const reply = await search({ q, conversation_id: id });
      expect([200, 422], `${JSON.stringify(q)}: ${reply.text}`).toContain(reply.status);
      if (reply.status === 422) {
        expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(reply.body.errors[0].path, JSON.stringify(q)).toBe('query/q');
      }
    }
    const problem = async (q: string) => (await search({ q })).body.detail as string;
    expect(await problem('"unclosed')).toMatch(/quote at character 1 is not closed/);
    expect(await problem('-only -excluded')).toMatch(/nothing to search for/);
    expect(await problem('😀')).toMatch(/nothing to search for/);
    expect(await problem('ok OR')).toMatch(/OR needs a term on each side/);
    expect(await problem('ok OR -x')).toMatch(/excluded term/);
    expect(await problem('a-b*')).toMatch(/prefix search/);
    expect((await search({ q: 'x'.repeat(501) })).status).toBe(422);
    expect((await hits({ q: 'NEAR(a b)', conversation_id: id })).length).toBe(1);
    expect((await hits({ q: '"quoted" col:umn', conversation_id: id })).length).toBe(1);
    expect((await hits({ q: '"OR" AND NOT', conversation_id: id })).length).toBe(1);
  });
});
