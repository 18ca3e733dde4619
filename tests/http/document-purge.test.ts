import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { projectors } from '../../projections/projectors.js';
import { rebuildProjections } from '../../projections/rebuild.js';
import { parseDatabaseUrl } from '../../src/db/database-url.js';
import { runSql } from '../../src/db/run-sql.js';
import { allChunks, newProject, settledDocument, uploadFiles } from '../support/documents.js';
import { httpClient, type HttpClient } from '../support/http-client.js';
import { tableRows } from '../support/read-model-rows.js';
import { tracesOf } from '../support/traces.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const secret = () => `private${Math.random().toString(36).slice(2, 12)}note`;

async function documentWithSecret(server: TestServer, api: HttpClient, projectId: string, text: string) {
  const added = await uploadFiles(server.url, projectId, [
    { name: `${text}.md`, type: 'text/markdown', bytes: `# Heading ${text}\n\nThe body says ${text} twice: ${text}.` },
  ]);
  expect(added.status).toBe(201);
  const id = added.body.documents[0].id as string;
  await settledDocument(api, id);
  return id;
}

const fileRows = async (server: TestServer) =>
  (await runSql<{ n: number | string }>(server.services.db.em(), 'select count(*) as n from document_files'))[0]!.n;

describe('purging documents', () => {
  it('erases the file, the name, the text and the chunks of a purged document, leaving a tombstone with its id', async () => {
    const server = await startTestServer();
    const api = httpClient(server.url);
    const projectId = await newProject(api);
    const text = secret();
    const id = await documentWithSecret(server, api, projectId, text);
    const kept = await documentWithSecret(server, api, projectId, secret());
    expect(await tracesOf(server.database.url, text)).not.toEqual([]);

    expect((await api.delete(`/api/documents/${id}?purge=true`)).status).toBe(204);
    expect((await api.get(`/api/documents/${id}?include_deleted=true`)).status).toBe(404);
    expect((await fetch(`${server.url}/api/documents/${id}/content`)).status).toBe(404);
    expect((await api.get(`/api/documents/${id}/chunks`)).status).toBe(404);
    expect(Number(await fileRows(server))).toBe(1);
    const events = (await api.get('/api/events?limit=500')).body.items as { stream_id: string; type: string }[];
    expect(events.filter((e) => e.stream_id === id)).toEqual([
      expect.objectContaining({ type: 'DocumentPurged', data: { document_id: id } }),
    ]);
    expect(JSON.stringify(events)).not.toContain(text);
    expect(await tracesOf(server.database.url, text)).toEqual([]);
    const target = parseDatabaseUrl(server.database.url);
    if (target.kind === 'sqlite') {
      const raw = new Database(target.file);
      raw.exec('vacuum');
      raw.close();
      expect(await tracesOf(server.database.url, text)).toEqual([]);
    }
    expect((await allChunks(api, kept)).length).toBeGreaterThan(0);
  });

  it('keeps the bytes of a file another document holds too, until the last one goes', async () => {
    const server = await startTestServer();
    const api = httpClient(server.url);
    const projectId = await newProject(api);
    const same = { name: 'same.txt', bytes: 'The very same bytes.' };
    const added = await uploadFiles(server.url, projectId, [same, same]);
    const [first, second] = added.body.documents.map((d: { id: string }) => d.id);
    expect(Number(await fileRows(server))).toBe(1);
    expect((await api.delete(`/api/documents/${first}?purge=true`)).status).toBe(204);
    const download = await fetch(`${server.url}/api/documents/${second}/content`);
    expect(await download.text()).toBe('The very same bytes.');
    expect((await api.delete(`/api/documents/${second}?purge=true`)).status).toBe(204);
    expect(Number(await fileRows(server))).toBe(0);
  });

  it("erases a purged project's documents with it, soft-deleted ones too", async () => {
    const server = await startTestServer();
    const api = httpClient(server.url);
    const projectId = await newProject(api);
    const text = secret();
    const id = await documentWithSecret(server, api, projectId, text);
    const deleted = await documentWithSecret(server, api, projectId, text);
    expect((await api.delete(`/api/documents/${deleted}`)).status).toBe(204);
    expect((await api.delete(`/api/projects/${projectId}?purge=true`)).status).toBe(204);
    for (const gone of [id, deleted]) {
      expect((await api.get(`/api/documents/${gone}?include_deleted=true`)).status).toBe(404);
    }
    expect(Number(await fileRows(server))).toBe(0);
    expect(await tracesOf(server.database.url, text)).toEqual([]);
  });

  it('keeps the read models with documents in them what a replay of the log builds', async () => {
    const server = await startTestServer({ chunkTokens: 40, chunkOverlap: 8 });
    const api = httpClient(server.url);
    const projectId = await newProject(api);
    const purged = await documentWithSecret(server, api, projectId, secret());
    const id = await documentWithSecret(server, api, projectId, secret());
    await uploadFiles(server.url, projectId, [{ name: 'empty.txt', bytes: '' }]);
    expect((await api.delete(`/api/documents/${id}`)).status).toBe(204);
    expect((await api.delete(`/api/documents/${purged}?purge=true`)).status).toBe(204);
    await server.services.knowledge.stop();

    const inline = await tableRows(server.database.url);
    expect(inline.documents).toHaveLength(2);
    expect(inline.knowledge_chunks!.length).toBeGreaterThan(0);
    await rebuildProjections(server.services.db.em(), projectors);
    expect(await tableRows(server.database.url)).toEqual(inline);
  });
});
