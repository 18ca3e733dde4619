import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import type { Server } from 'node:http';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { docsRouter } from '../../src/http/docs/docs.routes.js';

const OPENAPI_URL = '/openapi.json';
const TITLE = 'Knowledge API <docs> & "more"';
const PAGES = ['/docs', '/redoc'];

const EXPECTED_TYPE_BY_EXTENSION: Record<string, RegExp> = {
  js: /javascript/,
  css: /^text\/css/,
  png: /^image\/png/,
};

let server: Server;
let origin: string;

beforeAll(async () => {
  const app = new Koa();
  app.use(docsRouter({ openapiUrl: OPENAPI_URL, title: TITLE }).routes());
  server = app.listen(0);
  await new Promise<void>((resolve) => server.once('listening', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
});

async function fetchPage(path: string): Promise<{ response: Response; html: string }> {
  const response = await fetch(`${origin}${path}`);
  return { response, html: await response.text() };
}

const resourceRefs = (html: string): string[] =>
  [...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g), ...html.matchAll(/<link\b[^>]*\bhref="([^"]+)"/g)].map(
    (match) => match[1] ?? '',
  );

const swaggerAssetBase = async (): Promise<string> => {
  const bundle = resourceRefs((await fetchPage('/docs')).html).find((ref) => ref.endsWith('/swagger-ui-bundle.js'));
  if (bundle === undefined) throw new Error('/docs does not load swagger-ui-bundle.js');
  return bundle.slice(0, bundle.lastIndexOf('/'));
};

describe.each(PAGES)('%s', (path) => {
  test('responds 200 with an HTML page', async () => {
    const { response } = await fetchPage(path);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  });

  test('contains no http:// or https:// URL, so it renders offline', async () => {
    const { html } = await fetchPage(path);

    expect(html).not.toMatch(/https?:\/\//i);
  });

  test('renders the configured openapiUrl and HTML-escaped title', async () => {
    const { html } = await fetchPage(path);

    expect(html).toContain(OPENAPI_URL);
    expect(html).not.toContain(TITLE);
    expect(html).toMatch(/<title>Knowledge API &(lt|#60);docs&(gt|#62); &(amp|#38); /);
  });

  test('serves every script and stylesheet it references from this server with a matching content type', async () => {
    const refs = resourceRefs((await fetchPage(path)).html);
    expect(refs.some((ref) => ref.endsWith('.js'))).toBe(true);

    for (const ref of refs) {
      const url = new URL(ref, `${origin}${path}`);
      const response = await fetch(url);
      await response.arrayBuffer();
      const extension = url.pathname.split('.').pop() ?? '';

      expect(url.origin, ref).toBe(origin);
      expect(response.status, ref).toBe(200);
      expect(response.headers.get('content-type'), ref).toMatch(EXPECTED_TYPE_BY_EXTENSION[extension] ?? /^$/);
      expect(response.headers.get('cache-control'), ref).toMatch(/max-age=\d+/);
    }
  });
});

describe('asset routes', () => {
  test('answer 404 to path-traversal attempts instead of reading files outside the allow-list', async () => {
    const base = await swaggerAssetBase();
    const attempts = [
      '/docs/assets/..%2f..%2fpackage.json',
      `${base}/..%2f..%2fpackage.json`,
      `${base}/..%2fpackage.json`,
      `${base}/%2e%2e%2f%2e%2e%2f%2e%2e%2fpackage.json`,
      '/redoc/assets/..%2f..%2fpackage.json',
    ];

    for (const attempt of attempts) {
      const response = await fetch(`${origin}${attempt}`);
      await response.arrayBuffer();
      expect(response.status, attempt).toBe(404);
    }
  });

  test('answer 404 to names outside the allow-list, even files that exist in swagger-ui-dist', async () => {
    const base = await swaggerAssetBase();

    for (const name of ['package.json', 'swagger-initializer.js', 'index.html', 'unknown.js']) {
      const response = await fetch(`${origin}${base}/${name}`);
      await response.arrayBuffer();
      expect(response.status, name).toBe(404);
    }
  });
});

describe('ReDoc', () => {
  test('/redoc loads the standalone bundle the build copied into dist/, byte for byte the redoc package version', async () => {
    const manifest = createRequire(import.meta.url).resolve('redoc/package.json');
    const { version } = JSON.parse(await readFile(manifest, 'utf8')) as { version: string };
    const script = resourceRefs((await fetchPage('/redoc')).html).find((ref) => ref.endsWith('.js'));
    expect(script).toBe(`/redoc/assets/${version}/redoc.standalone.js`);

    const served = Buffer.from(await (await fetch(`${origin}${script}`)).arrayBuffer());
    expect(served.equals(await readFile(join(dirname(manifest), 'bundles', 'redoc.standalone.js')))).toBe(true);
  });
});
