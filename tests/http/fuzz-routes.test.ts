import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/ids.js';
import { apiSnapshot, type ApiSnapshot } from '../support/api-snapshot.js';
import { exchange } from '../support/commands.js';
import { multipartBodies } from '../support/fuzz-multipart.js';
import { requestsFor } from '../support/fuzz-requests.js';
import { settledDocument } from '../support/documents.js';
import { httpClient, type HttpClient } from '../support/http-client.js';
import { operationsOf, type Operation } from '../support/openapi-operations.js';
import { imageOnlyPdf, textPdf } from '../support/pdf-files.js';
import { rawRequest, type RawReply, type RawRequest } from '../support/raw-request.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * Every operation of GET /openapi.json gets random and malformed requests. The test server's llama.cpp is
 * unreachable, so a valid chat or regenerate is answered with its documented 503 problem, after storing the
 * question and the failed answer as documented: a documented 503 is the one answer that may change state.
 */
// 20 runs per operation keep the file near a minute on PostgreSQL; FUZZ_RUNS=500 digs deeper.
const RUNS = Number(process.env.FUZZ_RUNS ?? 20);

// Started while the file is collected: the tests are made from the document this server serves.
const server: TestServer = await startTestServer();
const api: HttpClient = httpClient(server.url);
const operations: Operation[] = operationsOf((await api.get('/openapi.json')).body);
/** Ids of what exists: projects, conversations (one deleted), messages and a chat session. */
const ids: string[] = [];
const samples = {
  pdf: await textPdf([['A page of text to read.'], ['And a second page.']]),
  scan: await imageOnlyPdf(1),
};
/** The state after the last request, when nothing failed since. */
let known: ApiSnapshot | undefined;

beforeAll(seed);

async function seed(): Promise<void> {
  const project = (await api.post('/api/projects', { name: 'Fuzzed' })).body;
  const gone = (await api.post('/api/projects', { name: 'Deleted' })).body;
  expect((await api.delete(`/api/projects/${gone.id}`)).status).toBe(204);
  const conversation = (await api.post('/api/conversations', { project_id: project.id, title: 'Fuzzed' })).body;
  const deleted = (await api.post('/api/conversations', { title: 'Deleted' })).body;
  const { userId, assistantId } = await exchange(server.services, conversation.id, 'Question?', 'Answer.');
  const failed = await api.post('/api/chat/stream', { conversation_id: conversation.id, message: 'Unanswered' });
  expect(failed.status).toBe(503);
  const messages = (await api.get(`/api/conversations/${conversation.id}/messages`)).body.items;
  const sessions = messages.map((m: { metadata: { session_id?: string } }) => m.metadata.session_id).filter(Boolean);
  expect(sessions.length).toBeGreaterThan(0);
  expect((await api.delete(`/api/conversations/${deleted.id}`)).status).toBe(204);
  ids.push(project.id, gone.id, conversation.id, deleted.id, userId, assistantId, ...sessions, uuidv7());
}

const PROBLEM_TYPE = /^application\/problem\+json/;

/** What every answer must be: documented, never a 5xx but the documented 503, a problem+json when it is an error. */
function checkAnswer(operation: Operation, request: RawRequest, reply: RawReply): void {
  const context = `${request.method} ${request.path.slice(0, 300)} -> ${reply.status} ${reply.text.slice(0, 300)}`;
  expect(reply.status >= 500 && reply.status !== 503, `a 5xx: ${context}`).toBe(false);
  expect(operation.statuses.has(reply.status), `undocumented status: ${context}`).toBe(true);
  if (reply.status < 400) return;
  expect(String(reply.headers['content-type']), `not problem+json: ${context}`).toMatch(PROBLEM_TYPE);
  const body = JSON.parse(reply.text) as Record<string, unknown>;
  expect(body, context).toMatchObject({
    type: expect.any(String),
    title: expect.any(String),
    status: reply.status,
    detail: expect.any(String),
  });
}

/** The report with long runs of one character (oversized headers, huge strings) cut short; the seed stays. */
const shortened = (report: string) => report.replace(/(.)\1{40,}/gs, (run, char: string) => `${char}…(${run.length}×)`);

describe('fuzzing every operation of the OpenAPI document', () => {
  it('finds every route the app mounts in the document', () => {
    expect(operations.length).toBeGreaterThanOrEqual(20);
    expect(operations.map((o) => o.operationId)).toEqual(expect.arrayContaining(['streamChat', 'listEvents']));
  });

  for (const operation of operations) {
    it(`${operation.method} ${operation.path} answers random and malformed requests with a documented status, never a 5xx or a hang; a rejected one is problem+json and changes nothing`, async () => {
      await checkRequests(operation, requestsFor(operation, ids), RUNS);
    }, 120_000);
  }

  it('POST /api/projects/{id}/documents answers random multipart uploads (no file part, empty files, types declared wrong, cut PDFs and bodies, long names, one name twice) with a documented status, never a 5xx; a refused one stores no document and no event, an accepted one exactly its files', async () => {
    const upload = operations.find((o) => o.operationId === 'addDocuments')!;
    const requests = multipartBodies(samples).map((body): RawRequest => ({
      method: 'POST',
      path: `/api/projects/${ids[0]}/documents`,
      headers: { 'content-type': body.contentType },
      body: body.text,
    }));
    await checkRequests(upload, requests, RUNS * 5);
  }, 240_000);
});

/** Each request answered as documented; a refused one changes nothing, an accepted upload adds just its files. */
async function checkRequests(operation: Operation, requests: fc.Arbitrary<RawRequest>, numRuns: number) {
  const outcome = await fc.check(
    fc.asyncProperty(requests, async (request) => {
      const before = known ?? (await apiSnapshot(api));
      known = undefined;
      const reply = await rawRequest(server.url, request);
      checkAnswer(operation, request, reply);
      const added = reply.status === 201 ? addedDocuments(reply) : [];
      // A document re-indexed is cut again in the background, as an upload is.
      const reindexed = operation.operationId === 'reindexDocument' && reply.status === 200;
      const indexing = reindexed ? [(JSON.parse(reply.text) as { id: string }).id] : added;
      // Indexed in the background: settled first, so what indexing appends is not taken for the next request's doing.
      for (const id of indexing) await settledDocument(api, id);
      const after = await apiSnapshot(api);
      if (reply.status >= 400 && reply.status !== 503) {
        expect(after, `${operation.operationId} changed state on ${reply.status}`).toEqual(before);
      }
      if (operation.operationId === 'addDocuments' && reply.status === 201) {
        const projectId = /^\/api\/projects\/([^/?]+)/.exec(request.path)![1]!;
        const known = new Set((before.documents[projectId] ?? []).map((d) => (d as { id: string }).id));
        const fresh = (after.documents[projectId] ?? [])
          .map((d) => (d as { id: string }).id)
          .filter((id) => !known.has(id));
        expect(fresh.sort(), 'the documents stored are those answered').toEqual([...added].sort());
      }
      known = after;
    }),
    { numRuns },
  );
  if (outcome.failed) {
    const cause =
      outcome.errorInstance instanceof Error ? outcome.errorInstance.message : String(outcome.errorInstance);
    throw new Error(shortened(`${fc.defaultReportMessage(outcome) ?? 'failed'}\nCause: ${cause}`));
  }
}

function addedDocuments(reply: RawReply): string[] {
  const body = JSON.parse(reply.text) as { documents?: { id: string }[] };
  return (body.documents ?? []).map((d) => d.id);
}
