/** The knowledge API as the bench's scenarios call it: a project, uploads, indexing progress, queries. */

export async function newProject(url: string, name: string): Promise<string> {
  const created = await fetch(`${url}/api/projects`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  if (created.status !== 201) throw new Error(`creating a project answered ${created.status}`);
  return ((await created.json()) as { id: string }).id;
}

export async function newConversationIn(url: string, projectId: string): Promise<string> {
  const created = await fetch(`${url}/api/conversations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ project_id: projectId }),
  });
  if (created.status !== 201) throw new Error(`creating a conversation answered ${created.status}`);
  return ((await created.json()) as { id: string }).id;
}

/** POST /api/projects/:id/documents as JSON; resolves when the upload answered (the text extracted and stored). */
export async function upload(url: string, projectId: string, name: string, content: string): Promise<string> {
  const answer = await fetch(`${url}/api/projects/${projectId}/documents`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, content, mime_type: 'text/markdown' }),
  });
  const text = await answer.text();
  if (answer.status !== 201) throw new Error(`an upload answered ${answer.status}: ${text.slice(0, 300)}`);
  return (JSON.parse(text) as { documents: { id: string }[] }).documents[0]!.id;
}

export type Progress = { documents: number; cut: number; chunks: number; embedded: number; failed: number };

export async function progressOf(url: string, projectId: string): Promise<Progress> {
  const answer = await fetch(`${url}/api/projects/${projectId}/documents?limit=100`);
  if (answer.status !== 200) throw new Error(`listing documents answered ${answer.status}`);
  const { items: documents } = (await answer.json()) as {
    items: { chunks: number; failure: string | null; progress: { embedded: number; chunks: number } }[];
  };
  return {
    documents: documents.length,
    cut: documents.filter((d) => d.chunks > 0).length,
    chunks: documents.reduce((sum, d) => sum + d.progress.chunks, 0),
    embedded: documents.reduce((sum, d) => sum + d.progress.embedded, 0),
    failed: documents.filter((d) => d.failure !== null).length,
  };
}

/**
 * Polls the project's documents every `everyMs` until `done` says so; returns when each milestone was first seen
 * (performance.now()), so a caller can time cutting and embedding apart.
 */
export async function waitForIndexing(
  url: string,
  projectId: string,
  log: (line: string) => void,
  everyMs = 50,
): Promise<{ cutAt: number; embeddedAt: number; progress: Progress }> {
  let cutAt = Number.NaN;
  let lastLog = performance.now();
  for (;;) {
    const progress = await progressOf(url, projectId);
    const now = performance.now();
    if (progress.failed > 0) throw new Error(`${progress.failed} documents failed`);
    if (Number.isNaN(cutAt) && progress.cut === progress.documents) cutAt = now;
    if (!Number.isNaN(cutAt) && progress.embedded === progress.chunks) return { cutAt, embeddedAt: now, progress };
    if (now - lastLog > 15_000) {
      lastLog = now;
      log(`   ${progress.cut}/${progress.documents} documents cut, ${progress.embedded}/${progress.chunks} embedded`);
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export type QueryAnswer = { mode: string; chunks: { chunk_id: string; text: string }[] };

export async function query(url: string, projectId: string, q: string): Promise<QueryAnswer> {
  const answer = await fetch(`${url}/api/projects/${projectId}/knowledge/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ q }),
  });
  const text = await answer.text();
  if (answer.status !== 200) throw new Error(`a query answered ${answer.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as QueryAnswer;
}

/** The double's /v1/embeddings called straight, as the server calls it (fetch, keep-alive): the vectors and the time. */
export async function embedDirect(url: string, texts: string[]): Promise<{ ms: number; vectors: Float32Array[] }> {
  const started = performance.now();
  const answer = await fetch(`${url}/v1/embeddings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ input: texts }),
  });
  const body = (await answer.json()) as { data?: { embedding: number[] }[] };
  const ms = performance.now() - started;
  if (answer.status !== 200 || body.data?.length !== texts.length) {
    throw new Error(`the double's /v1/embeddings answered ${answer.status}`);
  }
  return { ms, vectors: body.data.map((d) => Float32Array.from(d.embedding)) };
}
