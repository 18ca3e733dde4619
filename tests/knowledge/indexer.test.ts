import { describe, expect, it } from 'vitest';
import { startServer } from '../../src/server.js';
import { newProject, settledDocument } from '../support/documents.js';
import { httpClient } from '../support/http-client.js';
import { startLlamaDouble } from '../support/llama-double.js';
import { freshDatabase } from '../support/test-database.js';
import { startTestServer, testConfig } from '../support/test-server.js';

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

  it('indexes each document in exactly one of the processes sharing a database: no chunk is embedded twice', async () => {
    const double = await startLlamaDouble({ serves: 'embeddings', embeddingDelayMs: 20 });
    const database = await freshDatabase();
    const servers = [];
    try {
      for (let i = 0; i < 3; i++) {
        servers.push(
          await startServer(
            testConfig(database.url, { embeddingApiUrl: double.url, chunkTokens: 40, chunkOverlap: 8 }),
          ),
        );
      }
      const [first, ...others] = servers.map((s) => httpClient(s.url));
      const projectId = await newProject(first!);
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) {
        const content = Array.from(
          { length: 12 },
          (_, j) => `Paragraph ${j} of document ${i} says something new.`,
        ).join('\n\n');
        const added = await (i % 2 === 0 ? first! : others[i % others.length]!).post(
          `/api/projects/${projectId}/documents`,
          { name: `d${i}.txt`, content },
        );
        ids.push(added.body.documents[0].id);
      }
      for (const id of ids) expect((await settledDocument(first!, id, 30_000)).status).toBe('ready');
      const texts = double.embeddings().flatMap((request) => request.texts);
      expect(texts.length).toBeGreaterThan(ids.length);
      expect(new Set(texts).size).toBe(texts.length);
    } finally {
      for (const server of servers) await server.close();
      await double.close();
      await database.drop();
    }
  });
});
