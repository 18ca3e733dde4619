import { beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/ids.js';
import { httpClient, type HttpClient, type Reply } from '../support/http-client.js';
import { rawRequest, type RawReply } from '../support/raw-request.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

let api: HttpClient;
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  api = httpClient(server.url);
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const JSON_TYPE = { 'content-type': 'application/json' };

/** The RFC 9457 shape every error of the API has, with the request id of the reply. */
function expectProblem(reply: Reply, status: number): void {
  expect(reply.status).toBe(status);
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(reply.text);
  expect(body).toMatchObject({
    type: expect.stringMatching(/^\/problems\/[a-z-]+$/),
    title: expect.any(String),
    status,
    detail: expect.any(String),
    request_id: reply.headers.get('x-request-id'),
  });
  expect(body.title.length).toBeGreaterThan(0);
  expect(body.detail.length).toBeGreaterThan(0);
  expect(body).not.toHaveProperty('stack');
}

/** How many projects and conversations the list endpoints show (these tests create few). */
async function counts(): Promise<{ projects: number; conversations: number }> {
  const projects = await api.get('/api/projects?limit=100&include_deleted=true');
  const conversations = await api.get('/api/conversations?limit=100&include_deleted=true');
  expect(projects.body.next_cursor).toBeNull();
  expect(conversations.body.next_cursor).toBeNull();
  return { projects: projects.body.items.length, conversations: conversations.body.items.length };
}

describe('problem+json error bodies', () => {
  it('answers every kind of error with type, title, status, detail and the request id', async () => {
    const project = (await api.post('/api/projects', { name: 'Shapes' })).body;
    await api.patch(`/api/projects/${project.id}`, { name: 'Shapes 2' });
    const cases: [Promise<Reply>, number][] = [
      [api.get('/api/no-such-route'), 404],
      [api.get(`/api/projects/${uuidv7()}`), 404],
      [api.request('PUT', '/api/projects', {}), 405],
      [api.request('POST', '/api/projects', '{"name":', JSON_TYPE), 400],
      [api.request('POST', '/api/projects', 'name=x', { 'content-type': 'application/x-www-form-urlencoded' }), 415],
      [api.post('/api/projects', { name: '' }), 422],
      [api.post('/api/projects', { id: project.id, name: 'Other body' }), 409],
      [api.patch(`/api/projects/${project.id}`, { name: 'x' }, { 'If-Match': 'W/"1"' }), 412],
      [api.post('/api/projects', { name: 'x'.repeat(1024 * 1024) }), 413],
    ];
    for (const [pending, status] of cases) expectProblem(await pending, status);
  });

  it('names each failing field of an invalid body in errors[] with a body/ path', async () => {
    const reply = await api.post('/api/projects', { name: '', description: 5 });
    expectProblem(reply, 422);
    const body = JSON.parse(reply.text);
    const paths = body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['body/name', 'body/description']));
    for (const error of body.errors) expect(error.message).toEqual(expect.any(String));
  });
});

describe('unknown routes and methods', () => {
  it('answers 404 problem+json for an unknown route, under /api and outside it', async () => {
    const api404 = await api.get('/api/nothing/here');
    expectProblem(api404, 404);
    expect(api404.body.type).toBe('/problems/not-found');
    expectProblem(await api.get('/nothing'), 404);
    expectProblem(await api.post('/api/nothing', { a: 1 }), 404);
  });

  it('answers 405 with an Allow header for a method a known path does not support', async () => {
    const put = await api.request('PUT', '/api/projects', { name: 'x' });
    expectProblem(put, 405);
    expect(put.body.type).toBe('/problems/method-not-allowed');
    expect(put.headers.get('allow')?.split(/,\s*/).sort()).toEqual(['GET', 'HEAD', 'POST']);
    const deleteAll = await api.delete('/api/conversations');
    expectProblem(deleteAll, 405);
    expect(deleteAll.headers.get('allow')).toContain('GET');
    const postOne = await api.post(`/api/messages/${uuidv7()}`, {});
    expectProblem(postOne, 405);
    expect(postOne.headers.get('allow')).toContain('GET');
  });
});

describe('request bodies', () => {
  it('refuses a body that is not JSON with 415 and creates nothing', async () => {
    const before = await counts();
    const plain = await api.request('POST', '/api/projects', '{"name":"plain text"}', { 'content-type': 'text/plain' });
    expectProblem(plain, 415);
    expect(plain.body.type).toBe('/problems/unsupported-media-type');
    const form = await api.request('POST', '/api/conversations', 'title=form', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expectProblem(form, 415);
    const xml = await api.request('POST', '/api/projects/create', '<name>x</name>', {
      'content-type': 'application/xml',
    });
    expectProblem(xml, 415);
    expect(await counts()).toEqual(before);
  });

  it('refuses a PATCH whose body is not JSON with 415 and changes nothing', async () => {
    const project = (await api.post('/api/projects', { name: 'Unchanged' })).body;
    const reply = await api.request('PATCH', `/api/projects/${project.id}`, '{"name":"Changed"}', {
      'content-type': 'text/plain',
    });
    expectProblem(reply, 415);
    expect((await api.get(`/api/projects/${project.id}`)).body.name).toBe('Unchanged');
  });

  it('accepts application/json with a charset parameter', async () => {
    const reply = await api.request('POST', '/api/projects', '{"name":"With charset"}', {
      'content-type': 'application/json; charset=utf-8',
    });
    expect(reply.status).toBe(201);
  });

  it('answers malformed JSON with 400 problem+json and creates nothing', async () => {
    const before = await counts();
    for (const text of ['{"name":', '{name: "x"}', "{'name': 'x'}", '{"name":"x",}']) {
      const reply = await api.request('POST', '/api/projects', text, JSON_TYPE);
      expectProblem(reply, 400);
      expect(reply.body.type).toBe('/problems/malformed-json');
    }
    expect(await counts()).toEqual(before);
  });

  it('answers JSON that is not an object with 400 or 422, never 500, and creates nothing', async () => {
    const before = await counts();
    for (const text of ['"x"', '[]', '[{"name":"x"}]', '5', 'true', 'null']) {
      for (const path of ['/api/projects', '/api/conversations']) {
        const reply = await api.request('POST', path, text, JSON_TYPE);
        expect([400, 422], `${path} ${text}`).toContain(reply.status);
        expectProblem(reply, reply.status);
      }
    }
    expect(await counts()).toEqual(before);
  });

  it('answers a body over 1 MB with 413 and creates nothing', async () => {
    const before = await counts();
    const big = JSON.stringify({ title: 'big', metadata: { blob: 'x'.repeat(1024 * 1024) } });
    const reply = await api.request('POST', '/api/conversations', big, JSON_TYPE);
    expectProblem(reply, 413);
    expect(reply.body.type).toBe('/problems/payload-too-large');
    expect(await counts()).toEqual(before);
  });

  it('accepts a body just under 1 MB', async () => {
    // Metadata is the one field that can carry that much; its own limit (METADATA_MAX_BYTES) is raised here.
    const roomy = httpClient((await startTestServer({ metadataMaxBytes: 2 * 1024 * 1024 })).url);
    const reply = await roomy.post('/api/conversations', {
      title: 'large',
      metadata: { blob: 'x'.repeat(1000 * 1000) },
    });
    expect(reply.status).toBe(201);
    expect(reply.body.metadata.blob).toHaveLength(1000 * 1000);
  });

  it('rejects unknown body fields with 422 naming body/<field>, and creates nothing', async () => {
    const before = await counts();
    const project = await api.post('/api/projects', { name: 'x', colour: 'red' });
    expectProblem(project, 422);
    expect(project.body.errors).toContainEqual({ path: 'body/colour', message: expect.any(String) });
    const conversation = await api.post('/api/conversations', { title: 'x', project: 'nope', extra: 1 });
    expectProblem(conversation, 422);
    const paths = conversation.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['body/project', 'body/extra']));
    expect(await counts()).toEqual(before);
  });

  it('rejects unknown fields in a PATCH body with 422 naming the field and changes nothing', async () => {
    const project = (await api.post('/api/projects', { name: 'Kept' })).body;
    const reply = await api.patch(`/api/projects/${project.id}`, { name: 'New', archived: true });
    expectProblem(reply, 422);
    expect(reply.body.errors).toContainEqual({ path: 'body/archived', message: expect.any(String) });
    expect((await api.get(`/api/projects/${project.id}`)).body.name).toBe('Kept');
  });

  it('rejects unknown query parameters with 422 naming query/<name>', async () => {
    const reply = await api.get('/api/conversations?sort=title');
    expectProblem(reply, 422);
    expect(reply.body.errors).toContainEqual({ path: 'query/sort', message: expect.any(String) });
  });

  it('answers a NUL character or an unpaired surrogate in a string 422, never 500, and stores nothing', async () => {
    const before = await counts();
    const cases: [string, string][] = [
      ['/api/projects', '{"name":"a\\u0000b"}'],
      ['/api/projects', '{"name":"lone \\ud800 surrogate"}'],
      ['/api/projects', '{"name":"ok","metadata":{"note":"a\\u0000b"}}'],
      ['/api/projects', '{"name":"ok","metadata":{"a\\u0000":1}}'],
      ['/api/conversations', '{"title":"\\udc00"}'],
      ['/api/conversations', '{"metadata":{"list":["fine","\\u0000"]}}'],
    ];
    for (const [path, text] of cases) {
      const reply = await api.request('POST', path, text, JSON_TYPE);
      expectProblem(reply, 422);
      expect(reply.body.errors[0].path, text).toMatch(/^body\//);
    }
    expect(await counts()).toEqual(before);
    const search = await api.get('/api/conversations?q=%00');
    expectProblem(search, 422);
    expect(search.body.errors).toContainEqual(expect.objectContaining({ path: 'query/q' }));
  });

  it('answers a body nested deeper than 64 levels 422, never 500, however deep, and creates nothing', async () => {
    const before = await counts();
    for (const depth of [65, 5_000, 100_000]) {
      for (const [open, close] of [
        ['[', ']'],
        ['{"a":', '}'],
      ] as const) {
        const text = `{"name":"Deep","metadata":{"x":${open.repeat(depth)}1${close.repeat(depth)}}}`;
        const reply = await api.request('POST', '/api/projects', text, JSON_TYPE);
        expectProblem(reply, 422);
        expect(reply.body.errors[0].path).toMatch(/^body\/metadata\/x\//);
      }
    }
    expect(await counts()).toEqual(before);
  });

  it('accepts text with emoji and other characters outside the basic plane', async () => {
    const reply = await api.post('/api/projects', { name: 'Ideas 💡 𝔘𝔫𝔦𝔠𝔬𝔡𝔢', metadata: { ключ: 'значение' } });
    expect(reply.status).toBe(201);
    const read = await api.get(`/api/projects/${reply.body.id}`);
    expect(read.body).toMatchObject({ name: 'Ideas 💡 𝔘𝔫𝔦𝔠𝔬𝔡𝔢', metadata: { ключ: 'значение' } });
  });
});

describe('path and query parameters', () => {
  it('answers an id that is not a UUID with 422 naming params/id', async () => {
    for (const [method, path] of [
      ['GET', '/api/projects/not-a-uuid'],
      ['GET', '/api/conversations/123'],
      ['DELETE', '/api/conversations/123'],
      ['GET', '/api/conversations/abc/messages'],
      ['GET', '/api/messages/abc'],
      ['PATCH', '/api/projects/abc'],
    ] as const) {
      const reply = await api.request(method, path, method === 'PATCH' ? {} : undefined);
      expectProblem(reply, 422);
      expect(reply.body.errors, `${method} ${path}`).toContainEqual(expect.objectContaining({ path: 'params/id' }));
    }
  });

  it('answers a forged cursor whose key carries a NUL character 422, never 500', async () => {
    const forged = Buffer.from(JSON.stringify(['\u0000', 'x'])).toString('base64url');
    for (const path of ['/api/conversations', '/api/projects']) {
      const reply = await api.get(`${path}?cursor=${forged}`);
      expectProblem(reply, 422);
      expect(reply.body.errors).toContainEqual(expect.objectContaining({ path: 'query/cursor' }));
    }
  });

  it('answers an event log position beyond the integer range 422, never 500', async () => {
    for (const after of ['1e300', '99999999999999999999']) {
      const reply = await api.get(`/api/events?after=${after}`);
      expectProblem(reply, 422);
      expect(reply.body.errors).toContainEqual(expect.objectContaining({ path: 'query/after' }));
    }
  });
});

describe('X-Instance-Id', () => {
  it('names the process that answered, the same on every response of one server, errors included', async () => {
    const first = await api.get('/health');
    const id = first.headers.get('x-instance-id');
    expect(id).toMatch(UUID);
    expect((await api.get(`/api/projects/${uuidv7()}`)).headers.get('x-instance-id')).toBe(id);
    expect((await api.post('/api/projects', '{', {})).headers.get('x-instance-id')).toBe(id);
  });
});

describe('X-Request-Id', () => {
  it('echoes a well-formed X-Request-Id from the client, also in the problem body', async () => {
    const ok = await api.get('/api/projects', { 'X-Request-Id': 'client-trace.42:abc_DEF' });
    expect(ok.headers.get('x-request-id')).toBe('client-trace.42:abc_DEF');
    const failed = await api.get(`/api/projects/${uuidv7()}`, { 'X-Request-Id': 'trace-404' });
    expect(failed.headers.get('x-request-id')).toBe('trace-404');
    expect(failed.body.request_id).toBe('trace-404');
  });

  it('accepts an id of exactly 128 characters', async () => {
    const id = 'a'.repeat(128);
    expect((await api.get('/health', { 'X-Request-Id': id })).headers.get('x-request-id')).toBe(id);
  });

  it('replaces an X-Request-Id with spaces, markup or over 128 characters by a generated one', async () => {
    for (const given of ['hello world', '<script>alert(1)</script>', 'a'.repeat(129), '"quoted"', 'a;b=c']) {
      const reply = await api.get('/api/projects', { 'X-Request-Id': given });
      expect(reply.status).toBe(200);
      const id = reply.headers.get('x-request-id');
      expect(id, given).not.toBe(given);
      expect(id, given).toMatch(UUID);
    }
  });

  it('generates a different request id for each request that brings none', async () => {
    const first = (await api.get('/health')).headers.get('x-request-id');
    const second = (await api.get('/health')).headers.get('x-request-id');
    expect(first).toMatch(UUID);
    expect(second).toMatch(UUID);
    expect(first).not.toBe(second);
  });
});

describe('CORS', () => {
  const allowed = 'http://localhost:3000';

  it('lets an allowed origin read responses and the ETag, Location and X-Request-Id headers', async () => {
    const reply = await api.post('/api/projects', { name: 'From the UI' }, { Origin: allowed });
    expect(reply.status).toBe(201);
    expect(reply.headers.get('access-control-allow-origin')).toBe(allowed);
    const exposed = (reply.headers.get('access-control-expose-headers') ?? '')
      .split(/,\s*/)
      .map((h) => h.toLowerCase());
    expect(exposed).toEqual(expect.arrayContaining(['etag', 'location', 'x-request-id', 'x-instance-id']));
    expect(reply.headers.get('vary')).toMatch(/origin/i);
  });

  it('lets an allowed origin read error responses too', async () => {
    const reply = await api.get(`/api/conversations/${uuidv7()}`, { Origin: allowed });
    expectProblem(reply, 404);
    expect(reply.headers.get('access-control-allow-origin')).toBe(allowed);
  });

  it('answers a preflight from an allowed origin with the methods and the requested headers', async () => {
    const reply = await api.request('OPTIONS', '/api/conversations/x', undefined, {
      Origin: allowed,
      'Access-Control-Request-Method': 'PATCH',
      'Access-Control-Request-Headers': 'content-type,if-match',
    });
    expect(reply.status).toBe(204);
    expect(reply.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(reply.headers.get('access-control-allow-methods')).toContain('PATCH');
    expect(reply.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('if-match');
  });

  it('gives any other origin no CORS headers, on requests and preflights', async () => {
    for (const origin of ['http://evil.example', 'http://localhost:3001', 'https://localhost:3000']) {
      const reply = await api.get('/api/projects', { Origin: origin });
      expect(reply.status).toBe(200);
      expect(reply.headers.get('access-control-allow-origin'), origin).toBeNull();
      expect(reply.headers.get('access-control-expose-headers'), origin).toBeNull();
      const preflight = await api.request('OPTIONS', '/api/projects', undefined, {
        Origin: origin,
        'Access-Control-Request-Method': 'POST',
      });
      expect(preflight.headers.get('access-control-allow-origin'), origin).toBeNull();
    }
  });

  it('gives a request without Origin no CORS headers', async () => {
    const reply = await api.get('/api/projects');
    expect(reply.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('requests the HTTP parser refuses', () => {
  const expectRawProblem = (reply: RawReply, status: number, type: string) => {
    expect(reply.status).toBe(status);
    expect(reply.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = JSON.parse(reply.text);
    expect(body).toMatchObject({ type, title: expect.any(String), status, detail: expect.any(String) });
    expect(body.request_id).toBe(reply.headers['x-request-id']);
    expect(reply.headers['x-instance-id']).toMatch(UUID);
    expect(reply.headers['x-content-type-options']).toBe('nosniff');
    expect(reply.headers['content-security-policy']).toMatch(/^default-src 'none'/);
  };

  it('answers headers over 16 KB with 431 problem+json and creates nothing', async () => {
    const before = await counts();
    const reply = await rawRequest(server.url, {
      method: 'POST',
      path: '/api/projects',
      headers: { 'content-type': 'application/json', 'X-Padding': 'a'.repeat(20_000) },
      body: '{"name":"Never"}',
    });
    expectRawProblem(reply, 431, '/problems/headers-too-large');
    expect(await counts()).toEqual(before);
  });

  it('answers two different Content-Length headers with 400 problem+json and creates nothing', async () => {
    const before = await counts();
    const reply = await rawRequest(server.url, {
      method: 'POST',
      path: '/api/projects',
      headers: { 'content-type': 'application/json', 'content-length': ['16', '17'] },
      body: '{"name":"Never"}',
    });
    expectRawProblem(reply, 400, '/problems/malformed-request');
    expect(await counts()).toEqual(before);
  });
});

describe('If-Match', () => {
  it('is ignored by the operations that do not document it, so they never answer an undocumented 412', async () => {
    const project = await api.post('/api/projects', { name: 'Unconditional' }, { 'If-Match': 'W/"7"' });
    expect(project.status).toBe(201);
    const conversation = await api.post('/api/conversations', { title: 'x' }, { 'If-Match': 'not an etag' });
    expect(conversation.status).toBe(201);
    expect((await api.get('/api/projects', { 'If-Match': 'garbage' })).status).toBe(200);
  });

  it('is still honoured where documented: a malformed one is 412', async () => {
    const project = (await api.post('/api/projects', { name: 'Conditional' })).body;
    expectProblem(await api.patch(`/api/projects/${project.id}`, { name: 'y' }, { 'If-Match': 'garbage' }), 412);
    expect((await api.get(`/api/projects/${project.id}`)).body.name).toBe('Conditional');
  });
});

describe('500 Internal Server Error', () => {
  // Servers of their own whose database is closed under them: a real failure, not a mock.
  let quiet: TestServer;
  let debugging: TestServer;

  beforeAll(async () => {
    quiet = await startTestServer();
    debugging = await startTestServer({ debug: true });
  });

  it('answers a failure of the database with a 500 problem that shows no internals', async () => {
    const client = httpClient(quiet.url);
    expect((await client.post('/api/projects', { name: 'Before' })).status).toBe(201);
    await quiet.services.db.close();
    const reply = await client.get('/api/projects', { 'X-Request-Id': 'trace-500' });
    expectProblem(reply, 500);
    expect(JSON.parse(reply.text)).toEqual({
      type: '/problems/internal',
      title: 'Internal Server Error',
      status: 500,
      detail: 'An unexpected error occurred',
      request_id: 'trace-500',
    });
    expect(reply.text).not.toMatch(/select|sqlite|postgres|knex|mikro|node_modules|\.ts:/i);
  });

  it('adds the stack to a 500 only when DEBUG is on', async () => {
    const client = httpClient(debugging.url);
    await debugging.services.db.close();
    const reply = await client.get('/api/conversations');
    expect(reply.status).toBe(500);
    expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(reply.body.detail).toBe('An unexpected error occurred');
    expect(reply.body.stack).toEqual(expect.any(String));
    expect(reply.body.stack.length).toBeGreaterThan(0);
  });
});
