import { describe, expect, it } from 'vitest';
import { exposureWarning, isLoopback } from '../../src/config/exposure.js';
import { httpClient } from '../support/http-client.js';
import { startTestServer } from '../support/test-server.js';

const TOKEN = 'a-long-enough-test-token-0123456789';
const bearer = { Authorization: `Bearer ${TOKEN}` };
const SOME_ID = '0190a7f8-0000-7000-8000-000000000000';

type Operation = { path: string; method: string };

/** Every operation of the app's own OpenAPI document, with its path parameters filled in. */
async function operations(url: string): Promise<(Operation & { security?: unknown; responses: object })[]> {
  const document = (await httpClient(url).get('/openapi.json')).body as {
    paths: Record<string, Record<string, { security?: unknown; responses: object }>>;
  };
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      path: path.replace(/\{\w+\}/g, SOME_ID),
      method: method.toUpperCase(),
      ...operation,
    })),
  );
}

describe('API_TOKEN', () => {
  it('refuses every /api operation of the OpenAPI document without the token, with a 401 problem and WWW-Authenticate', async () => {
    const server = await startTestServer({ apiToken: TOKEN });
    const api = httpClient(server.url);
    const guarded = (await operations(server.url)).filter((op) => op.path.startsWith('/api'));
    expect(guarded.length).toBeGreaterThan(15);
    for (const op of guarded) {
      const reply = await api.request(op.method, op.path, op.method === 'GET' ? undefined : {});
      expect(reply.status, `${op.method} ${op.path}`).toBe(401);
      expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(reply.headers.get('www-authenticate')).toBe('Bearer realm="gpt-oss"');
      expect(reply.body).toMatchObject({ status: 401, type: '/problems/unauthorized' });
      expect(reply.body.request_id).toEqual(expect.any(String));
    }
  });

  it('refuses a wrong token, or one sent with another scheme, and the refused write changes nothing', async () => {
    const server = await startTestServer({ apiToken: TOKEN });
    const api = httpClient(server.url);
    const wrong = await api.post('/api/projects', { name: 'Not mine' }, { Authorization: `Bearer ${TOKEN}x` });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer realm="gpt-oss", error="invalid_token"');
    const basic = await api.post('/api/projects', { name: 'Not mine' }, { Authorization: `Basic ${TOKEN}` });
    expect(basic.status).toBe(401);
    const prefix = await api.post('/api/projects', { name: 'Not mine' }, { Authorization: 'Bearer a-long-enough' });
    expect(prefix.status).toBe(401);

    const projects = await api.get('/api/projects', bearer);
    expect(projects.status).toBe(200);
    expect(projects.body.items).toEqual([]);
    const events = await api.get('/api/events', bearer);
    expect(events.body.items).toEqual([]);
  });

  it('lets the right token through, whatever the case of the scheme', async () => {
    const server = await startTestServer({ apiToken: TOKEN });
    const api = httpClient(server.url);
    const created = await api.post('/api/projects', { name: 'Mine' }, bearer);
    expect(created.status).toBe(201);
    const listed = await api.get('/api/projects', { Authorization: `bearer ${TOKEN}` });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((p: { name: string }) => p.name)).toEqual(['Mine']);
  });

  it('keeps /health, the OpenAPI document and the docs pages open, and /health says only its four fields', async () => {
    const server = await startTestServer({ apiToken: TOKEN });
    const api = httpClient(server.url);
    const health = await api.get('/health');
    expect(health.status).toBe(200);
    expect(Object.keys(health.body).sort()).toEqual(['database', 'embedding_service', 'llm_service', 'status']);
    expect((await api.get('/openapi.json')).status).toBe(200);
    expect((await api.get('/docs')).status).toBe(200);
    expect((await api.get('/redoc')).status).toBe(200);
  });

  it('is declared in the OpenAPI document: a bearer scheme, required on /api operations, which document 401', async () => {
    const server = await startTestServer({ apiToken: TOKEN });
    const document = (await httpClient(server.url).get('/openapi.json')).body;
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const op of await operations(server.url)) {
      if (op.path.startsWith('/api')) {
        expect(op.security, `${op.method} ${op.path}`).toEqual([{ bearerAuth: [] }]);
        expect(op.responses).toHaveProperty('401');
      } else {
        expect(op.security, `${op.method} ${op.path}`).toBeUndefined();
      }
    }
  });

  it('is not asked for when unset: /api answers without a header and the document requires no scheme', async () => {
    const server = await startTestServer();
    const api = httpClient(server.url);
    expect((await api.get('/api/projects')).status).toBe(200);
    const document = (await api.get('/openapi.json')).body;
    expect(document.components.securitySchemes.bearerAuth).toBeDefined();
    expect((await operations(server.url)).every((op) => op.security === undefined)).toBe(true);
  });
});

describe('security headers', () => {
  it('are on every answer: a JSON answer, a problem, and a refused request', async () => {
    const server = await startTestServer({ apiToken: TOKEN });
    const api = httpClient(server.url);
    const replies = [
      await api.get('/api/projects', bearer),
      await api.get(`/api/projects/${SOME_ID}`, bearer),
      await api.get('/api/projects'),
      await api.get('/health'),
      await api.get('/openapi.json'),
    ];
    for (const reply of replies) {
      expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
      expect(reply.headers.get('referrer-policy')).toBe('no-referrer');
      expect(reply.headers.get('content-security-policy')).toBe(
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
      );
    }
  });

  it('give the docs pages a policy that loads only their own assets', async () => {
    const server = await startTestServer();
    const api = httpClient(server.url);
    for (const path of ['/docs', '/redoc']) {
      const page = await api.get(path);
      const policy = page.headers.get('content-security-policy') ?? '';
      expect(policy).toContain("default-src 'self'");
      expect(policy).toContain("connect-src 'self'");
      expect(policy).not.toMatch(/https?:|\*/);
      expect(page.headers.get('x-content-type-options')).toBe('nosniff');
      // Every script and stylesheet the page loads comes from this origin, as the policy allows.
      const loads = [...page.text.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
      expect(loads.length).toBeGreaterThan(0);
      for (const load of loads) expect(load, path).toMatch(/^\/(?!\/)/);
    }
  });
});

describe('CORS', () => {
  const origin = 'http://localhost:3000';

  it('allows the origins of CORS_ORIGINS, and no other', async () => {
    const server = await startTestServer({ corsOrigins: [origin] });
    const api = httpClient(server.url);
    const allowed = await api.get('/api/projects', { Origin: origin });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(origin);
    expect(allowed.headers.get('access-control-allow-credentials')).toBeNull();
    expect(allowed.headers.get('vary')).toMatch(/origin/i);
    const other = await api.get('/api/projects', { Origin: 'http://evil.example' });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers a preflight from an allowed origin before any token is asked for', async () => {
    const server = await startTestServer({ corsOrigins: [origin], apiToken: TOKEN });
    const preflight = await fetch(`${server.url}/api/projects`, {
      method: 'OPTIONS',
      headers: {
        Origin: origin,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization, content-type, if-match',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
    expect(preflight.headers.get('access-control-allow-methods')).toMatch(/POST/);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
  });

  it('answers `*` with `*` and never allows credentials', async () => {
    const server = await startTestServer({ corsOrigins: ['*'] });
    const reply = await httpClient(server.url).get('/api/projects', { Origin: 'http://anywhere.example' });
    expect(reply.headers.get('access-control-allow-origin')).toBe('*');
    expect(reply.headers.get('access-control-allow-credentials')).toBeNull();
  });
});

describe('binding beyond this machine', () => {
  it('is loopback only for 127.x.x.x, ::1 and localhost', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) expect(isLoopback(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.10', '127.example.com', 'example.com']) {
      expect(isLoopback(host), host).toBe(false);
    }
  });

  it('warns when the API is reachable from other machines without API_TOKEN, and only then', () => {
    expect(exposureWarning({ host: '0.0.0.0', apiToken: null })).toMatch(/API_TOKEN is not set/);
    expect(exposureWarning({ host: '0.0.0.0', apiToken: TOKEN })).toBeNull();
    expect(exposureWarning({ host: '127.0.0.1', apiToken: null })).toBeNull();
  });
});
