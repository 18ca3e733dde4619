import { afterAll, describe, expect, it } from 'vitest';
import { allChunks, newProject, settledDocument } from '../support/documents.js';
import { httpClient } from '../support/http-client.js';
import { startLlamaDouble, type LlamaDouble } from '../support/llama-double.js';
import { killServerProcesses, startClusterProcess } from '../support/server-process.js';
import { freshDatabase, type TestDatabase } from '../support/test-database.js';

const WORKERS = 3;
const TEST_TIMEOUT = 90_000;

let double: LlamaDouble | undefined;
let database: TestDatabase | undefined;

afterAll(async () => {
  killServerProcesses();
  await double?.close();
  await database?.drop();
});

// The workers of one server (WORKERS) share its database, SQLite's file too: each takes a document's lease first.
describe('WORKERS indexing on one database', () => {
  it(
    'indexes each document in one worker only: every chunk text reaches the embedding server once',
    async () => {
      double = await startLlamaDouble({ serves: 'embeddings', embeddingDelayMs: 20 });
      database = await freshDatabase();
      const cluster = await startClusterProcess(
        {
          PORT: '0',
          HOST: '127.0.0.1',
          DATABASE_URL: database.url,
          LLM_API_URL: 'http://127.0.0.1:9',
          EMBEDDING_API_URL: double.url,
          CHUNK_TOKENS: '40',
          CHUNK_OVERLAP: '8',
          LOG_LEVEL: 'info',
        },
        WORKERS,
      );
      const api = httpClient(cluster.url);
      const projectId = await newProject(api);
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) {
        const content = Array.from({ length: 12 }, (_, j) => `Paragraph ${j} of document ${i} says something.`);
        const added = await api.post(`/api/projects/${projectId}/documents`, {
          name: `d${i}.txt`,
          content: content.join('\n\n'),
        });
        expect(added.status).toBe(201);
        ids.push(added.body.documents[0].id as string);
      }
      const chunkTexts: string[] = [];
      for (const id of ids) {
        expect(await settledDocument(api, id, 60_000)).toMatchObject({ status: 'ready' });
        chunkTexts.push(...(await allChunks(api, id)).map((chunk) => chunk.text as string));
      }
      const embedded = double.embeddings().flatMap((request) => request.texts);
      expect(embedded.sort()).toEqual(chunkTexts.sort());
    },
    TEST_TIMEOUT,
  );
});
