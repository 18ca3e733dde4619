import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/server.js';
import { allChunks, newProject, settledDocument, uploadFiles } from '../support/documents.js';
import { httpClient, type HttpClient } from '../support/http-client.js';
import { startLlamaDouble, type LlamaDouble } from '../support/llama-double.js';
import { runCli } from '../support/run-cli.js';
import { freshDatabase, type TestDatabase } from '../support/test-database.js';
import { testConfig } from '../support/test-server.js';

const TEST_TIMEOUT = 90_000;
const copyDatabase = (...args: string[]) => runCli('copy-database', args, { timeoutMs: TEST_TIMEOUT - 10_000 });

const GUIDE = '# Setup\n\nPlug the device in and hold the reset button for ten seconds.\n\n# Care\n\nWipe it dry.';

/** A two-page PDF with a text layer: bytes that are not text, to come back byte for byte. */
async function manual(): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (const line of ['Hold the reset button for ten seconds.', 'The light turns green when it is done.']) {
    pdf.addPage([300, 200]).drawText(line, { x: 20, y: 150, size: 10, font });
  }
  return pdf.save();
}
const QUESTION = 'How long do I hold the reset button?';

let embedder: LlamaDouble;
const dir = mkdtempSync(join(tmpdir(), 'gpt-oss-copy-knowledge-'));
const sourceUrl = `sqlite:${join(dir, 'source.db')}`;
let target: TestDatabase;

type Seen = { documents: unknown; chunks: unknown[]; files: string[]; query: unknown; stats: unknown };

/** Runs `use` against a server on the database that embeds with the double. */
async function withKnowledgeServer<T>(url: string, use: (api: HttpClient, base: string) => Promise<T>): Promise<T> {
  const server = await startServer(testConfig(url, { embeddingApiUrl: embedder.url }));
  try {
    return await use(httpClient(server.url), server.url);
  } finally {
    await server.close();
  }
}

/** What the API shows of the project's documents, their chunks and files, and a query's ranking with its scores. */
async function seen(url: string, projectId: string): Promise<Seen> {
  return withKnowledgeServer(url, async (api, base) => {
    const documents = (await api.get(`/api/projects/${projectId}/documents?include_deleted=true`)).body;
    const ids = (documents.items as { id: string }[]).map((d) => d.id);
    for (const id of ids) await settledDocument(api, id);
    const chunks = await Promise.all(ids.map((id) => allChunks(api, id)));
    const files = await Promise.all(
      ids.map(async (id) => {
        const response = await fetch(`${base}/api/documents/${id}/content`);
        return `${response.status} ${response.headers.get('content-type')} ${Buffer.from(await response.arrayBuffer()).toString('base64')}`;
      }),
    );
    const found = (await api.post(`/api/projects/${projectId}/knowledge/query`, { q: QUESTION })).body;
    // FTS5 and tsvector rank full text each their own way (and so the fused order): the vector side is what the
    // copy carries, the same on either database.
    const query = {
      mode: found.mode,
      vectors: (found.chunks as { chunk_id: string; scores: { vector: number; vector_rank: number } }[])
        .map(({ chunk_id, scores }) => ({ chunk_id, vector: scores.vector, vector_rank: scores.vector_rank }))
        .sort((x, y) => x.vector_rank - y.vector_rank),
    };
    const stats = (await api.get(`/api/projects/${projectId}/stats`)).body;
    return { documents, chunks, files, query, stats };
  });
}

/** The texts the double embedded after request number `mark`. */
const embeddedSince = (mark: number) =>
  embedder.requests
    .slice(mark)
    .filter((request) => request.path === '/v1/embeddings')
    .flatMap((request) => (request.json as { input: string[] }).input);

let projectId: string;
let original: Seen;

beforeAll(async () => {
  embedder = await startLlamaDouble({ serves: 'embeddings' });
  target = await freshDatabase();
  projectId = await withKnowledgeServer(sourceUrl, async (api, base) => {
    const project = await newProject(api);
    const added = await uploadFiles(base, project, [
      { name: 'guide.md', type: 'text/markdown', bytes: GUIDE },
      { name: 'manual.pdf', type: 'application/pdf', bytes: await manual() },
    ]);
    expect(added.status, added.text).toBe(201);
    const text = await api.post(`/api/projects/${project}/documents`, { name: 'care.txt', content: 'Wipe it dry.' });
    expect(text.status).toBe(201);
    for (const { id } of [...added.body.documents, ...text.body.documents] as { id: string }[]) {
      expect(await settledDocument(api, id)).toMatchObject({ status: 'ready' });
    }
    return project;
  });
  original = await seen(sourceUrl, projectId);
  expect(original.query).toMatchObject({ mode: 'hybrid' });
  expect((original.query as { vectors: unknown[] }).vectors.length).toBeGreaterThan(1);
  expect(original.chunks.flat().length).toBeGreaterThanOrEqual(4);
});

afterAll(async () => {
  await embedder?.close();
  await target?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('npm run db:copy with documents', () => {
  it(
    "carries the uploaded files and the chunks' vectors: the copy shows the same documents, files and rankings, and embeds nothing again",
    async () => {
      const run = await copyDatabase('--from', sourceUrl, '--to', target.url);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^Copied \d+ document files and [1-9]\d* chunk vectors$/m);
      const mark = embedder.requests.length;
      const copy = await seen(target.url, projectId);
      expect(copy).toEqual(original);
      // Only the query was embedded: every chunk had its vector already.
      expect(embeddedSince(mark)).toEqual([QUESTION]);
    },
    TEST_TIMEOUT,
  );

  it(
    'carries them back from the target into a fresh SQLite database, whichever database the target is',
    async () => {
      const backUrl = `sqlite:${join(dir, 'back.db')}`;
      const run = await copyDatabase('--from', target.url, '--to', backUrl);
      expect(run.code).toBe(0);
      const mark = embedder.requests.length;
      expect(await seen(backUrl, projectId)).toEqual(original);
      expect(embeddedSince(mark)).toEqual([QUESTION]);
    },
    TEST_TIMEOUT,
  );
});
