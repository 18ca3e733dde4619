import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/ids.js';
import { httpClient, type HttpClient, type Reply } from '../support/http-client.js';
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

type Recorded = { status: number; body: unknown; etag: string | null };
/** What the API answered at one moment, and where the log stood then. */
type Moment = {
  step: string;
  position: number;
  time: string;
  conversation: Recorded;
  withDeleted: Recorded;
  messages: Recorded;
  current: Recorded;
  pageOfTwo: Recorded;
};

const recorded = (reply: Reply): Recorded => ({
  status: reply.status,
  body: reply.status === 200 ? reply.body : undefined,
  etag: reply.headers.get('etag'),
});

async function logEnd(): Promise<{ position: number; created_at: string }> {
  const last = (await readWholeLog(api)).at(-1) as unknown as { position: number; created_at: string };
  return { position: last.position, created_at: last.created_at };
}

/** Waits until the clock has moved on, so the next step's events are stored at a later millisecond. */
async function tick(): Promise<void> {
  const start = Date.now();
  while (Date.now() <= start + 1) await new Promise((resolve) => setTimeout(resolve, 1));
}

const urls = (id: string, asOf?: string) => {
  const at = asOf === undefined ? '' : `as_of=${encodeURIComponent(asOf)}`;
  const query = (rest: string) => [rest, at].filter(Boolean).join('&');
  return {
    conversation: `/api/conversations/${id}?${query('')}`,
    withDeleted: `/api/conversations/${id}?${query('include_deleted=true')}`,
    messages: `/api/conversations/${id}/messages?${query('')}`,
    current: `/api/conversations/${id}/messages?${query('path=current')}`,
    pageOfTwo: `/api/conversations/${id}/messages?${query('limit=2')}`,
  };
};

async function answers(id: string, asOf?: string) {
  const at = urls(id, asOf);
  return {
    conversation: recorded(await api.get(at.conversation)),
    withDeleted: recorded(await api.get(at.withDeleted)),
    messages: recorded(await api.get(at.messages)),
    current: recorded(await api.get(at.current)),
    pageOfTwo: recorded(await api.get(at.pageOfTwo)),
  };
}

async function record(step: string, id: string): Promise<Moment> {
  const end = await logEnd();
  const moment = { step, position: end.position, time: end.created_at, ...(await answers(id)) };
  await tick();
  return moment;
}

/** Asks over the chat API and reads the answer to its end; returns the answer's message id. */
async function ask(conversationId: string, message: string): Promise<string> {
  const stream = await openSse(`${server.url}/api/chat/stream`, { body: { conversation_id: conversationId, message } });
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

async function ok(reply: Promise<Reply>, status = 200): Promise<Reply> {
  const answered = await reply;
  expect(answered.status, answered.text).toBe(status);
  return answered;
}

describe('GET /api/conversations/:id?as_of= and /messages?as_of=', () => {
  let id = '';
  let before = 0;
  const moments: Moment[] = [];

  beforeAll(async () => {
    const p = (await ok(api.post('/api/projects', { name: 'P' }), 201)).body.id;
    const q = (await ok(api.post('/api/projects', { name: 'Q' }), 201)).body.id;
    before = (await logEnd()).position;
    await tick();
    id = (await ok(api.post('/api/conversations', { project_id: p, title: 'Draft' }), 201)).body.id;
    moments.push(await record('created', id));
    await ok(api.patch(`/api/conversations/${id}`, { title: 'Named' }));
    moments.push(await record('renamed', id));
    await ask(id, 'First question?');
    moments.push(await record('first answer', id));
    const second = await ask(id, 'Second question?');
    moments.push(await record('second answer', id));
    await ok(api.patch(`/api/messages/${second}/reaction`, { reaction: 'thumbs_up' }));
    moments.push(await record('reacted', id));
    await regenerate(second);
    moments.push(await record('regenerated (a branch)', id));
    await ok(api.patch(`/api/conversations/${id}`, { current_leaf_id: second }));
    moments.push(await record('back to the first branch', id));
    await ok(api.patch(`/api/conversations/${id}`, { project_id: q, metadata: { pinned: true } }));
    moments.push(await record('moved, metadata changed', id));
    await ok(api.delete(`/api/conversations/${id}`), 204);
    moments.push(await record('deleted', id));
    await ok(api.post(`/api/conversations/${id}/restore`));
    moments.push(await record('restored', id));
    await ok(api.delete(`/api/projects/${q}`), 204);
    moments.push(await record('its project deleted', id));
    await ok(api.post(`/api/projects/${q}/restore`));
    await ask(id, 'Third question?');
    moments.push(await record('its project restored, a third answer', id));
  }, 60_000);

  const expectSame = (got: Recorded, want: Recorded, what: string) => {
    expect(got.status, what).toBe(want.status);
    expect(got.body, what).toEqual(want.body);
    expect(got.etag, what).toBe(want.etag);
  };

  it('the recorded moments cover what the brief asks for, and differ from each other', () => {
    expect(moments).toHaveLength(12);
    const statuses = moments.map((m) => m.conversation.status);
    expect(statuses).toContain(404);
    const shown = (m: Moment) => JSON.stringify([m.conversation.status, m.withDeleted.body, m.messages.body]);
    expect(new Set(moments.map(shown)).size).toBe(moments.length);
  });

  it('answers as_of=<log position> of each moment exactly what the API answered at that moment', async () => {
    for (const moment of moments) {
      const got = await answers(id, String(moment.position));
      for (const key of ['conversation', 'withDeleted', 'messages', 'current', 'pageOfTwo'] as const) {
        expectSame(got[key], moment[key], `${moment.step}: ${key}`);
      }
    }
  });

  it('answers as_of=<time> of each moment (ISO 8601, in UTC or with an offset) exactly what the API answered then', async () => {
    for (const moment of moments) {
      const got = await answers(id, moment.time);
      for (const key of ['conversation', 'withDeleted', 'messages', 'current', 'pageOfTwo'] as const) {
        expectSame(got[key], moment[key], `${moment.step}: ${key}`);
      }
    }
    const renamed = moments[1]!;
    const offset = new Date(Date.parse(renamed.time) + 2 * 3600_000).toISOString().replace('Z', '+02:00');
    expectSame(recorded(await api.get(urls(id, offset).conversation)), renamed.conversation, 'with an offset');
  });

  it('answers a position between two moments with the earlier one, and pages the past with the same cursors', async () => {
    const [, renamed, firstAnswer] = moments as [Moment, Moment, Moment];
    expect(firstAnswer.position - renamed.position).toBeGreaterThan(1);
    const between = recorded(await api.get(urls(id, String(firstAnswer.position - 2)).conversation));
    expect(between.status).toBe(200);
    expect((between.body as { title: string }).title).toBe('Named');

    const last = moments.at(-1)!;
    const first = (await api.get(`/api/conversations/${id}/messages?limit=2&as_of=${last.position}`)).body;
    expect(first.next_cursor).toEqual(expect.any(String));
    const cursor = encodeURIComponent(first.next_cursor);
    const now = await api.get(`/api/conversations/${id}/messages?limit=2&cursor=${cursor}`);
    const then = await api.get(`/api/conversations/${id}/messages?limit=2&cursor=${cursor}&as_of=${last.position}`);
    expect(then.status).toBe(200);
    expect(then.body).toEqual(now.body);
    const leaf = (last.current.body as { items: { id: string }[] }).items.at(-1)!.id;
    const branch = await api.get(`/api/conversations/${id}/messages?leaf=${leaf}&limit=1&as_of=${last.position}`);
    const branchNow = await api.get(`/api/conversations/${id}/messages?leaf=${leaf}&limit=1`);
    expect(branch.body).toEqual(branchNow.body);
  });

  it('answers an as_of in the future with the current state', async () => {
    const now = await answers(id);
    for (const future of ['999999999999999', '9999-12-31T23:59:59Z', '2999-01-01T00:00:00+05:00']) {
      const got = await answers(id, future);
      for (const key of ['conversation', 'withDeleted', 'messages', 'current', 'pageOfTwo'] as const) {
        expectSame(got[key], now[key], `${future}: ${key}`);
      }
    }
  });

  it('answers 404 for an as_of before the conversation existed', async () => {
    const created = moments[0]!;
    for (const asOf of [String(before), String(created.position - 1), '0', '2000-01-01T00:00:00Z']) {
      const at = urls(id, asOf);
      for (const url of [at.conversation, at.withDeleted, at.messages]) {
        const reply = await api.get(url);
        expect(reply.status, url).toBe(404);
        expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      }
    }
    const justBefore = new Date(Date.parse(created.time) - 1).toISOString();
    expect((await api.get(urls(id, justBefore).conversation)).status).toBe(404);
  });

  it.each([
    'yesterday',
    '-1',
    '1.5',
    '1e3',
    '2026-01-01',
    '2026-01-01T10:00:00',
    '2026-02-30T10:00:00Z',
    '2026-13-01T10:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01T10:00:00+24:00',
    '1234567890123456',
  ])('answers a malformed as_of %j with a 422 problem naming query/as_of', async (asOf) => {
    const at = urls(id, asOf);
    for (const url of [at.conversation, at.messages]) {
      const reply = await api.get(url);
      expect(reply.status, url).toBe(422);
      expect(reply.body.errors).toContainEqual({ path: 'query/as_of', message: expect.any(String) });
    }
  });
});

describe('as_of of a conversation that is gone', () => {
  it('answers 404 for a purged conversation at any moment, and for an unknown one', async () => {
    const id = (await ok(api.post('/api/conversations', { title: 'Secret' }), 201)).body.id;
    const alive = await logEnd();
    expect((await api.get(`/api/conversations/${id}?as_of=${alive.position}`)).status).toBe(200);
    await ok(api.delete(`/api/conversations/${id}?purge=true`), 204);
    for (const asOf of [String(alive.position), alive.created_at, '9999-01-01T00:00:00Z']) {
      const reply = await api.get(`/api/conversations/${id}?as_of=${asOf}&include_deleted=true`);
      expect(reply.status).toBe(404);
      expect(reply.text).not.toContain('Secret');
      expect((await api.get(`/api/conversations/${id}/messages?as_of=${asOf}`)).status).toBe(404);
    }
    expect((await api.get(`/api/conversations/${uuidv7()}?as_of=1`)).status).toBe(404);
    const project = (await ok(api.post('/api/projects', { name: 'Not a conversation' }), 201)).body.id;
    expect((await api.get(`/api/conversations/${project}?as_of=999999`)).status).toBe(404);
  });
});
