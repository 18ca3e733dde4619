import { expect } from 'vitest';
import type { HttpClient, Reply } from './http-client.js';

export type FileToSend = { name: string; type?: string; bytes: Uint8Array | string };

/** POSTs files as multipart/form-data, each a part named "file" (fetch writes the body and its boundary). */
export async function uploadFiles(baseUrl: string, projectId: string, files: FileToSend[]): Promise<Reply> {
  const form = new FormData();
  for (const file of files) {
    const bytes = typeof file.bytes === 'string' ? new TextEncoder().encode(file.bytes) : file.bytes;
    form.append('file', new Blob([bytes], file.type === undefined ? {} : { type: file.type }), file.name);
  }
  const response = await fetch(`${baseUrl}/api/projects/${projectId}/documents`, { method: 'POST', body: form });
  const text = await response.text();
  const body = /json/.test(response.headers.get('content-type') ?? '') ? JSON.parse(text) : undefined;
  return { status: response.status, headers: response.headers, body, text };
}

/** A document once it left `processing` (indexed or failed), polled through the API. */
export async function settledDocument(api: HttpClient, id: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reply = await api.get(`/api/documents/${id}?include_deleted=true`);
    expect(reply.status).toBe(200);
    if (reply.body.status !== 'processing') return reply.body;
    if (Date.now() > deadline) throw new Error(`document ${id} still processing: ${JSON.stringify(reply.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export async function newProject(api: HttpClient, name = 'Knowledge'): Promise<string> {
  const created = await api.post('/api/projects', { name });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

/** Every chunk of a document, page after page. */
export async function allChunks(api: HttpClient, documentId: string) {
  const chunks = [];
  let cursor: string | null = null;
  do {
    const reply: Reply = await api.get(
      `/api/documents/${documentId}/chunks?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
    );
    expect(reply.status).toBe(200);
    chunks.push(...reply.body.items);
    cursor = reply.body.next_cursor;
  } while (cursor);
  return chunks;
}
