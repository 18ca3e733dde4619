import { beforeAll, describe, expect, it } from 'vitest';
import { apiSnapshot } from '../support/api-snapshot.js';
import { httpClient, type HttpClient, type Reply } from '../support/http-client.js';
import { startLlamaDouble } from '../support/llama-double.js';
import { openSse } from '../support/sse-client.js';
import { startTestServer } from '../support/test-server.js';

let api: HttpClient;
/** A server with every limit set low, to prove each one is read from the configuration. */
let tight: HttpClient;
let projectId: string;
let conversationId: string;
let tightProjectId: string;

beforeAll(async () => {
  api = httpClient((await startTestServer()).url);
  tight = httpClient(
    (await startTestServer({ maxBodyBytes: 2048, maxMessageLength: 5, metadataMaxBytes: 100, metadataMaxDepth: 3 }))
      .url,
  );
  projectId = (await api.post('/api/projects', { name: 'Limits' })).body.id;
  conversationId = (await api.post('/api/conversations', { project_id: projectId, title: 'Limits' })).body.id;
  tightProjectId = (await tight.post('/api/projects', { name: 'Tight' })).body.id;
});

function expectProblem(reply: Reply, status: number, path?: string): void {
  expect(reply.status, reply.text).toBe(status);
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(reply.body).toMatchObject({
    type: expect.any(String),
    title: expect.any(String),
    status,
    detail: expect.any(String),
  });
  if (path)
    expect(reply.body.errors).toContainEqual(expect.objectContaining({ path: expect.stringMatching(`^${path}`) }));
}

/** Sends `send` and proves it was refused with `status` and that the event log and read models did not change. */
async function refusedWithoutChange(client: HttpClient, send: () => Promise<Reply>, status: number, path?: string) {
  const before = await apiSnapshot(client);
  expectProblem(await send(), status, path);
  expect(await apiSnapshot(client)).toEqual(before);
}

/** `depth` levels of nested objects, the outermost included: depth 1 is `{"v":1}`. */
const nested = (depth: number): Record<string, unknown> => (depth === 1 ? { v: 1 } : { a: nested(depth - 1) });
/** A metadata object whose JSON is exactly `bytes` bytes long. */
const sized = (bytes: number) => ({ blob: 'x'.repeat(bytes - '{"blob":""}'.length) });

describe('JSON body size (MAX_BODY_BYTES)', () => {
  it('refuses a body over the default 1 MB with 413 and changes nothing', async () => {
    const body = { name: 'Big', metadata: { blob: 'x'.repeat(1024 * 1024) } };
    await refusedWithoutChange(api, () => api.post('/api/projects', body), 413);
  });

  it('refuses a body over a configured limit with 413 and changes nothing, and accepts one under it', async () => {
    const body = { name: 'Big', description: 'x'.repeat(2100) };
    await refusedWithoutChange(tight, () => tight.post('/api/projects', body), 413);
    expect((await tight.post('/api/projects', { name: 'Small', description: 'x'.repeat(1900) })).status).toBe(201);
  });
});

describe('metadata size (METADATA_MAX_BYTES)', () => {
  it('refuses metadata over 64 KB of JSON with 422 on every create and update, and changes nothing', async () => {
    const metadata = sized(64 * 1024 + 1);
    for (const send of [
      () => api.post('/api/projects', { name: 'x', metadata }),
      () => api.post('/api/conversations', { metadata }),
      () => api.patch(`/api/projects/${projectId}`, { metadata }),
      () => api.patch(`/api/conversations/${conversationId}`, { metadata }),
    ]) {
      await refusedWithoutChange(api, send, 422, 'body/metadata');
    }
  });

  it('accepts metadata of exactly 64 KB of JSON', async () => {
    const reply = await api.post('/api/conversations', { metadata: sized(64 * 1024) });
    expect(reply.status).toBe(201);
    expect(JSON.stringify(reply.body.metadata)).toHaveLength(64 * 1024);
  });

  it('counts bytes, not characters: multi-byte text reaches a configured limit sooner', async () => {
    const metadata = { t: 'é'.repeat(45) }; // 53 characters of JSON, 98 bytes
    expect((await tight.post('/api/conversations', { metadata })).status).toBe(201);
    const over = { t: '€'.repeat(33) }; // 41 characters of JSON, 107 bytes
    await refusedWithoutChange(tight, () => tight.post('/api/conversations', { metadata: over }), 422, 'body/metadata');
  });
});

describe('metadata depth (METADATA_MAX_DEPTH)', () => {
  it('refuses metadata nested deeper than 16 levels with 422 naming the place, and changes nothing', async () => {
    const metadata = nested(17);
    await refusedWithoutChange(api, () => api.post('/api/projects', { name: 'x', metadata }), 422, 'body/metadata/a/');
    await refusedWithoutChange(
      api,
      () =>
        api.patch(`/api/conversations/${conversationId}`, {
          metadata: { list: JSON.parse(`${'['.repeat(16)}1${']'.repeat(16)}`) },
        }),
      422,
      'body/metadata/list/0/',
    );
  });

  it('accepts metadata exactly 16 levels deep', async () => {
    const reply = await api.post('/api/projects', { name: 'Deep enough', metadata: nested(16) });
    expect(reply.status).toBe(201);
    expect(reply.body.metadata).toEqual(nested(16));
  });

  it('applies a configured depth', async () => {
    expect((await tight.patch(`/api/projects/${tightProjectId}`, { metadata: nested(3) })).status).toBe(200);
    await refusedWithoutChange(
      tight,
      () => tight.patch(`/api/projects/${tightProjectId}`, { metadata: nested(4) }),
      422,
      'body/metadata',
    );
  });
});

describe('message length (MAX_MESSAGE_LENGTH)', () => {
  it('refuses a question longer than the configured length with 422 before storing anything', async () => {
    const conversation = (await tight.post('/api/conversations', {})).body.id;
    await refusedWithoutChange(
      tight,
      () => tight.post('/api/chat/stream', { conversation_id: conversation, message: '123456' }),
      422,
      'body/message',
    );
  });
});

describe('page sizes', () => {
  it('refuses a page size over the documented maximum of each listing with 422', async () => {
    for (const [path, max] of [
      ['/api/projects', 100],
      ['/api/conversations', 100],
      [`/api/conversations/${conversationId}/messages`, 500],
      ['/api/events', 1000],
    ] as const) {
      expect((await api.get(`${path}?limit=${max}`)).status, path).toBe(200);
      await refusedWithoutChange(api, () => api.get(`${path}?limit=${max + 1}`), 422, 'query/limit');
      await refusedWithoutChange(api, () => api.get(`${path}?limit=0`), 422, 'query/limit');
    }
  });
});

describe('title and name lengths', () => {
  it('refuses names, titles, descriptions and searches over their documented lengths with 422, changing nothing', async () => {
    const cases: [() => Promise<Reply>, string][] = [
      [() => api.post('/api/projects', { name: 'n'.repeat(201) }), 'body/name'],
      [() => api.patch(`/api/projects/${projectId}`, { name: 'n'.repeat(201) }), 'body/name'],
      [() => api.post('/api/projects', { name: 'x', description: 'd'.repeat(5001) }), 'body/description'],
      [() => api.post('/api/conversations', { title: 't'.repeat(501) }), 'body/title'],
      [() => api.patch(`/api/conversations/${conversationId}`, { title: 't'.repeat(501) }), 'body/title'],
      [() => api.get(`/api/conversations?q=${'q'.repeat(201)}`), 'query/q'],
    ];
    for (const [send, path] of cases) await refusedWithoutChange(api, send, 422, path);
  });

  it('accepts each at exactly its limit', async () => {
    expect((await api.post('/api/projects', { name: 'n'.repeat(200), description: 'd'.repeat(5000) })).status).toBe(
      201,
    );
    expect((await api.post('/api/conversations', { title: 't'.repeat(500) })).status).toBe(201);
    expect((await api.get(`/api/conversations?q=${'q'.repeat(200)}`)).status).toBe(200);
  });
});

describe('configured page sizes (MAX_PAGE_SIZE, MAX_MESSAGES_PAGE_SIZE, MAX_EVENTS_PAGE_SIZE)', () => {
  it('refuses a page over each configured maximum, pages by it when none is asked for, and documents it', async () => {
    const server = await startTestServer({ maxPageSize: 3, maxMessagesPageSize: 4, maxEventsPageSize: 5 });
    const narrow = httpClient(server.url);
    for (let i = 0; i < 4; i++) await narrow.post('/api/projects', { name: `Project ${i}` });
    const conversation = (await narrow.post('/api/conversations', {})).body.id as string;
    for (const [path, max] of [
      ['/api/projects', 3],
      ['/api/conversations', 3],
      [`/api/conversations/${conversation}/messages`, 4],
      ['/api/events', 5],
    ] as const) {
      expect((await narrow.get(`${path}?limit=${max}`)).status, path).toBe(200);
      await refusedWithoutChange(narrow, () => narrow.get(`${path}?limit=${max + 1}`), 422, 'query/limit');
    }
    const firstPage = await narrow.get('/api/projects');
    expect(firstPage.body.items).toHaveLength(3);
    expect(firstPage.body.next_cursor).toEqual(expect.any(String));
    expect((await narrow.get('/api/events')).body.items).toHaveLength(5);

    const document = (await narrow.get('/openapi.json')).body;
    const limitOf = (path: string) =>
      document.paths[path].get.parameters.find((p: { name: string }) => p.name === 'limit').schema;
    expect(limitOf('/api/projects')).toMatchObject({ maximum: 3, default: 3 });
    expect(limitOf('/api/conversations/{id}/messages')).toMatchObject({ maximum: 4, default: 4 });
    expect(limitOf('/api/events')).toMatchObject({ maximum: 5, default: 5 });
  });
});

describe('configured name, title and description lengths (MAX_NAME_LENGTH, MAX_TITLE_LENGTH, MAX_DESCRIPTION_LENGTH)', () => {
  it('refuses each over a lowered limit with 422 naming the setting, changing nothing', async () => {
    const narrow = httpClient(
      (await startTestServer({ maxNameLength: 10, maxTitleLength: 12, maxDescriptionLength: 20 })).url,
    );
    const project = (await narrow.post('/api/projects', { name: 'n'.repeat(10), description: 'd'.repeat(20) })).body
      .id as string;
    const conversation = (await narrow.post('/api/conversations', { title: 't'.repeat(12) })).body.id as string;
    expect([project, conversation]).toEqual([expect.any(String), expect.any(String)]);
    const cases: [() => Promise<Reply>, string][] = [
      [() => narrow.post('/api/projects', { name: 'n'.repeat(11) }), 'body/name'],
      [() => narrow.patch(`/api/projects/${project}`, { description: 'd'.repeat(21) }), 'body/description'],
      [() => narrow.post('/api/conversations', { title: 't'.repeat(13) }), 'body/title'],
      [() => narrow.patch(`/api/conversations/${conversation}`, { title: 't'.repeat(13) }), 'body/title'],
    ];
    for (const [send, path] of cases) await refusedWithoutChange(narrow, send, 422, path);
    const document = (await narrow.get('/openapi.json')).body;
    expect(JSON.stringify(document.paths['/api/projects'].post)).toContain('(MAX_NAME_LENGTH)');
  });

  it('stores and reads back names, titles and descriptions longer than the defaults when the limits are raised', async () => {
    const roomy = httpClient(
      (await startTestServer({ maxNameLength: 1000, maxTitleLength: 2000, maxDescriptionLength: 20_000 })).url,
    );
    const [name, title, description] = ['n'.repeat(1000), 't'.repeat(2000), 'd'.repeat(20_000)];
    const project = await roomy.post('/api/projects', { name, description });
    expect(project.status, project.text).toBe(201);
    const conversation = await roomy.post('/api/conversations', { project_id: project.body.id, title });
    expect(conversation.status, conversation.text).toBe(201);
    expect((await roomy.get(`/api/projects/${project.body.id}`)).body).toMatchObject({ name, description });
    expect((await roomy.get(`/api/conversations/${conversation.body.id}`)).body.title).toBe(title);
    await refusedWithoutChange(
      roomy,
      () => roomy.post('/api/conversations', { title: `${title}t` }),
      422,
      'body/title',
    );
  });
});

describe('event streams per client address (SSE_MAX_PER_CLIENT)', () => {
  it('refuses a stream over the configured number with 429 before storing anything, and allows one again once a stream ended', async () => {
    // A llama.cpp that accepts the chat and then says nothing keeps the first stream open.
    const double = await startLlamaDouble({ failure: 'stall_first' });
    try {
      const server = await startTestServer({ llmApiUrl: double.url, sseMaxPerClient: 1, llmTimeoutMs: 20_000 });
      const client = httpClient(server.url);
      const [held, other] = [
        (await client.post('/api/conversations', {})).body.id,
        (await client.post('/api/conversations', {})).body.id,
      ];
      const first = await openSse(`${server.url}/api/chat/stream`, {
        body: { conversation_id: held, message: 'Hold on' },
      });
      const { session_id, message_id } = (await first.next('start')).json;

      const chat = () => client.post('/api/chat/stream', { conversation_id: other, message: 'One too many' });
      await refusedWithoutChange(client, chat, 429);
      await refusedWithoutChange(client, () => client.post(`/api/messages/${message_id}/regenerate`, {}), 429);
      await refusedWithoutChange(client, () => client.get(`/api/chat/stream/${session_id}`), 429);
      expect((await chat()).headers.get('retry-after')).toBe('5');

      expect((await client.post('/api/chat/stop', { session_id })).body).toEqual({ stopped: true });
      await first.ended;
      let resumed = await openSse(`${server.url}/api/chat/stream/${session_id}`);
      for (let tries = 0; resumed.status === 429 && tries < 20; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        resumed = await openSse(`${server.url}/api/chat/stream/${session_id}`);
      }
      expect(resumed.status).toBe(200);
      expect((await resumed.ended).at(-1)?.json).toMatchObject({ type: 'error', error_type: 'cancelled' });
    } finally {
      await double.close();
    }
  });
});
