import { describe, expect, it } from 'vitest';
import { newProject, settledDocument } from '../support/documents.js';
import { httpClient } from '../support/http-client.js';
import { startLlamaDouble } from '../support/llama-double.js';
import { startTestServer } from '../support/test-server.js';

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
