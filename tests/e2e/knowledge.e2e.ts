import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allChunks, newProject, settledDocument } from '../support/documents.js';
import { httpClient, type HttpClient } from '../support/http-client.js';
import {
  embeddingServer,
  ONE_MODEL,
  startRealLlamaServer,
  type RealLlamaServer,
} from '../support/real-llama-server.js';
import { startTestServer } from '../support/test-server.js';
import { answers } from './answers.js';

/** Less than CHUNK_TOKENS: the first cut is refused by the server, which the indexer learns from and cuts again. */
const UBATCH = 128;
const CHUNK_TOKENS = 200;
/** The tiny model's /v1/models names it by its path; vectors are kept by that name. */
const MODEL = 'models/tiny-gpt-oss.gguf';

let chatServer: RealLlamaServer;
let embeddings: RealLlamaServer;
let api: HttpClient;
let chats: ReturnType<typeof answers>;

beforeAll(async () => {
  chatServer = await startRealLlamaServer(ONE_MODEL);
  embeddings = await startRealLlamaServer(embeddingServer(UBATCH));
  const app = await startTestServer({
    llmApiUrl: chatServer.url,
    embeddingApiUrl: embeddings.url,
    chunkTokens: CHUNK_TOKENS,
    chunkOverlap: 20,
    // The chat model has 2048 tokens a slot, half of them kept for the answer: room for a few short sources only.
    retrievalTopK: 3,
    retrievalMaxTokens: 400,
  });
  api = httpClient(app.url);
  chats = answers(app.url, api);
});

afterAll(async () => {
  await chatServer?.close();
  await embeddings?.close();
});

const LIGHTHOUSE = Array.from(
  { length: 12 },
  (_, i) =>
    `The keeper of lighthouse ${i} climbs its stairs at dusk, trims the wick, winds the clockwork that turns the ` +
    `lens, and writes the weather of night ${i} in the log before he sleeps.`,
).join('\n\n');

/** A project with the lighthouse document, embedded. */
async function embeddedProject() {
  const projectId = await newProject(api, 'Lighthouses');
  const added = await api.post(`/api/projects/${projectId}/documents`, { name: 'keepers.txt', content: LIGHTHOUSE });
  expect(added.status, added.text).toBe(201);
  const documentId = added.body.documents[0].id as string;
  const document = await settledDocument(api, documentId, 50_000);
  return { projectId, documentId, document };
}

describe('knowledge against a real llama-server started with --embeddings --pooling mean', () => {
  it(
    'embeds an upload: its first cut is refused as larger than -ub, the indexer cuts it again within that, and every ' +
      'chunk gets a vector of the model /v1/models names',
    async () => {
      const { documentId, document } = await embeddedProject();
      expect(document).toMatchObject({ status: 'ready', embedding: 'enabled', embedding_model: MODEL });
      expect(document.chunks).toBeGreaterThan(1);
      expect(document.progress).toEqual({ embedded: document.chunks, chunks: document.chunks });
      const chunks = await allChunks(api, documentId);
      expect(chunks).toHaveLength(document.chunks);
      for (const chunk of chunks) expect(chunk.tokens).toBeLessThanOrEqual(UBATCH);
      expect(embeddings.output()).toMatch(/too large to process/);
    },
  );

  it('answers a knowledge query with chunks ranked by vector and full text, each with its cosine score', async () => {
    const { projectId, documentId } = await embeddedProject();
    const found = await api.post(`/api/projects/${projectId}/knowledge/query`, {
      q: 'What does the keeper write in the log?',
      top_k: 5,
    });
    expect(found.status, found.text).toBe(200);
    expect(found.body).toMatchObject({ mode: 'hybrid', reranked: false });
    const ranked = found.body.chunks as { document_id: string; scores: Record<string, number | null> }[];
    expect(ranked.length).toBeGreaterThan(0);
    expect(ranked.length).toBeLessThanOrEqual(5);
    for (const chunk of ranked) {
      expect(chunk.document_id).toBe(documentId);
      expect(chunk.scores.vector).toEqual(expect.any(Number));
      expect(Math.abs(chunk.scores.vector!)).toBeLessThanOrEqual(1 + 1e-6);
      expect(chunk.scores.vector_rank).toEqual(expect.any(Number));
    }
    const fused = ranked.map((chunk) => chunk.scores.fused!);
    expect(fused).toEqual(fused.toSorted((a, b) => b - a));
  });

  it('streams event: sources after start and before the first token of a chat in the project, and keeps them on the answer', async () => {
    const { projectId, documentId } = await embeddedProject();
    const created = await api.post('/api/conversations', { project_id: projectId });
    expect(created.status, created.text).toBe(201);
    const { events, start, end } = await chats.answered(created.body.id, 'What does the keeper write in the log?');
    const kinds = events.map((event) => event.event);
    expect(kinds.slice(0, 2)).toEqual(['start', 'sources']);
    expect(kinds.indexOf('token')).toBeGreaterThan(1);
    expect(kinds.filter((kind) => kind === 'sources')).toHaveLength(1);
    expect(end.json).toMatchObject({ type: 'complete' });
    const sent = events[1]!.json;
    expect(sent.retrieval).toMatchObject({ mode: 'hybrid' });
    expect(sent.sources.length).toBeGreaterThan(0);
    for (const source of sent.sources) expect(source).toMatchObject({ document_id: documentId });

    const message = await chats.message(start.message_id);
    expect(message).toMatchObject({ status: 'complete' });
    expect(message.metadata.sources).toEqual(sent.sources);
  });
});
