import { afterAll, describe, expect, it } from 'vitest';
import { allChunks, newProject, settledDocument } from '../support/documents.js';
import { httpClient, type HttpClient } from '../support/http-client.js';
import { startLlamaDouble, type LlamaDouble, type ReceivedRequest } from '../support/llama-double.js';
import { killServerProcesses, startServerProcess } from '../support/server-process.js';
import { freshDatabase, type TestDatabase } from '../support/test-database.js';

const TEST_TIMEOUT = 120_000;
/** Each embeddings request (a batch of up to 16 chunks) is held this long: the kill lands while one is held. */
const EMBEDDING_DELAY_MS = 600;
/** The killed server's lease on the document blocks the next one this long at most. */
const LEASE_MS = 2_000;
const DEFAULT_LEASE_MS = 30_000;
const PARAGRAPHS = 120;

let double: LlamaDouble | undefined;
const databases: TestDatabase[] = [];

afterAll(async () => {
  killServerProcesses();
  await double?.close();
  for (const database of databases.splice(0)) await database.drop();
});

function spawnServer(databaseUrl: string, embeddingUrl: string) {
  return startServerProcess({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    LLM_API_URL: 'http://127.0.0.1:9',
    EMBEDDING_API_URL: embeddingUrl,
    CHUNK_TOKENS: '30',
    CHUNK_OVERLAP: '5',
    KNOWLEDGE_LEASE_MS: String(LEASE_MS),
    LOG_LEVEL: 'info',
  });
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const embeddingRequests = (from: LlamaDouble) => from.requests.filter((r) => r.path === '/v1/embeddings');
const inputsOf = (request: ReceivedRequest) => (request.json as { input: string[] }).input;

/** Every DocumentChunksEmbedded event of the document, in log order. */
async function embeddedEvents(api: HttpClient, documentId: string) {
  const events = [];
  for (let after = 0; ;) {
    const reply = await api.get(`/api/events?after=${after}&limit=1000`);
    expect(reply.status).toBe(200);
    if (reply.body.items.length === 0) return events;
    events.push(
      ...reply.body.items.filter(
        (event: { type: string; stream_id: string }) =>
          event.type === 'DocumentChunksEmbedded' && event.stream_id === documentId,
      ),
    );
    after = reply.body.next_after;
  }
}

describe('a server killed (SIGKILL) while it embeds a document', () => {
  it(
    'the next server on the same database takes the dead lease over and finishes the document; every chunk is ' +
      'answered by the embedding server and recorded once, only the batch in flight at the kill is asked again',
    async () => {
      double = await startLlamaDouble({ serves: 'embeddings', embeddingDelayMs: EMBEDDING_DELAY_MS });
      const database = await freshDatabase();
      databases.push(database);
      const first = await spawnServer(database.url, double.url);
      const firstApi = httpClient(first.url);
      const projectId = await newProject(firstApi);
      const content = Array.from(
        { length: PARAGRAPHS },
        (_, i) => `Paragraph ${i} tells of harbour ${i}, where the ferry number ${i} leaves at dawn.`,
      ).join('\n\n');
      const added = await firstApi.post(`/api/projects/${projectId}/documents`, { name: 'ferries.txt', content });
      expect(added.status).toBe(201);
      const documentId = added.body.documents[0].id as string;

      const before = await until('some but not all chunks embedded', 60_000, async () => {
        const { progress } = (await firstApi.get(`/api/documents/${documentId}`)).body;
        return progress.embedded > 0 && progress.embedded < progress.chunks ? progress : undefined;
      });
      expect(before.chunks).toBeGreaterThan(64);
      // A batch the double holds, far from its answer: the kill comes before the answer, never between it and its commit.
      const inFlight = await until('a batch just sent', 30_000, () =>
        embeddingRequests(double!).find(
          (r) => r.answeredAt === null && performance.now() - r.receivedAt < EMBEDDING_DELAY_MS / 3,
        ),
      );
      await first.kill();
      const killedAt = Date.now();
      expect(inFlight.answeredAt).toBeNull();
      const answeredBeforeKill = embeddingRequests(double).filter((r) => r.answeredAt !== null).length;

      const second = await spawnServer(database.url, double.url);
      const api = httpClient(second.url);
      const done = await settledDocument(api, documentId, 60_000);
      expect(done).toMatchObject({ status: 'ready', progress: { embedded: before.chunks, chunks: before.chunks } });
      // A start, the dead process's lease, an indexer poll (5 s), the rest at the double's pace: sooner than the
      // default lease would have let the next server begin.
      expect(Date.now() - killedAt).toBeLessThan(DEFAULT_LEASE_MS);

      const requests = embeddingRequests(double);
      expect(requests.filter((r) => r.answeredAt === null)).toEqual([inFlight]);
      expect(requests.length).toBeGreaterThan(answeredBeforeKill + 1);
      const answered = requests.filter((r) => r.answeredAt !== null);
      const chunks: { id: string; text: string }[] = await allChunks(api, documentId);
      const chunkTexts = chunks.map((chunk) => chunk.text);
      expect(chunkTexts).toHaveLength(before.chunks);
      expect(new Set(chunkTexts).size).toBe(chunkTexts.length);
      expect(answered.flatMap(inputsOf).toSorted()).toEqual(chunkTexts.toSorted());
      // The batch cut short by the kill is the only one asked twice: by the killed server, then by the next.
      const askedAgain = requests.flatMap(inputsOf).filter((text, i, all) => all.indexOf(text) !== i);
      expect(askedAgain.toSorted()).toEqual(inputsOf(inFlight).toSorted());

      // One event per answered batch, naming each chunk once.
      const events = await embeddedEvents(api, documentId);
      expect(events).toHaveLength(answered.length);
      const recorded = events.flatMap((event: { data: { chunk_ids: string[] } }) => event.data.chunk_ids);
      expect(recorded.toSorted()).toEqual(chunks.map((chunk) => chunk.id).toSorted());
      await second.stop();
    },
    TEST_TIMEOUT,
  );
});
