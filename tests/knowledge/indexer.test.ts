import { describe, expect, it } from 'vitest';
import { dialectOf } from '../../src/db/dialect.js';
import { runSql } from '../../src/db/run-sql.js';
import { allChunks, newProject, settledDocument } from '../support/documents.js';
import { httpClient } from '../support/http-client.js';
import { startLlamaDouble } from '../support/llama-double.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe('the background indexer', () => {
  it('waits while the embedding server is down and resumes by itself once it is up', async () => {
    const probe = await startLlamaDouble({ serves: 'embeddings' });
    const port = Number(new URL(probe.url).port);
    await probe.close();
    const server = await startTestServer({ embeddingApiUrl: `http://127.0.0.1:${port}` });
    const api = httpClient(server.url);
    const projectId = await newProject(api);
    const added = await api.post(`/api/projects/${projectId}/documents`, { name: 'a.txt', content: 'Words to embed.' });
    const id = added.body.documents[0].id as string;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await api.get(`/api/documents/${id}`)).body).toMatchObject({ status: 'processing', chunks: 0 });
    const double = await startLlamaDouble({ serves: 'embeddings', port });
    try {
      expect(await settledDocument(api, id, 30_000)).toMatchObject({ status: 'ready', progress: { embedded: 1 } });
    } finally {
      await double.close();
    }
  });
});

describe('vectors computed once per model and text', () => {
  const GUIDE = 'Hold the reset button for ten seconds.\n\nThe light turns green when it is done.';

  async function embeddingServer() {
    const double = await startLlamaDouble({ serves: 'embeddings' });
    const server = await startTestServer({ embeddingApiUrl: double.url, chunkTokens: 12, chunkOverlap: 2 });
    const embeddedSince = (mark: number) =>
      double.requests
        .slice(mark)
        .filter((request) => request.path === '/v1/embeddings')
        .flatMap((request) => (request.json as { input: string[] }).input);
    return { double, server, api: httpClient(server.url), embeddedSince };
  }

  it("re-indexes a document whose text is unchanged without embedding it again, keeping only the new cut's vectors", async () => {
    const { double, server, api, embeddedSince } = await embeddingServer();
    try {
      const projectId = await newProject(api);
      const added = await api.post(`/api/projects/${projectId}/documents`, { name: 'guide.txt', content: GUIDE });
      const id = added.body.documents[0].id as string;
      const first = await settledDocument(api, id);
      expect(first).toMatchObject({ status: 'ready' });
      expect(first.chunks).toBeGreaterThan(1);
      const before = (await allChunks(api, id)).map((chunk) => chunk.id);
      const mark = double.requests.length;

      expect((await api.post(`/api/documents/${id}/reindex`, {})).status).toBe(200);
      await waitUntil(async () => (await allChunks(api, id)).every((chunk) => !before.includes(chunk.id)));
      const again = await settledDocument(api, id);
      expect(again).toMatchObject({ status: 'ready', progress: { embedded: first.chunks, chunks: first.chunks } });
      expect(embeddedSince(mark)).toEqual([]);

      const chunks = (await allChunks(api, id)).map((chunk) => chunk.id);
      expect(chunks.some((chunk) => before.includes(chunk))).toBe(false);
      expect((await vectorChunks(server, id)).sort()).toEqual([...chunks].sort());
      const found = await api.post(`/api/projects/${projectId}/knowledge/query`, { q: 'reset button' });
      expect(found.body.chunks[0].scores.vector).toBeGreaterThan(0);
    } finally {
      await double.close();
    }
  });

  it('embeds the same file put into two projects once', async () => {
    const { double, api, embeddedSince } = await embeddingServer();
    try {
      const mark = double.requests.length;
      const ids: string[] = [];
      for (const name of ['Home', 'Office']) {
        const projectId = await newProject(api, name);
        const added = await api.post(`/api/projects/${projectId}/documents`, { name: 'guide.txt', content: GUIDE });
        ids.push(added.body.documents[0].id as string);
        expect(await settledDocument(api, ids.at(-1)!)).toMatchObject({ status: 'ready' });
      }
      const texts = (await allChunks(api, ids[0]!)).map((chunk) => chunk.text as string);
      expect(embeddedSince(mark).sort()).toEqual([...texts].sort());
      for (const id of ids) {
        expect(await settledDocument(api, id)).toMatchObject({ progress: { embedded: texts.length } });
      }
    } finally {
      await double.close();
    }
  });
});

async function vectorChunks(server: TestServer, documentId: string): Promise<string[]> {
  const em = server.services.db.em();
  const table = dialectOf(em) === 'sqlite' ? 'knowledge_vector_chunks' : 'knowledge_vectors';
  const rows = await runSql<{ chunk_id: string }>(em, `select chunk_id from ${table} where document_id = ?`, [
    documentId,
  ]);
  return rows.map((row) => row.chunk_id);
}

async function waitUntil(done: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
