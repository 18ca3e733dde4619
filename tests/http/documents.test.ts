import { describe, expect, it } from 'vitest';
import { httpClient } from '../support/http-client.js';
import { allChunks, newProject, settledDocument, uploadFiles } from '../support/documents.js';
import { openSse } from '../support/sse-client.js';
import { startTestServer } from '../support/test-server.js';

const guide = [
  '# Guide',
  '',
  'This guide explains how the assistant keeps documents.',
  '',
  '## Install',
  '',
  'Run the installer and follow the prompts. The installer asks for a folder.',
  '',
  '### Linux',
  '',
  'On Linux the zebra package is needed before anything else.',
  '',
  '## Usage',
  '',
  'Ask questions about your documents; answers cite them.',
  '',
].join('\n');

describe('POST /api/projects/:id/documents', () => {
  it('takes a text as JSON, answers 201 processing, then indexes it in the background until it is ready', async () => {
    const server = await startTestServer();
    const api = httpClient(server.url);
    const projectId = await newProject(api);
    const content = 'Alpacas hum when they are content.\n\nLlamas spit when they are not.';
    const added = await api.post(`/api/projects/${projectId}/documents`, { name: 'notes.txt', content });
    expect(added.status).toBe(201);
    expect(added.headers.get('location')).toBe(`/api/documents/${added.body.documents[0].id}`);
    const [document] = added.body.documents;
    expect(document).toMatchObject({
      project_id: projectId,
      name: 'notes.txt',
      mime_type: 'text/plain',
      size: Buffer.byteLength(content),
      pages: null,
      status: 'processing',
      failure: null,
      embedding: 'disabled',
      deleted_at: null,
    });
    const ready = await settledDocument(api, document.id);
    expect(ready).toMatchObject({ status: 'ready', chunks: 1, progress: { embedded: 0, chunks: 1 } });
    const chunks = await allChunks(api, document.id);
    expect(chunks).toEqual([
      expect.objectContaining({
        document_id: document.id,
        index: 0,
        text: 'Alpacas hum when they are content.\n\nLlamas spit when they are not.',
        start: 0,
        pages: [],
        heading: [],
        embedded: false,
      }),
    ]);
  });

  it('takes files as multipart/form-data, keeps each as uploaded and gives it back with its type and name', async () => {
    const server = await startTestServer();
    const api = httpClient(server.url);
    const projectId = await newProject(api);
    const added = await uploadFiles(server.url, projectId, [
      { name: 'guide.md', type: 'text/markdown', bytes: guide },
      { name: 'Übersicht 2026.txt', type: 'text/plain', bytes: 'Zusammenfassung.' },
    ]);
    expect(added.status).toBe(201);
    expect(added.body.documents.map((d: { name: string }) => d.name)).toEqual(['guide.md', 'Übersicht 2026.txt']);
    const [markdown, text] = added.body.documents;
    const download = await fetch(`${server.url}/api/documents/${markdown.id}/content`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toMatch(/^text\/markdown/);
    expect(await download.text()).toBe(guide);
    const named = await fetch(`${server.url}/api/documents/${text.id}/content`);
    expect(named.headers.get('content-disposition')).toBe(
      `attachment; filename="_bersicht 2026.txt"; filename*=UTF-8''${encodeURIComponent('Übersicht 2026.txt')}`,
    );
    const quoted = await api.post(`/api/projects/${projectId}/documents`, { name: 'a "b".txt', content: 'x' });
    const quotedDownload = await fetch(`${server.url}/api/documents/${quoted.body.documents[0].id}/content`);
    expect(quotedDownload.headers.get('content-disposition')).toBe(
      `attachment; filename="a _b_.txt"; filename*=UTF-8''${encodeURIComponent('a "b".txt')}`,
    );
    const listed = await api.get(`/api/projects/${projectId}/documents`);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(3);
    expect(listed.body.items.map((d: { id: string }) => d.id)).toEqual(expect.arrayContaining([markdown.id, text.id]));
  });

  it('cuts Markdown on its headings: each chunk keeps the heading path it sits under and its offsets', async () => {
    const server = await startTestServer({ chunkTokens: 40, chunkOverlap: 8 });
    const api = httpClient(server.url);
    const projectId = await newProject(api);
    const added = await uploadFiles(server.url, projectId, [{ name: 'guide.md', bytes: guide }]);
    expect(added.status).toBe(201);
    const document = await settledDocument(api, added.body.documents[0].id);
    expect(document.mime_type).toBe('text/markdown');
    const chunks = await allChunks(api, document.id);
    expect(chunks.length).toBe(document.chunks);
    const linux = chunks.find((c: { text: string }) => c.text.includes('zebra'));
    expect(linux.heading).toEqual(['Guide', 'Install', 'Linux']);
    expect(guide.slice(linux.start, linux.end)).toBe(linux.text);
    const usage = chunks.find((c: { text: string }) => c.text.includes('cite them'));
    expect(usage.heading).toEqual(['Guide', 'Usage']);
  });

  it('records a file that cannot be read as failed, with the reason, and answers 201 for the rest', async () => {
    const server = await startTestServer();
    const api = httpClient(server.url);
    const projectId = await newProject(api);
    const added = await uploadFiles(server.url, projectId, [
      { name: 'empty.txt', type: 'text/plain', bytes: '' },
      { name: 'fine.txt', type: 'text/plain', bytes: 'Some words.' },
    ]);
    expect(added.status).toBe(201);
    const [empty, fine] = added.body.documents;
    expect(empty).toMatchObject({ status: 'failed', chunks: 0 });
    expect(empty.failure).toMatch(/no text/);
    expect(await settledDocument(api, fine.id)).toMatchObject({ status: 'ready' });
  });

  it('refuses a type documents do not take with 415 naming those they do, and stores none of the upload', async () => {
    const server = await startTestServer();
    const api = httpClient(server.url);
    const projectId = await newProject(api);
    const refused = await uploadFiles(server.url, projectId, [
      { name: 'fine.txt', type: 'text/plain', bytes: 'Some words.' },
      { name: 'photo.png', type: 'image/png', bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47]) },
    ]);
    expect(refused.status).toBe(415);
    expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(refused.body.detail).toMatch(/photo\.png.*image\/png.*application\/pdf/);
    expect((await api.get(`/api/projects/${projectId}/documents`)).body.items).toEqual([]);
  });

  it('refuses a file over MAX_DOCUMENT_BYTES with 413, as multipart or as JSON, and stores nothing', async () => {
    const server = await startTestServer({ maxDocumentBytes: 1024 });
    const api = httpClient(server.url);
    const projectId = await newProject(api);
    const big = 'word '.repeat(300);
    const multipart = await uploadFiles(server.url, projectId, [{ name: 'big.txt', bytes: big }]);
    expect(multipart.status).toBe(413);
    expect(multipart.body.detail).toMatch(/MAX_DOCUMENT_BYTES/);
    const json = await api.post(`/api/projects/${projectId}/documents`, { name: 'big.txt', content: big });
    expect(json.status).toBe(413);
    const fits = await uploadFiles(server.url, projectId, [{ name: 'small.txt', bytes: 'word '.repeat(200) }]);
    expect(fits.status).toBe(201);
    expect((await api.get(`/api/projects/${projectId}/documents`)).body.items).toHaveLength(1);
  });

  it('answers 404 for a project that does not exist or is deleted, and 422 for a multipart body without a file', async () => {
    const server = await startTestServer();
    const api = httpClient(server.url);
    const missing = await uploadFiles(server.url, '01900000-0000-7000-8000-000000000000', [
      { name: 'a.txt', bytes: 'x' },
    ]);
    expect(missing.status).toBe(404);
    const projectId = await newProject(api);
    const form = new FormData();
    form.append('note', 'not a file');
    const noFile = await fetch(`${server.url}/api/projects/${projectId}/documents`, { method: 'POST', body: form });
    expect(noFile.status).toBe(422);
    expect((await api.delete(`/api/projects/${projectId}`)).status).toBe(204);
    expect((await uploadFiles(server.url, projectId, [{ name: 'a.txt', bytes: 'x' }])).status).toBe(404);
  });
});

describe('documents: delete, restore, reindex, statistics and the event log', () => {
  it('soft-deletes a document out of listings and retrieval, and restores it', async () => {
    const server = await startTestServer();
    const api = httpClient(server.url);
    const projectId = await newProject(api);
    const added = await api.post(`/api/projects/${projectId}/documents`, {
      name: 'zebras.txt',
      content: 'Zebras are striped horses of Africa.',
    });
    const id = added.body.documents[0].id;
    await settledDocument(api, id);
    const found = await api.post(`/api/projects/${projectId}/knowledge/query`, { q: 'striped zebras' });
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ mode: 'full_text', reason: 'embedding_disabled' });
    expect(found.body.chunks.map((c: { document_id: string }) => c.document_id)).toEqual([id]);

    expect((await api.delete(`/api/documents/${id}`)).status).toBe(204);
    expect((await api.get(`/api/documents/${id}`)).status).toBe(404);
    expect((await api.get(`/api/projects/${projectId}/documents`)).body.items).toEqual([]);
    const gone = await api.post(`/api/projects/${projectId}/knowledge/query`, { q: 'striped zebras' });
    expect(gone.body.chunks).toEqual([]);
    expect((await api.get(`/api/projects/${projectId}/stats`)).body).toMatchObject({ document_count: 0 });

    const restored = await api.post(`/api/documents/${id}/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ id, deleted_at: null, status: 'ready' });
    const back = await api.post(`/api/projects/${projectId}/knowledge/query`, { q: 'striped zebras' });
    expect(back.body.chunks).toHaveLength(1);
    expect((await api.get(`/api/projects/${projectId}/stats`)).body).toMatchObject({
      document_count: 1,
      chunk_count: 1,
    });
  });

  it('re-indexes a document: it is processing again, then ready with chunks cut anew', async () => {
    const server = await startTestServer();
    const api = httpClient(server.url);
    const projectId = await newProject(api);
    const added = await api.post(`/api/projects/${projectId}/documents`, {
      name: 'a.md',
      content: guide,
      mime_type: 'text/markdown',
    });
    const id = added.body.documents[0].id;
    await settledDocument(api, id);
    const before = await allChunks(api, id);
    const reindexed = await api.post(`/api/documents/${id}/reindex`);
    expect(reindexed.status).toBe(200);
    const after = await settledDocument(api, id);
    expect(after.status).toBe('ready');
    const chunks = await allChunks(api, id);
    expect(chunks.map((c: { text: string }) => c.text)).toEqual(before.map((c: { text: string }) => c.text));
    expect(chunks.map((c: { id: string }) => c.id)).not.toEqual(before.map((c: { id: string }) => c.id));
  });

  it("sends a document's events in the log and in the live feed filtered by its project, not another's", async () => {
    const server = await startTestServer();
    const api = httpClient(server.url);
    const projectId = await newProject(api);
    const other = await newProject(api, 'Other');
    const added = await api.post(`/api/projects/${projectId}/documents`, { name: 'a.txt', content: 'Words here.' });
    const id = added.body.documents[0].id;
    await settledDocument(api, id);
    const logged = (await api.get('/api/events?limit=500')).body.items as { stream_id: string; type: string }[];
    const ofIt = ['DocumentAdded', 'DocumentTextExtracted', 'DocumentChunked'];
    expect(logged.filter((e) => e.stream_id === id).map((e) => e.type)).toEqual(ofIt);
    const feed = await openSse(`${server.url}/api/events/stream?project_id=${projectId}&after=0`);
    await feed.waitFor((event) => event.json?.type === 'DocumentChunked');
    feed.abort();
    expect(feed.events.filter((e) => e.json?.stream_id === id).map((e) => e.json.type)).toEqual(ofIt);
    const elsewhere = await openSse(`${server.url}/api/events/stream?project_id=${other}&after=0`);
    await elsewhere.waitFor((event) => event.json?.type === 'ProjectCreated' && event.json.stream_id === other);
    await new Promise((resolve) => setTimeout(resolve, 100));
    elsewhere.abort();
    expect(elsewhere.events.some((e) => e.json?.stream_id === id)).toBe(false);
  });
});
