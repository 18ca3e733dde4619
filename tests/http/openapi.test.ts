import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from '../../src/http/app.js';
import { uuidv7 } from '../../src/ids.js';
import { exchange } from '../support/commands.js';
import { httpClient, type HttpClient, type Reply } from '../support/http-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

type Json = Record<string, any>;

let server: TestServer;
const routes = () => apiRoutes(server.services.config);
let api: HttpClient;
let doc: Json;

beforeAll(async () => {
  server = await startTestServer();
  api = httpClient(server.url);
  const reply = await api.get('/openapi.json');
  expect(reply.status).toBe(200);
  doc = reply.body;
});

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'];
const template = (path: string) => path.replace(/:(\w+)/g, '{$1}');

function operations(): { path: string; method: string; operation: Json }[] {
  return Object.entries(doc.paths as Record<string, Json>).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, operation]) => ({ path, method, operation: operation as Json })),
  );
}

/** Follows local `#/components/...` references, at any depth. */
function resolve(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(resolve);
  if (typeof schema !== 'object' || schema === null) return schema;
  const ref = (schema as Json).$ref;
  if (typeof ref === 'string') {
    expect(ref).toMatch(/^#\/components\//);
    const target = ref
      .slice(2)
      .split('/')
      .reduce<unknown>((node, key) => (node as Json | undefined)?.[key], doc);
    expect(target, `${ref} resolves`).toBeDefined();
    return resolve(target);
  }
  return Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, resolve(value)]));
}

describe('GET /openapi.json', () => {
  it('answers an OpenAPI 3.1.0 JSON document with info and paths', async () => {
    const reply = await api.get('/openapi.json');
    expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(Object.keys(doc.paths).length).toBeGreaterThan(0);
  });

  it('documents every route of the app with its method and operationId', () => {
    expect(routes().length).toBeGreaterThan(0);
    for (const route of routes()) {
      const operation = doc.paths[template(route.path)]?.[route.method];
      expect(operation, `${route.method.toUpperCase()} ${route.path}`).toBeDefined();
      expect(operation.operationId).toBe(route.operationId);
      expect(operation.summary).toEqual(expect.any(String));
    }
  });

  it('documents no operation the app does not route, and no operationId twice', () => {
    const documented = operations().map(({ method, path }) => `${method} ${path}`);
    expect(documented.sort()).toEqual(
      routes()
        .map((r) => `${r.method} ${template(r.path)}`)
        .sort(),
    );
    const ids = operations().map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('documents the Last-Event-ID request header of the routes that resume an event stream', () => {
    for (const [path, method] of [
      ['/api/events/stream', 'get'],
      ['/api/chat/stream/{session_id}', 'get'],
    ] as const) {
      const header = doc.paths[path][method].parameters.find((p: Json) => p.in === 'header');
      expect(header, path).toMatchObject({ name: 'Last-Event-ID', required: false, schema: { type: 'string' } });
    }
  });

  it('documents each path parameter as a required path parameter with a schema', () => {
    for (const { path, method, operation } of operations()) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const documented = (operation.parameters ?? []).filter((p: Json) => p.in === 'path');
      expect(
        documented.map((p: Json) => p.name),
        `${method} ${path}`,
      ).toEqual(names);
      for (const parameter of documented) {
        expect(parameter.required).toBe(true);
        expect(parameter.schema).toEqual(expect.any(Object));
      }
    }
  });

  it('declares the X-Request-Id and X-Instance-Id headers on every response of every operation', () => {
    expect(Object.keys(doc.components.headers)).toEqual(['RequestId', 'InstanceId']);
    let checked = 0;
    for (const { path, method, operation } of operations()) {
      for (const [status, response] of Object.entries(operation.responses as Record<string, Json>)) {
        expect(response.headers, `${method} ${path} ${status}`).toMatchObject({
          'X-Request-Id': { $ref: '#/components/headers/RequestId' },
          'X-Instance-Id': { $ref: '#/components/headers/InstanceId' },
        });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(routes().length);
  });

  it('documents every error response as application/problem+json with the Problem schema', () => {
    const problem = doc.components.schemas.Problem;
    expect(problem.properties).toEqual(
      expect.objectContaining({ type: expect.any(Object), title: expect.any(Object), status: expect.any(Object) }),
    );
    let checked = 0;
    for (const { path, method, operation } of operations()) {
      for (const [status, response] of Object.entries(operation.responses as Record<string, Json>)) {
        if (Number(status) < 400) continue;
        // The one exception the issue prescribes: /health answers 503 with its own status body.
        if (path === '/health' && status === '503') {
          expect(Object.keys(response.content)).toEqual(['application/json']);
          continue;
        }
        expect(Object.keys(response.content ?? {}), `${method} ${path} ${status}`).toEqual([
          'application/problem+json',
        ]);
        expect(response.content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/Problem' });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(routes().length);
  });

  it('documents the 200 of the chat streams as text/event-stream with the ChatEvent schema of every event type', () => {
    const streams = [
      doc.paths['/api/chat/stream'].post,
      doc.paths['/api/messages/{id}/regenerate'].post,
      doc.paths['/api/chat/stream/{session_id}'].get,
    ];
    for (const operation of streams) {
      const content = operation.responses['200'].content;
      expect(Object.keys(content), operation.operationId).toEqual(['text/event-stream']);
      const schema = resolve(content['text/event-stream'].schema) as Json;
      expect(schema.title).toBe('ChatEvent');
      const variants = schema.anyOf as Json[];
      expect(variants.map((v) => v.properties.type.const)).toEqual([
        'start',
        'queued',
        'sources',
        'token',
        'reasoning',
        'complete',
        'error',
      ]);
      const required = Object.fromEntries(variants.map((v) => [v.properties.type.const, v.required]));
      expect(required.start).toEqual(['type', 'session_id', 'conversation_id', 'user_message_id', 'message_id']);
      expect(required.sources).toEqual(['type', 'message_id', 'sources', 'retrieval']);
      expect(required.token).toEqual(['type', 'token', 'message_id', 'session_id']);
      expect(required.reasoning).toEqual(['type', 'token', 'message_id', 'session_id']);
      expect(required.complete).toEqual([
        'type',
        'message_id',
        'token_count',
        'completion_time_ms',
        'finish_reason',
        'cut_while_reasoning',
      ]);
      expect(required.error).toEqual(['type', 'error', 'error_type']);
    }
  });

  it('documents 422 for every operation that validates input, and 400, 413 and 415 for every one with a body', () => {
    for (const route of routes()) {
      const responses = doc.paths[template(route.path)][route.method].responses;
      const where = `${route.method} ${route.path}`;
      if (route.params || route.query || route.body) expect(responses, where).toHaveProperty('422');
      if (route.body) {
        for (const status of ['400', '413', '415']) expect(responses, where).toHaveProperty(status);
        expect(doc.paths[template(route.path)][route.method].requestBody.content['application/json'].schema).toEqual(
          expect.any(Object),
        );
      }
      if (route.params) expect(responses, where).toHaveProperty('404');
    }
  });
});

/** One real exchange, checked against what /openapi.json documents for its path, method and status. */
type Case = { name: string; method: string; path: string; reply: () => Promise<Reply> };

/** For the cases that must produce one particular status (the stream routes answer problems only then). */
async function expectStatus(status: number, sent: Promise<Reply>): Promise<Reply> {
  const reply = await sent;
  expect(reply.status, reply.text).toBe(status);
  return reply;
}

describe('real responses conform to the schemas /openapi.json documents for them', () => {
  const ids = {
    project: '',
    deletable: '',
    conversation: '',
    doomedConversation: '',
    user: '',
    assistant: '',
    document: '',
  };
  const covered = new Set<string>();

  beforeAll(async () => {
    const project = await api.post('/api/projects', { name: 'Documented', metadata: { nested: { a: [1, 'b'] } } });
    ids.project = project.body.id;
    ids.deletable = (await api.post('/api/projects', { name: 'Doomed' })).body.id;
    const conversation = await api.post('/api/conversations', { project_id: ids.project, title: 'Talk' });
    ids.conversation = conversation.body.id;
    ids.doomedConversation = (await api.post('/api/conversations', { title: 'Gone' })).body.id;
    const { userId, assistantId } = await exchange(server.services, ids.conversation, 'Hi?', 'Hello.', { tokens: 9 });
    ids.user = userId;
    ids.assistant = assistantId;
  });

  const cases: Case[] = [
    {
      name: 'created project',
      method: 'post',
      path: '/api/projects',
      reply: () => api.post('/api/projects', { name: 'New' }),
    },
    {
      name: 'project retried with the same id and body',
      method: 'post',
      path: '/api/projects',
      reply: async () => {
        const body = { id: uuidv7(), name: 'Twice' };
        await api.post('/api/projects', body);
        return api.post('/api/projects', body);
      },
    },
    {
      name: 'project created at the legacy path',
      method: 'post',
      path: '/api/projects/create',
      reply: () => api.post('/api/projects/create', { name: 'Legacy' }),
    },
    { name: 'project page', method: 'get', path: '/api/projects', reply: () => api.get('/api/projects?limit=2') },
    {
      name: 'project',
      method: 'get',
      path: '/api/projects/{id}',
      reply: () => api.get(`/api/projects/${ids.project}`),
    },
    {
      name: 'updated project',
      method: 'patch',
      path: '/api/projects/{id}',
      reply: () => api.patch(`/api/projects/${ids.project}`, { description: 'now described' }),
    },
    {
      name: 'project stats',
      method: 'get',
      path: '/api/projects/{id}/stats',
      reply: () => api.get(`/api/projects/${ids.project}/stats`),
    },
    {
      name: 'deleted project (no body)',
      method: 'delete',
      path: '/api/projects/{id}',
      reply: () => api.delete(`/api/projects/${ids.deletable}`),
    },
    {
      name: 'restored project',
      method: 'post',
      path: '/api/projects/{id}/restore',
      reply: async () => {
        await api.delete(`/api/projects/${ids.deletable}`);
        return api.post(`/api/projects/${ids.deletable}/restore`);
      },
    },
    {
      name: 'created conversation',
      method: 'post',
      path: '/api/conversations',
      reply: () => api.post('/api/conversations', { project_id: ids.project, title: null, metadata: { pinned: true } }),
    },
    {
      name: 'conversation created at the legacy path',
      method: 'post',
      path: '/api/conversations/create',
      reply: () => api.post('/api/conversations/create', {}),
    },
    {
      name: 'conversation page',
      method: 'get',
      path: '/api/conversations',
      reply: () => api.get('/api/conversations?limit=1'),
    },
    {
      name: 'conversation with messages',
      method: 'get',
      path: '/api/conversations/{id}',
      reply: () => api.get(`/api/conversations/${ids.conversation}`),
    },
    {
      name: 'updated conversation',
      method: 'patch',
      path: '/api/conversations/{id}',
      reply: () => api.patch(`/api/conversations/${ids.conversation}`, { title: 'Renamed' }),
    },
    {
      name: 'deleted conversation (no body)',
      method: 'delete',
      path: '/api/conversations/{id}',
      reply: () => api.delete(`/api/conversations/${ids.doomedConversation}`),
    },
    {
      name: 'restored conversation',
      method: 'post',
      path: '/api/conversations/{id}/restore',
      reply: async () => {
        await api.delete(`/api/conversations/${ids.doomedConversation}`);
        return api.post(`/api/conversations/${ids.doomedConversation}/restore`);
      },
    },
    {
      name: 'message page',
      method: 'get',
      path: '/api/conversations/{id}/messages',
      reply: () => api.get(`/api/conversations/${ids.conversation}/messages`),
    },
    {
      name: 'completed assistant message',
      method: 'get',
      path: '/api/messages/{id}',
      reply: () => api.get(`/api/messages/${ids.assistant}`),
    },
    {
      name: 'message with a reaction',
      method: 'patch',
      path: '/api/messages/{id}/reaction',
      reply: () => api.patch(`/api/messages/${ids.user}/reaction`, { reaction: 'thumbs_down' }),
    },
    { name: 'event page', method: 'get', path: '/api/events', reply: () => api.get('/api/events?limit=50') },
    {
      name: 'title generation refused with 503 when llama.cpp is unreachable',
      method: 'post',
      path: '/api/conversations/{id}/generate-title',
      reply: () => expectStatus(503, api.post(`/api/conversations/${ids.conversation}/generate-title`)),
    },
    {
      name: 'title generation refused with 409 for a conversation without a question',
      method: 'post',
      path: '/api/conversations/{id}/generate-title',
      reply: async () => {
        const empty = await api.post('/api/conversations', {});
        return expectStatus(409, api.post(`/api/conversations/${empty.body.id}/generate-title`));
      },
    },
    {
      name: 'event stream refused for an unknown event type (a problem, not a stream)',
      method: 'get',
      path: '/api/events/stream',
      reply: () => expectStatus(422, api.get('/api/events/stream?types=NoSuchEvent')),
    },
    {
      name: 'conversation history page',
      method: 'get',
      path: '/api/conversations/{id}/history',
      reply: () => api.get(`/api/conversations/${ids.conversation}/history?limit=3`),
    },
    {
      name: 'conversation as of a log position',
      method: 'get',
      path: '/api/conversations/{id}',
      reply: () => expectStatus(200, api.get(`/api/conversations/${ids.conversation}?as_of=999999999`)),
    },
    {
      name: 'message page as of a time',
      method: 'get',
      path: '/api/conversations/{id}/messages',
      reply: () =>
        expectStatus(200, api.get(`/api/conversations/${ids.conversation}/messages?as_of=2999-01-01T00:00:00Z`)),
    },
    {
      name: 'search hits, a message and a title',
      method: 'get',
      path: '/api/search',
      reply: () => api.get('/api/search?q=hello%20OR%20talk&limit=1'),
    },
    {
      name: 'usage per day',
      method: 'get',
      path: '/api/stats/usage',
      reply: () => api.get('/api/stats/usage?from=2020-01-01'),
    },
    {
      name: 'usage per model',
      method: 'get',
      path: '/api/stats/usage',
      reply: () => api.get('/api/stats/usage?group_by=model'),
    },
    {
      name: 'chat stream refused for an unknown conversation (a problem, not a stream)',
      method: 'post',
      path: '/api/chat/stream',
      reply: () => expectStatus(404, api.post('/api/chat/stream', { conversation_id: uuidv7(), message: 'Anyone?' })),
    },
    {
      name: 'chat stream refused with 503 when llama.cpp is unreachable',
      method: 'post',
      path: '/api/chat/stream',
      reply: async () => {
        const conversation = await api.post('/api/conversations', { title: 'No model' });
        return expectStatus(
          503,
          api.post('/api/chat/stream', { conversation_id: conversation.body.id, message: 'Hi' }),
        );
      },
    },
    {
      name: 'regenerate refused for a user message',
      method: 'post',
      path: '/api/messages/{id}/regenerate',
      reply: () => expectStatus(422, api.post(`/api/messages/${ids.user}/regenerate`, {})),
    },
    {
      name: 'regenerate of an unknown message',
      method: 'post',
      path: '/api/messages/{id}/regenerate',
      reply: () => expectStatus(404, api.post(`/api/messages/${uuidv7()}/regenerate`, {})),
    },
    {
      name: 'stop with nothing running',
      method: 'post',
      path: '/api/chat/stop',
      reply: () => expectStatus(200, api.post('/api/chat/stop', { session_id: uuidv7() })),
    },
    {
      name: 'resume of an unknown chat session',
      method: 'get',
      path: '/api/chat/stream/{session_id}',
      reply: () => expectStatus(404, api.get(`/api/chat/stream/${uuidv7()}`)),
    },
    {
      name: 'conversation export (JSON)',
      method: 'get',
      path: '/api/conversations/{id}/export',
      reply: () => api.get(`/api/conversations/${ids.conversation}/export`),
    },
    {
      name: 'project export (JSON)',
      method: 'get',
      path: '/api/projects/{id}/export',
      reply: () => api.get(`/api/projects/${ids.project}/export?format=json`),
    },
    {
      name: 'imported export',
      method: 'post',
      path: '/api/conversations/import',
      reply: async () =>
        expectStatus(
          201,
          api.post('/api/conversations/import', (await api.get(`/api/conversations/${ids.conversation}/export`)).body),
        ),
    },
    {
      name: 'forked conversation',
      method: 'post',
      path: '/api/conversations/{id}/fork',
      reply: () => api.post(`/api/conversations/${ids.conversation}/fork`, { message_id: ids.assistant }),
    },
    { name: 'health', method: 'get', path: '/health', reply: () => api.get('/health') },
    { name: 'liveness', method: 'get', path: '/health/live', reply: () => api.get('/health/live') },
    { name: 'readiness', method: 'get', path: '/health/ready', reply: () => api.get('/health/ready') },
    { name: 'models', method: 'get', path: '/api/models', reply: () => api.get('/api/models') },
    {
      name: '404 problem',
      method: 'get',
      path: '/api/projects/{id}',
      reply: () => api.get(`/api/projects/${uuidv7()}`),
    },
    {
      name: '422 problem with errors',
      method: 'post',
      path: '/api/projects',
      reply: () => api.post('/api/projects', { name: '', extra: 1 }),
    },
    {
      name: '409 problem',
      method: 'post',
      path: '/api/projects',
      reply: () => api.post('/api/projects', { id: ids.project, name: 'Another body' }),
    },
    {
      name: '412 problem',
      method: 'patch',
      path: '/api/projects/{id}',
      reply: () => api.patch(`/api/projects/${ids.project}`, { name: 'Stale' }, { 'If-Match': 'W/"999"' }),
    },
    {
      name: 'documents added',
      method: 'post',
      path: '/api/projects/{id}/documents',
      reply: async () => {
        const reply = await api.post(`/api/projects/${ids.project}/documents`, {
          name: 'a.md',
          content: '# A\n\nText.',
          mime_type: 'text/markdown',
        });
        ids.document = reply.body.documents[0].id;
        return reply;
      },
    },
    {
      name: 'document page',
      method: 'get',
      path: '/api/projects/{id}/documents',
      reply: () => api.get(`/api/projects/${ids.project}/documents`),
    },
    {
      name: 'document',
      method: 'get',
      path: '/api/documents/{id}',
      reply: () => api.get(`/api/documents/${ids.document}`),
    },
    {
      name: 'document downloaded',
      method: 'get',
      path: '/api/documents/{id}/content',
      reply: async () => {
        const reply = await api.get(`/api/documents/${ids.document}/content`);
        return { ...reply, body: reply.text };
      },
    },
    {
      name: 'chunk page',
      method: 'get',
      path: '/api/documents/{id}/chunks',
      reply: () => api.get(`/api/documents/${ids.document}/chunks`),
    },
    {
      name: 'knowledge query',
      method: 'post',
      path: '/api/projects/{id}/knowledge/query',
      reply: () => api.post(`/api/projects/${ids.project}/knowledge/query`, { q: 'text' }),
    },
    {
      name: 'reindexed document',
      method: 'post',
      path: '/api/documents/{id}/reindex',
      reply: () => api.post(`/api/documents/${ids.document}/reindex`),
    },
    {
      name: 'deleted document (no body)',
      method: 'delete',
      path: '/api/documents/{id}',
      reply: () => api.delete(`/api/documents/${ids.document}`),
    },
    {
      name: 'restored document',
      method: 'post',
      path: '/api/documents/{id}/restore',
      reply: () => api.post(`/api/documents/${ids.document}/restore`),
    },
    { name: '400 problem', method: 'post', path: '/api/projects', reply: () => api.post('/api/projects', '{"name": ') },
    {
      name: '415 problem',
      method: 'post',
      path: '/api/projects',
      reply: () => api.post('/api/projects', 'name=x', { 'content-type': 'application/x-www-form-urlencoded' }),
    },
    {
      name: '413 problem',
      method: 'post',
      path: '/api/projects',
      reply: () => api.post('/api/projects', { name: 'big', description: 'x'.repeat(2 * 1024 * 1024) }),
    },
  ];

  it.each(cases)('$name: $method $path', async ({ method, path, reply: send }) => {
    const reply = await send();
    covered.add(`${method} ${path}`);
    const documented = doc.paths[path]?.[method]?.responses?.[String(reply.status)];
    expect(documented, `${method} ${path} answered an undocumented ${reply.status}: ${reply.text}`).toBeDefined();

    for (const name of Object.keys(documented.headers ?? {})) {
      expect(reply.headers.get(name), `documented header ${name}`).not.toBeNull();
    }
    if (!documented.content) {
      expect(reply.text).toBe('');
      return;
    }
    const media = (reply.headers.get('content-type') ?? '').split(';')[0]!.trim();
    expect(Object.keys(documented.content)).toContain(media);
    const schema = resolve(documented.content[media].schema) as TSchema;
    const validator = Compile(schema);
    const errors = [...validator.Errors(reply.body)].map((e) => `${e.instancePath || '/'} ${e.message}`);
    expect(errors, JSON.stringify(reply.body).slice(0, 500)).toEqual([]);
    expect(validator.Check(reply.body)).toBe(true);
  });

  it('the conformance cases above cover every route of the app', () => {
    const missing = routes()
      .map((r) => `${r.method} ${template(r.path)}`)
      .filter((key) => !covered.has(key));
    expect(missing, 'add a real response of each new route to the cases').toEqual([]);
  });

  it('rejects a body that breaks the documented schema, so the conformance check can fail', async () => {
    const project = (await api.get(`/api/projects/${ids.project}`)).body;
    const schema = resolve(doc.paths['/api/projects/{id}'].get.responses['200'].content['application/json'].schema);
    const validator = Compile(schema as TSchema);
    expect(validator.Check(project)).toBe(true);
    expect(validator.Check({ ...project, surprise: 1 })).toBe(false);
    expect(validator.Check({ ...project, id: 'not-a-uuid' })).toBe(false);
    expect(validator.Check({ ...project, created_at: 'yesterday' })).toBe(false);
    const { name: _name, ...withoutName } = project;
    expect(validator.Check(withoutName)).toBe(false);
  });
});
