import { describe, expect, it } from 'vitest';
import { apiSnapshot } from '../support/api-snapshot.js';
import { allChunks, newProject, settledDocument } from '../support/documents.js';
import { httpClient } from '../support/http-client.js';
import { textPdf } from '../support/pdf-files.js';
import { rawRequest } from '../support/raw-request.js';
import { startTestServer } from '../support/test-server.js';

const server = await startTestServer({ maxDocumentBytes: 4096 });
const api = httpClient(server.url);
const projectId = await newProject(api);
const BOUNDARY = 'x-boundary-7f3a';

/** `encodedFilename`: the RFC 5987 `filename*` parameter, percent-encoded UTF-8. */
type Part = { name?: string; filename?: string; encodedFilename?: string; type?: string; body: string | Buffer };

function multipart(parts: Part[], { close = true } = {}): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = [`form-data; name="${part.name ?? 'file'}"`];
    if (part.filename !== undefined) disposition.push(`filename="${part.filename}"`);
    if (part.encodedFilename !== undefined) disposition.push(`filename*=UTF-8''${part.encodedFilename}`);
    chunks.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: ${disposition.join('; ')}\r\n`));
    if (part.type) chunks.push(Buffer.from(`Content-Type: ${part.type}\r\n`));
    chunks.push(Buffer.from('\r\n'), Buffer.from(part.body), Buffer.from('\r\n'));
  }
  if (close) chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

const send = (body: Buffer, contentType = `multipart/form-data; boundary=${BOUNDARY}`) =>
  rawRequest(server.url, {
    method: 'POST',
    path: `/api/projects/${projectId}/documents`,
    headers: { 'content-type': contentType, 'content-length': String(body.length) },
    body,
  });

/** A refused upload answers a problem and leaves the log as it was. */
async function expectRefused(body: Buffer, status: number, detail: RegExp, contentType?: string) {
  const before = await apiSnapshot(api);
  const reply = await send(body, contentType);
  expect(reply.status, reply.text).toBe(status);
  expect(String(reply.headers['content-type'])).toMatch(/application\/problem\+json/);
  expect(JSON.parse(reply.text).detail).toMatch(detail);
  expect(await apiSnapshot(api)).toEqual(before);
}

describe('bad uploads', () => {
  it('refuses a multipart body without a file part (422), stores nothing', async () => {
    await expectRefused(multipart([{ name: 'note', body: 'hello' }]), 422, /file|field/);
  });

  it('refuses a part with an empty name, a field or a file, with 422 naming it', async () => {
    await expectRefused(multipart([{ name: '', body: 'hello' }]), 422, /without a name/);
    await expectRefused(
      multipart([{ name: '', filename: 'a.txt', type: 'text/plain', body: 'hello' }]),
      422,
      /without a name/,
    );
  });

  it('refuses a multipart body whose parts are all missing (only the closing boundary) with 422', async () => {
    await expectRefused(Buffer.from(`--${BOUNDARY}--\r\n`), 422, /file/);
  });

  it('refuses a multipart body cut off before its closing boundary with 400, stores nothing', async () => {
    const cut = multipart([{ filename: 'a.txt', type: 'text/plain', body: 'some words' }], { close: false });
    await expectRefused(cut.subarray(0, cut.length - 4), 400, /multipart|cut off/);
  });

  it('refuses a multipart request without a boundary with 400', async () => {
    await expectRefused(Buffer.from('whatever'), 400, /multipart/, 'multipart/form-data');
  });

  it('refuses a 300-character file name with 422 naming the limit', async () => {
    await expectRefused(
      multipart([{ filename: `${'n'.repeat(296)}.txt`, type: 'text/plain', body: 'words' }]),
      422,
      /255 characters/,
    );
  });

  it('refuses a file name holding a NUL character: 400 raw in the part header, 422 percent-encoded (as in JSON)', async () => {
    await expectRefused(multipart([{ filename: 'a\u0000b.txt', type: 'text/plain', body: 'words' }]), 400, /header/);
    await expectRefused(multipart([{ encodedFilename: 'a%00b.txt', type: 'text/plain', body: 'words' }]), 422, /NUL/);
  });

  it('refuses a file part without a file name with 422', async () => {
    await expectRefused(multipart([{ filename: '', type: 'text/plain', body: 'words' }]), 422, /file name/);
  });

  it('refuses a body of another media type with 415 naming the two it takes', async () => {
    await expectRefused(Buffer.from('name=a'), 415, /application\/json or multipart\/form-data/, 'text/plain');
  });

  it('records an empty file as failed, nothing else', async () => {
    const reply = await send(multipart([{ filename: 'empty.txt', type: 'text/plain', body: '' }]));
    expect(reply.status).toBe(201);
    const [document] = JSON.parse(reply.text).documents;
    expect(document).toMatchObject({ status: 'failed', size: 0 });
  });

  it('records text declared as a PDF as failed: not a readable PDF', async () => {
    const reply = await send(multipart([{ filename: 'fake.pdf', type: 'application/pdf', body: 'plain words' }]));
    expect(reply.status).toBe(201);
    const [document] = JSON.parse(reply.text).documents;
    expect(document.status).toBe('failed');
    expect(document.failure).toMatch(/PDF/);
  });

  it('reads a PDF declared as text/plain (or named .txt) as the PDF its bytes say it is', async () => {
    const pdf = Buffer.from(await textPdf([['Declared wrong, read right.']]));
    const reply = await send(multipart([{ filename: 'paper.txt', type: 'text/plain', body: pdf }]));
    expect(reply.status).toBe(201);
    const [document] = JSON.parse(reply.text).documents;
    expect(document).toMatchObject({ mime_type: 'application/pdf', pages: 1, size: pdf.length });
    expect(await settledDocument(api, document.id)).toMatchObject({ status: 'ready', chunks: 1 });
    expect((await allChunks(api, document.id)).map((c: { text: string }) => c.text)).toEqual([
      'Declared wrong, read right.',
    ]);
  });

  it('records a binary file declared as text as failed', async () => {
    const body = Buffer.from([0x00, 0xff, 0xfe, 0x00, 0x10, 0x80, 0x00]);
    const reply = await send(multipart([{ filename: 'blob.txt', type: 'text/plain', body }]));
    expect(reply.status).toBe(201);
    expect(JSON.parse(reply.text).documents[0].status).toBe('failed');
  });

  it('keeps two files of one name as two documents', async () => {
    const reply = await send(
      multipart([
        { filename: 'same.txt', type: 'text/plain', body: 'first text' },
        { filename: 'same.txt', type: 'text/plain', body: 'second text' },
      ]),
    );
    expect(reply.status).toBe(201);
    const documents = JSON.parse(reply.text).documents as { id: string; name: string }[];
    expect(documents.map((d) => d.name)).toEqual(['same.txt', 'same.txt']);
    expect(new Set(documents.map((d) => d.id)).size).toBe(2);
    for (const document of documents) expect((await settledDocument(api, document.id)).status).toBe('ready');
  });

  it('refuses a file over MAX_DOCUMENT_BYTES with 413 while it streams, stores nothing of the upload', async () => {
    await expectRefused(
      multipart([
        { filename: 'fine.txt', type: 'text/plain', body: 'fine' },
        { filename: 'big.txt', type: 'text/plain', body: 'x'.repeat(5000) },
      ]),
      413,
      /MAX_DOCUMENT_BYTES/,
    );
  });
});
