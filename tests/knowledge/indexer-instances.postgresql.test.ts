import { describe, expect, it } from 'vitest';
import { startServer } from '../../src/server.js';
import { newProject, settledDocument } from '../support/documents.js';
import { httpClient } from '../support/http-client.js';
import { startLlamaDouble } from '../support/llama-double.js';
import { freshDatabase } from '../support/test-database.js';
import { testConfig } from '../support/test-server.js';

// Instances in one test process share a PostgreSQL database as separate machines would; SQLite's workers take the
// same leases through the same SQL.
describe('several instances indexing on one database', () => {
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
      for (const id of ids) expect((await settledDocument(first!, id, 20_000)).status).toBe('ready');
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
