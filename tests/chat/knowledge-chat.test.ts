import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newProject, settledDocument } from '../support/documents.js';
import { httpClient, type HttpClient } from '../support/http-client.js';
import { startLlamaDouble, type LlamaDouble } from '../support/llama-double.js';
import { openSse } from '../support/sse-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

let chatDouble: LlamaDouble;
let embeddingDouble: LlamaDouble;
let server: TestServer;
let api: HttpClient;

const ZEBRAS = 'Zebras live in Africa. Their stripes confuse the biting flies that follow herds.';
const LLAMAS = 'Llamas were bred in the Andes. They carry loads and hum when they are content.';

beforeAll(async () => {
  chatDouble = await startLlamaDouble({ reply: 'Stripes confuse flies [1].' });
  embeddingDouble = await startLlamaDouble({ serves: 'embeddings' });
  server = await startTestServer({ llmApiUrl: chatDouble.url, embeddingApiUrl: embeddingDouble.url });
  api = httpClient(server.url);
});

afterAll(async () => {
  await chatDouble.close();
  await embeddingDouble.close();
});

beforeEach(() => {
  chatDouble.reset();
  embeddingDouble.reset();
});

async function projectWithDocuments(): Promise<{ projectId: string; zebras: string; llamas: string }> {
  const projectId = await newProject(api);
  const add = async (name: string, content: string) => {
    const added = await api.post(`/api/projects/${projectId}/documents`, { name, content });
    expect(added.status).toBe(201);
    return added.body.documents[0].id as string;
  };
  const zebras = await add('zebras.txt', ZEBRAS);
  const llamas = await add('llamas.txt', LLAMAS);
  for (const id of [zebras, llamas]) {
    expect(await settledDocument(api, id)).toMatchObject({ status: 'ready', progress: { embedded: 1, chunks: 1 } });
  }
  return { projectId, zebras, llamas };
}

describe('documents embedded by an embedding server', () => {
  it('embeds every chunk in the background and says so in the document', async () => {
    const { zebras } = await projectWithDocuments();
    const document = (await api.get(`/api/documents/${zebras}`)).body;
    expect(document).toMatchObject({ embedding: 'enabled', embedding_model: expect.any(String) });
    const embedded = embeddingDouble.embeddings().flatMap((request) => request.texts);
    expect(embedded).toContain(ZEBRAS);
  });

  it('ranks chunks by vector and full text and shows each score', async () => {
    const { projectId, zebras } = await projectWithDocuments();
    const found = await api.post(`/api/projects/${projectId}/knowledge/query`, { q: 'Why do zebras have stripes?' });
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ mode: 'hybrid', reranked: false });
    const [best] = found.body.chunks;
    expect(best).toMatchObject({ document_id: zebras, document_name: 'zebras.txt' });
    expect(best.scores.vector).toBeGreaterThan(0);
    expect(best.scores.full_text_rank).toBe(1);
    expect(best.scores.fused).toBeGreaterThan(0);
  });
});

/** Asks one question and reads the answer to its end; returns the answer's id. */
async function askOnce(conversation: string, message: string): Promise<string> {
  const stream = await openSse(`${server.url}/api/chat/stream`, { body: { conversation_id: conversation, message } });
  const events = await stream.ended;
  expect(events.at(-1)!.event).toBe('complete');
  return events[0]!.json.message_id as string;
}

describe('a chat in a project with documents', () => {
  it('sends sources after start and before the first token, and puts them right before the question', async () => {
    const { projectId, zebras } = await projectWithDocuments();
    const conversation = (await api.post('/api/conversations', { project_id: projectId })).body.id as string;
    const stream = await openSse(`${server.url}/api/chat/stream`, {
      body: { conversation_id: conversation, message: 'Why do zebras have stripes?' },
    });
    const events = await stream.ended;
    const kinds = events.map((event) => event.event);
    expect(kinds.slice(0, 2)).toEqual(['start', 'sources']);
    expect(kinds.indexOf('sources')).toBeLessThan(kinds.indexOf('token'));
    const sources = events[1]!.json;
    expect(sources.sources[0]).toMatchObject({ n: 1, document_id: zebras, document_name: 'zebras.txt' });
    expect(sources.retrieval).toEqual({ mode: 'hybrid', reranked: false });

    const [sent] = chatDouble.chats();
    const last = sent!.messages.at(-1) as { role: string; content: string };
    expect(last.role).toBe('user');
    expect(last.content).toMatch(/^Sources from the documents of this project[\s\S]*\[1\] zebras\.txt\n/);
    expect(last.content).toContain(ZEBRAS);
    expect(last.content.endsWith('Question: Why do zebras have stripes?')).toBe(true);

    const answer = events[0]!.json.message_id as string;
    const message = (await api.get(`/api/messages/${answer}`)).body;
    expect(message.metadata.sources).toEqual(sources.sources);
    expect(message.metadata.retrieval).toEqual({ mode: 'hybrid', reranked: false });
    expect(message.sources).toEqual(sources.sources.map((source: object) => ({ ...source, document_deleted: false })));
  });

  it('shows a cited document that was deleted, then purged, by the name it had, saying it is deleted', async () => {
    const { projectId, zebras } = await projectWithDocuments();
    const conversation = (await api.post('/api/conversations', { project_id: projectId })).body.id as string;
    const answer = await askOnce(conversation, 'Why do zebras have stripes?');
    const cited = async () => (await api.get(`/api/messages/${answer}`)).body.sources as Record<string, unknown>[];
    const zebraSource = async () => (await cited()).find((source) => source.document_id === zebras)!;
    expect(await zebraSource()).toMatchObject({ document_name: 'zebras.txt', document_deleted: false });

    expect((await api.delete(`/api/documents/${zebras}`)).status).toBe(204);
    expect(await zebraSource()).toMatchObject({ document_name: 'zebras.txt', document_deleted: true });
    expect((await api.post(`/api/documents/${zebras}/restore`, {})).status).toBe(200);
    expect(await zebraSource()).toMatchObject({ document_deleted: false });

    expect((await api.delete(`/api/documents/${zebras}?purge=true`)).status).toBe(204);
    expect(await zebraSource()).toMatchObject({
      document_name: 'zebras.txt',
      snippet: expect.stringContaining('Zebras'),
      document_deleted: true,
    });
  });

  it('replays the sources event, in its place, to a client that resumes the stream', async () => {
    const { projectId } = await projectWithDocuments();
    const conversation = (await api.post('/api/conversations', { project_id: projectId })).body.id as string;
    const first = await openSse(`${server.url}/api/chat/stream`, {
      body: { conversation_id: conversation, message: 'Why do zebras have stripes?' },
    });
    const events = await first.ended;
    const sessionId = events[0]!.json.session_id as string;
    const replayed = await (await openSse(`${server.url}/api/chat/stream/${sessionId}`, {})).ended;
    expect(replayed.map((event) => [event.event, event.json])).toEqual(
      events.map((event) => [event.event, event.json]),
    );
    expect(replayed[1]!.event).toBe('sources');
    const afterStart = await (
      await openSse(`${server.url}/api/chat/stream/${sessionId}`, { headers: { 'Last-Event-ID': events[0]!.id! } })
    ).ended;
    expect(afterStart[0]!.event).toBe('sources');
  });

  it('exports the sources with the answer (listed under it in Markdown), and an import of the export brings them back', async () => {
    const { projectId } = await projectWithDocuments();
    const conversation = (await api.post('/api/conversations', { project_id: projectId })).body.id as string;
    const answer = await askOnce(conversation, 'Why do zebras have stripes?');
    const cited = (await api.get(`/api/messages/${answer}`)).body.metadata.sources;
    expect(cited.length).toBeGreaterThan(0);
    const exported = (await api.get(`/api/conversations/${conversation}/export`)).body;
    const exportedAnswer = exported.conversations[0].messages.find((m: { id: string }) => m.id === answer);
    expect(exportedAnswer.metadata.sources).toEqual(cited);

    const markdown = await fetch(`${server.url}/api/conversations/${conversation}/export?format=markdown`);
    expect(await markdown.text()).toMatch(/Stripes confuse flies \[1\]\.\n\nSources:\n\n- \[1\] zebras\.txt\n/);

    const imported = await api.post(`/api/conversations/import?project_id=${projectId}`, exported);
    expect(imported.status).toBe(201);
    const copy = imported.body.conversations[0];
    const messages = (await api.get(`/api/conversations/${copy.id}/messages`)).body.items as {
      role: string;
      metadata: { sources?: unknown };
    }[];
    expect(messages.find((m) => m.role === 'assistant')!.metadata.sources).toEqual(cited);
  });

  it('leaves the answer without sources where knowledge is off: by the project, the conversation or the chat', async () => {
    const { projectId } = await projectWithDocuments();
    const kinds = async (conversation: string, options?: object) => {
      const stream = await openSse(`${server.url}/api/chat/stream`, {
        body: {
          conversation_id: conversation,
          message: 'Why do zebras have stripes?',
          ...(options ? { options } : {}),
        },
      });
      return (await stream.ended).map((event) => event.event);
    };
    const plain = (await api.post('/api/conversations', { project_id: projectId })).body.id as string;
    expect(await kinds(plain, { knowledge: false })).not.toContain('sources');
    expect(await kinds(plain)).toContain('sources');

    expect((await api.patch(`/api/projects/${projectId}`, { settings: { knowledge: false } })).status).toBe(200);
    const inProject = (await api.post('/api/conversations', { project_id: projectId })).body.id as string;
    expect(await kinds(inProject)).not.toContain('sources');
    expect(chatDouble.chats().at(-1)!.messages.at(-1)).toEqual({
      role: 'user',
      content: 'Why do zebras have stripes?',
    });
    expect(chatDouble.last('POST /v1/chat/completions')!.json).not.toHaveProperty('knowledge');

    const overriding = await api.patch(`/api/conversations/${inProject}`, { settings: { knowledge: true } });
    expect(overriding.status).toBe(200);
    expect(overriding.body.settings).toEqual({ knowledge: true });
    expect(await kinds(inProject)).toContain('sources');
    const answers = (await api.get(`/api/conversations/${inProject}/messages`)).body.items as {
      role: string;
      metadata: { generation: Record<string, unknown> };
    }[];
    expect(answers.filter((m) => m.role === 'assistant').map((m) => m.metadata.generation.knowledge)).toEqual([
      false,
      true,
    ]);
  });

  it('keeps the history before the sources: the next question is asked after the earlier turns, as they were', async () => {
    const { projectId } = await projectWithDocuments();
    const conversation = (await api.post('/api/conversations', { project_id: projectId })).body.id as string;
    for (const message of ['Why do zebras have stripes?', 'And llamas?']) {
      const stream = await openSse(`${server.url}/api/chat/stream`, {
        body: { conversation_id: conversation, message },
      });
      await stream.ended;
    }
    const asked = chatDouble.chats().map((c) => c.messages as { role: string; content: string }[]);
    const second = asked.find((messages) => messages.at(-1)!.content.endsWith('And llamas?'))!;
    expect(second.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(second[0]!.content).toBe('Why do zebras have stripes?');
    expect(second[2]!.content).toMatch(/Question: And llamas\?$/);
  });

  it('falls back to full text when the embedding server is down, and says so in the answer', async () => {
    const own = await startLlamaDouble({ serves: 'embeddings' });
    const alone = await startTestServer({ llmApiUrl: chatDouble.url, embeddingApiUrl: own.url });
    const client = httpClient(alone.url);
    const projectId = await newProject(client);
    const added = await client.post(`/api/projects/${projectId}/documents`, { name: 'zebras.txt', content: ZEBRAS });
    const zebras = added.body.documents[0].id as string;
    expect(await settledDocument(client, zebras)).toMatchObject({ status: 'ready', progress: { embedded: 1 } });
    await own.close();
    const conversation = (await client.post('/api/conversations', { project_id: projectId })).body.id as string;
    const stream = await openSse(`${alone.url}/api/chat/stream`, {
      body: { conversation_id: conversation, message: 'Why do zebras have stripes?' },
    });
    const events = await stream.ended;
    expect(events.at(-1)!.event).toBe('complete');
    const sources = events.find((event) => event.event === 'sources')!.json;
    expect(sources.retrieval).toMatchObject({ mode: 'full_text', reason: 'embedding_failed' });
    expect(sources.sources[0].document_id).toBe(zebras);
    const answer = (await client.get(`/api/messages/${events[0]!.json.message_id}`)).body;
    expect(answer.metadata.retrieval).toMatchObject({ mode: 'full_text', reason: 'embedding_failed' });
  });

  it("keeps the sources within half of what the chat model's context leaves a prompt, so a small model still answers", async () => {
    const small = await startLlamaDouble({ reply: 'Stripes [1].', nCtx: 1024 });
    const alone = await startTestServer({
      llmApiUrl: small.url,
      embeddingApiUrl: embeddingDouble.url,
      answerReserveTokens: 256,
      chunkTokens: 200,
      chunkOverlap: 8,
    });
    try {
      const client = httpClient(alone.url);
      const projectId = await newProject(client);
      const long = Array.from({ length: 60 }, (_, i) => `Zebra fact ${i}: stripes confuse the flies of herd ${i}.`);
      const added = await client.post(`/api/projects/${projectId}/documents`, {
        name: 'zebras.txt',
        content: long.join('\n\n'),
      });
      expect(await settledDocument(client, added.body.documents[0].id)).toMatchObject({ status: 'ready' });
      const conversation = (await client.post('/api/conversations', { project_id: projectId })).body.id as string;
      const stream = await openSse(`${alone.url}/api/chat/stream`, {
        body: { conversation_id: conversation, message: 'Why do zebras have stripes?' },
      });
      const events = await stream.ended;
      expect(events.at(-1)!.event).toBe('complete');
      const { sources } = events.find((event) => event.event === 'sources')!.json;
      expect(sources.length).toBeGreaterThan(0);
      const chunks = (await client.post(`/api/projects/${projectId}/knowledge/query`, { q: 'zebra stripes' })).body
        .chunks as { tokens: number }[];
      const tokensOfEach = chunks[0]!.tokens;
      // 1024 - 256 for the answer - the template's assumed overhead, halved: room for a few chunks, not the default 5.
      expect(sources.length * tokensOfEach).toBeLessThanOrEqual(384);
      expect(sources.length).toBeLessThan(5);
    } finally {
      await small.close();
    }
  });

  it('gives no sources in a conversation outside any project', async () => {
    await projectWithDocuments();
    const conversation = (await api.post('/api/conversations', {})).body.id as string;
    const stream = await openSse(`${server.url}/api/chat/stream`, {
      body: { conversation_id: conversation, message: 'Why do zebras have stripes?' },
    });
    const events = await stream.ended;
    expect(events.some((event) => event.event === 'sources')).toBe(false);
  });
});
