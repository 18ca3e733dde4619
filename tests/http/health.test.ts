import { afterAll, describe, expect, it, vi } from 'vitest';
import { httpClient } from '../support/http-client.js';
import { startLlamaDouble, type LlamaDouble, type LlamaMode } from '../support/llama-double.js';
import { startTestServer } from '../support/test-server.js';

const doubles: LlamaDouble[] = [];

afterAll(async () => {
  await Promise.all(doubles.map((d) => d.close()));
});

async function llama(mode: LlamaMode = 'ok'): Promise<LlamaDouble> {
  const double = await startLlamaDouble({ mode });
  doubles.push(double);
  return double;
}

/** A fresh app (so a fresh LLM health cache) talking to the given llama.cpp. */
async function appWith(double?: LlamaDouble) {
  const server = await startTestServer(double ? { llmApiUrl: double.url } : {});
  return { server, api: httpClient(server.url) };
}

describe('the llama.cpp double', () => {
  it('answers GET /health with the recorded bytes of a real llama-server, or the 503 while loading', async () => {
    const double = await llama();
    const ok = await fetch(`${double.url}/health`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('server')).toBe('llama.cpp');
    expect(ok.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await ok.text()).toBe('{"status":"ok"}');

    double.setMode('loading');
    const loading = await fetch(`${double.url}/health`);
    expect(loading.status).toBe(503);
    expect(loading.statusText).toBe('Service Unavailable');
    expect(await loading.json()).toEqual({ error: { code: 503, message: 'Loading model', type: 'unavailable_error' } });
    expect(double.count('GET /health')).toBe(2);
  });
});

describe('GET /health', () => {
  it('is healthy with database and llm_service connected when llama.cpp answers ok', async () => {
    const { api } = await appWith(await llama('ok'));
    const reply = await api.get('/health');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
    expect(reply.body).toEqual({
      status: 'healthy',
      database: 'connected',
      llm_service: 'connected',
      embedding_service: 'disabled',
    });
  });

  it('is degraded with llm_service disconnected when nothing listens at LLM_API_URL', async () => {
    const { api } = await appWith();
    const reply = await api.get('/health');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      status: 'degraded',
      database: 'connected',
      llm_service: 'disconnected',
      embedding_service: 'disabled',
    });
  });

  it('is degraded with llm_service loading when llama.cpp answers 503 Loading model', async () => {
    const { api } = await appWith(await llama('loading'));
    const reply = await api.get('/health');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      status: 'degraded',
      database: 'connected',
      llm_service: 'loading',
      embedding_service: 'disabled',
    });
  });

  it('reports llm_service disconnected within about 2 s when llama.cpp accepts but never answers', async () => {
    const double = await llama('silent');
    const { api } = await appWith(double);
    const started = performance.now();
    const reply = await api.get('/health');
    const elapsed = performance.now() - started;
    expect(reply.body).toEqual({
      status: 'degraded',
      database: 'connected',
      llm_service: 'disconnected',
      embedding_service: 'disabled',
    });
    expect(double.count('GET /health')).toBe(1);
    expect(elapsed).toBeLessThan(2_900);
  });

  it('caches the llama.cpp probe for a few seconds, then probes again', async () => {
    const double = await llama('ok');
    const { api } = await appWith(double);
    expect((await api.get('/health')).body.llm_service).toBe('connected');
    const probedAt = performance.now();
    expect(double.count('GET /health')).toBe(1);

    double.setMode('loading');
    for (let i = 0; i < 3; i++) expect((await api.get('/health')).body.llm_service).toBe('connected');
    expect(double.count('GET /health')).toBe(1);

    await vi.waitFor(async () => expect((await api.get('/health')).body.llm_service).toBe('loading'), {
      timeout: 10_000,
      interval: 200,
    });
    expect(performance.now() - probedAt).toBeGreaterThan(3_000);
    expect(double.count('GET /health')).toBe(2);
  });

  it('shares one llama.cpp probe between concurrent /health requests', async () => {
    const double = await llama('ok');
    const { api } = await appWith(double);
    const replies = await Promise.all(Array.from({ length: 5 }, () => api.get('/health')));
    expect(replies.map((r) => r.body.llm_service)).toEqual(Array(5).fill('connected'));
    expect(double.count('GET /health')).toBe(1);
  });
});

describe('when the database is unreachable', () => {
  /** A fresh app whose ORM connection is closed under it. */
  async function appWithoutDatabase(overrides: { debug?: boolean } = {}) {
    const double = await llama('ok');
    const server = await startTestServer({ llmApiUrl: double.url, ...overrides });
    const api = httpClient(server.url);
    expect((await api.get('/health')).status).toBe(200);
    await server.services.db.orm.close(true);
    return api;
  }

  it('GET /health answers 503 unhealthy with database disconnected', async () => {
    const api = await appWithoutDatabase();
    const reply = await api.get('/health');
    expect(reply.status).toBe(503);
    expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
    expect(reply.body).toEqual({
      status: 'unhealthy',
      database: 'disconnected',
      llm_service: 'connected',
      embedding_service: 'disabled',
    });
  });

  it('other routes answer a 500 problem that shows no internals', async () => {
    const api = await appWithoutDatabase();
    const reply = await api.get('/api/projects');
    expect(reply.status).toBe(500);
    expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(reply.body).toEqual({
      type: '/problems/internal',
      title: 'Internal Server Error',
      status: 500,
      detail: 'An unexpected error occurred',
      request_id: reply.headers.get('x-request-id'),
    });
  });

  it('with DEBUG=true the 500 problem carries the stack', async () => {
    const api = await appWithoutDatabase({ debug: true });
    const reply = await api.get('/api/projects');
    expect(reply.status).toBe(500);
    expect(reply.body.stack).toEqual(expect.stringContaining('\n    at '));
  });
});
