import { afterAll, describe, expect, it } from 'vitest';
import { allChunks, newProject, settledDocument, uploadFiles } from '../support/documents.js';
import { httpClient, type HttpClient } from '../support/http-client.js';
import { startLlamaDouble } from '../support/llama-double.js';
import { imageOnlyPdf, pdfWithNulInText, textPdf } from '../support/pdf-files.js';
import { pieces } from '../../tools/llama-double/tokenizer.js';
import { startTestServer } from '../support/test-server.js';

const embeddings = await startLlamaDouble({ serves: 'embeddings' });
afterAll(() => embeddings.close());

type ApiChunk = { index: number; text: string; start: number; end: number; tokens: number; pages: number[] };

/** Words that name the page they are on: p3w17 is the 17th word of page 3. */
const pageLines = (page: number, lines: number) =>
  Array.from({ length: lines }, (_, line) => Array.from({ length: 8 }, (_, w) => `p${page}w${line * 8 + w}`).join(' '));
const pagesNamedIn = (text: string) => [...new Set([...text.matchAll(/p(\d+)w\d+/g)].map((m) => Number(m[1])))];

async function eventsOf(api: HttpClient, streamId: string): Promise<string[]> {
  const items = (await api.get('/api/events?limit=500')).body.items as { stream_id: string; type: string }[];
  return items.filter((e) => e.stream_id === streamId).map((e) => e.type);
}

describe('files uploaded as a browser sends them', () => {
  it('reads a multi-page PDF by its text layer: its chunks carry the pages their words are on, the download is the file', async () => {
    const server = await startTestServer({ embeddingApiUrl: embeddings.url, chunkTokens: 40, chunkOverlap: 8 });
    const api = httpClient(server.url);
    const projectId = await newProject(api);
    const pages = [pageLines(1, 12), pageLines(2, 12), [], pageLines(4, 6)];
    const bytes = await textPdf(pages);
    const added = await uploadFiles(server.url, projectId, [
      { name: 'Field guide.pdf', type: 'application/pdf', bytes },
    ]);
    expect(added.status).toBe(201);
    const document = await settledDocument(api, added.body.documents[0].id);
    expect(document).toMatchObject({ mime_type: 'application/pdf', size: bytes.byteLength, pages: 4, status: 'ready' });
    expect(document.progress).toEqual({ embedded: document.chunks, chunks: document.chunks });

    const chunks = (await allChunks(api, document.id)) as ApiChunk[];
    expect(chunks.length).toBeGreaterThan(3);
    for (const chunk of chunks) {
      expect(chunk.pages, chunk.text).toEqual(pagesNamedIn(chunk.text));
      expect(chunk.end - chunk.start).toBe(chunk.text.length);
      expect(chunk.tokens).toBe(pieces(chunk.text).length);
    }
    expect(chunks.some((chunk) => chunk.pages.length > 1)).toBe(true);
    const read = new Set(chunks.flatMap((chunk) => chunk.text.split(/\s+/)));
    expect(
      pages
        .flat()
        .flatMap((line) => line.split(' '))
        .filter((w) => !read.has(w)),
    ).toEqual([]);

    const download = await fetch(`${server.url}/api/documents/${document.id}/content`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/pdf');
    expect(download.headers.get('content-disposition')).toBe(
      `attachment; filename="Field guide.pdf"; filename*=UTF-8''Field%20guide.pdf`,
    );
    expect(Buffer.from(await download.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);
  });

  it('records a PDF of scanned pages (no text layer) as failed with the reason; the rest of the project is untouched', async () => {
    const server = await startTestServer();
    const api = httpClient(server.url);
    const projectId = await newProject(api);
    const earlier = await uploadFiles(server.url, projectId, [{ name: 'earlier.txt', bytes: 'Zebras graze at dawn.' }]);
    const earlierReady = await settledDocument(api, earlier.body.documents[0].id);
    const scan = await imageOnlyPdf(2);
    const added = await uploadFiles(server.url, projectId, [
      { name: 'scan.pdf', type: 'application/pdf', bytes: scan },
      { name: 'notes.txt', type: 'text/plain', bytes: 'Alpacas hum when content.' },
    ]);
    expect(added.status).toBe(201);
    const [scanned, notes] = added.body.documents;
    expect(scanned).toMatchObject({ status: 'failed', chunks: 0, pages: null, size: scan.byteLength });
    expect(scanned.failure).toMatch(/no text layer.*OCR/);
    expect(await settledDocument(api, scanned.id)).toMatchObject({ status: 'failed', failure: scanned.failure });
    expect(await allChunks(api, scanned.id)).toEqual([]);
    expect(await eventsOf(api, scanned.id)).toEqual(['DocumentAdded', 'DocumentUnreadable']);
    const kept = await fetch(`${server.url}/api/documents/${scanned.id}/content`);
    expect(Buffer.from(await kept.arrayBuffer()).equals(Buffer.from(scan))).toBe(true);

    expect(await settledDocument(api, notes.id)).toMatchObject({ status: 'ready', chunks: 1 });
    expect(await settledDocument(api, earlierReady.id)).toEqual(earlierReady);
    const found = await api.post(`/api/projects/${projectId}/knowledge/query`, { q: 'zebras' });
    expect(found.body.chunks.map((c: { document_id: string }) => c.document_id)).toEqual([earlierReady.id]);
    expect((await api.get(`/api/projects/${projectId}/stats`)).body).toMatchObject({
      document_count: 3,
      chunk_count: 2,
    });
  });

  it('records a truncated PDF as failed: not a readable PDF', async () => {
    const server = await startTestServer();
    const api = httpClient(server.url);
    const projectId = await newProject(api);
    const whole = await textPdf([pageLines(1, 20), pageLines(2, 20)]);
    const cut = whole.subarray(0, Math.floor(whole.byteLength / 2));
    const added = await uploadFiles(server.url, projectId, [{ name: 'cut.pdf', type: 'application/pdf', bytes: cut }]);
    expect(added.status).toBe(201);
    const [document] = added.body.documents;
    expect(document).toMatchObject({ status: 'failed', size: cut.byteLength, chunks: 0 });
    expect(document.failure).toMatch(/not a readable PDF/);
    expect(await eventsOf(api, document.id)).toEqual(['DocumentAdded', 'DocumentUnreadable']);
  });

  it('reads a PDF whose text layer holds a NUL (which PostgreSQL cannot store) without it', async () => {
    const server = await startTestServer();
    const api = httpClient(server.url);
    const projectId = await newProject(api);
    const added = await uploadFiles(server.url, projectId, [
      { name: 'odd.pdf', type: 'application/pdf', bytes: await pdfWithNulInText() },
    ]);
    expect(added.status, added.text).toBe(201);
    const document = await settledDocument(api, added.body.documents[0].id);
    expect(document).toMatchObject({ status: 'ready', chunks: 1 });
    expect((await allChunks(api, document.id)).map((c: { text: string }) => c.text)).toEqual(['ABA']);
  });

  it("reads an HTML file as a reader sees it: its headings are the chunks' heading path, scripts and styles are not text", async () => {
    const server = await startTestServer({ chunkTokens: 40, chunkOverlap: 8 });
    const api = httpClient(server.url);
    const projectId = await newProject(api);
    const html = [
      '<!doctype html><html><head><title>Handbook</title>',
      '<style>body { color: secretstyle; }</style><script>var secretscript = 1;</script></head><body>',
      '<h1>Handbook</h1><p>Welcome to the handbook &amp; its pages.</p>',
      '<h2>Setup</h2><p>Plug the device in.</p><script>alert("secretinline")</script>',
      '<h3>Reset</h3><p>Hold the button for ten seconds to reset the device.</p>',
      '<h2>Care</h2><p>Keep it <b>dry</b> and away from heat.</p><noscript>secretnoscript</noscript>',
      '</body></html>',
    ].join('\n');
    const added = await uploadFiles(server.url, projectId, [{ name: 'handbook.html', type: 'text/html', bytes: html }]);
    expect(added.status).toBe(201);
    const document = await settledDocument(api, added.body.documents[0].id);
    expect(document).toMatchObject({ mime_type: 'text/html', status: 'ready' });
    const chunks = (await allChunks(api, document.id)) as (ApiChunk & { heading: string[] })[];
    const under = (words: string) => chunks.find((chunk) => chunk.text.includes(words))?.heading;
    expect(under('Welcome to the handbook & its pages.')).toEqual(['Handbook']);
    expect(under('Plug the device in.')).toEqual(['Handbook', 'Setup']);
    expect(under('ten seconds')).toEqual(['Handbook', 'Setup', 'Reset']);
    expect(under('Keep it dry and away from heat.')).toEqual(['Handbook', 'Care']);
    expect(chunks.filter((chunk) => /secret|color:|alert/.test(chunk.text))).toEqual([]);
    const download = await fetch(`${server.url}/api/documents/${document.id}/content`);
    expect(download.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await download.text()).toBe(html);
  });
});
