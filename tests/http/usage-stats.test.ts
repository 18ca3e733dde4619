import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectors } from '../../projections/projectors.js';
import { rebuildProjections } from '../../projections/rebuild.js';
import { answeredAt, type DatedAnswer } from '../support/dated-commands.js';
import { httpClient, type HttpClient } from '../support/http-client.js';
import { recording, startLlamaDouble, type LlamaDouble, type Recording } from '../support/llama-double.js';
import { openSse } from '../support/sse-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const CHAT = 'POST /v1/chat/completions';

let double: LlamaDouble;
let server: TestServer;
let api: HttpClient;

beforeAll(async () => {
  double = await startLlamaDouble();
  // A /props naming no model: each answer then takes the model its stream names, so one server sees two models.
  const props = JSON.parse(recording('props.txt').body.toString()) as Record<string, unknown>;
  delete props.model_path;
  double.route('GET /props', () => ({ ...recording('props.txt'), body: Buffer.from(JSON.stringify(props)) }));
  server = await startTestServer({ llmApiUrl: double.url });
  api = httpClient(server.url);
});

afterAll(async () => {
  await double.close();
});

/**
 * The captured llama.cpp stream (tests/fixtures/llama-cpp/chat_stream.txt) naming `model`; its finish chunk says
 * usage.completion_tokens 16 and timings prompt_n 28, prompt_ms 0.854, predicted_n 16, predicted_ms 3.659,
 * unless `figures` replaces them.
 */
function capturedStream(model: string, figures?: { tokens: number; timings: Record<string, number> }): Recording {
  const captured = recording('chat_stream.txt');
  let body = captured.body.toString().replaceAll('"model":"gpt-3.5-turbo"', `"model":"${model}"`);
  if (figures) {
    const usage = { completion_tokens: figures.tokens, prompt_tokens: 0, total_tokens: figures.tokens };
    body = body
      .replace(/"usage":\{[^}]*\}/, `"usage":${JSON.stringify(usage)}`)
      .replace(/"timings":\{[^}]*\}/, `"timings":${JSON.stringify(figures.timings)}`);
  }
  return { ...captured, body: Buffer.from(body) };
}

async function newProject(): Promise<string> {
  return (await api.post('/api/projects', { name: 'Usage' })).body.id as string;
}

async function newConversation(projectId: string): Promise<string> {
  const created = await api.post('/api/conversations', { project_id: projectId });
  expect(created.status, created.text).toBe(201);
  return created.body.id as string;
}

/** Asks through the chat API, llama.cpp answering with `stream`; returns the ids and how the stream ended. */
async function ask(conversationId: string, stream: Recording | string) {
  double.route(CHAT, () => stream);
  const events = await (
    await openSse(`${server.url}/api/chat/stream`, { body: { conversation_id: conversationId, message: 'Hi?' } })
  ).ended;
  const start = events[0]!.json as { user_message_id: string; message_id: string };
  return { questionId: start.user_message_id, answerId: start.message_id, end: events.at(-1)!.event };
}

async function react(messageId: string, reaction: 'thumbs_up' | 'thumbs_down' | null) {
  expect((await api.patch(`/api/messages/${messageId}/reaction`, { reaction })).status).toBe(200);
}

async function usage(params: Record<string, string>) {
  return api.get(`/api/stats/usage?${new URLSearchParams(params)}`);
}

async function figures(params: Record<string, string>) {
  const reply = await usage(params);
  expect(reply.status, reply.text).toBe(200);
  return reply.body as { items: Record<string, unknown>[]; total: Record<string, unknown> };
}

const completionMs = async (id: string) => (await api.get(`/api/messages/${id}`)).body.completion_time_ms as number;
const mean = (values: number[]) => Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 10) / 10;

const none = {
  failed: 0,
  cancelled: 0,
  thumbs_up: 0,
  thumbs_down: 0,
};

describe('GET /api/stats/usage', () => {
  it("adds up answers per model and per day, with speeds from llama.cpp's own timings, exactly", async () => {
    const projectId = await newProject();
    const id = await newConversation(projectId);
    const alpha1 = await ask(id, capturedStream('alpha-7b'));
    const alpha2 = await ask(id, capturedStream('alpha-7b'));
    const beta = await ask(
      id,
      capturedStream('beta-13b', {
        tokens: 40,
        timings: { prompt_n: 100, prompt_ms: 50, predicted_n: 40, predicted_ms: 2000 },
      }),
    );
    const failed = await ask(id, 'err_ctx_exceeded_chat_stream.txt');
    expect([alpha1.end, alpha2.end, beta.end, failed.end]).toEqual(['complete', 'complete', 'complete', 'error']);
    await react(alpha1.answerId, 'thumbs_up');
    await react(alpha1.answerId, 'thumbs_down');
    await react(alpha2.answerId, 'thumbs_up');
    await react(alpha2.answerId, null);
    await react(beta.answerId, 'thumbs_up');
    await react(beta.questionId, 'thumbs_up');
    const [ms1, ms2, ms3] = await Promise.all([alpha1, alpha2, beta].map((a) => completionMs(a.answerId)));

    const byModel = await figures({ project_id: projectId, group_by: 'model' });
    expect(byModel.items).toEqual([
      {
        model: 'alpha-7b',
        ...none,
        messages: 2,
        completed: 2,
        completion_tokens: 32,
        prompt_tokens: 56,
        average_completion_ms: mean([ms1!, ms2!]),
        // 2 x 16 tokens in 2 x 3.659 ms; 2 x 28 prompt tokens in 2 x 0.854 ms
        tokens_per_second: 4372.78,
        prompt_tokens_per_second: 32786.89,
        thumbs_down: 1,
      },
      {
        model: 'beta-13b',
        ...none,
        messages: 1,
        completed: 1,
        completion_tokens: 40,
        prompt_tokens: 100,
        average_completion_ms: ms3,
        tokens_per_second: 20,
        prompt_tokens_per_second: 2000,
        thumbs_up: 1,
      },
      {
        model: null,
        ...none,
        messages: 1,
        completed: 0,
        failed: 1,
        completion_tokens: 0,
        prompt_tokens: 0,
        average_completion_ms: null,
        tokens_per_second: null,
        prompt_tokens_per_second: null,
      },
    ]);
    const total = {
      messages: 4,
      completed: 3,
      failed: 1,
      cancelled: 0,
      completion_tokens: 72,
      prompt_tokens: 156,
      average_completion_ms: mean([ms1!, ms2!, ms3!]),
      tokens_per_second: 35.87,
      prompt_tokens_per_second: 3016.94,
      thumbs_up: 1,
      thumbs_down: 1,
    };
    expect(byModel.total).toEqual(total);

    const byDay = await figures({ project_id: projectId });
    expect(byDay.total).toEqual(total);
    const days = await Promise.all(
      [alpha1, alpha2, beta, failed].map(async (a) => (await api.get(`/api/messages/${a.answerId}`)).body.created_at),
    );
    expect(byDay.items.map((item) => item.day)).toEqual([...new Set(days.map((at: string) => at.slice(0, 10)))]);
    expect(await usage({ project_id: projectId })).toMatchObject({
      body: { group_by: 'day', project_id: projectId, from: null, to: null },
    });
  });

  it('counts the answers started in the range: dates are whole UTC days, date-times are instants, to excluded', async () => {
    const projectId = await newProject();
    const id = await newConversation(projectId);
    const answer = (tokens: number): DatedAnswer => ({
      model: 'm',
      tokens,
      completion_time_ms: 100,
      timings: { prompt_n: 10, prompt_ms: 5, predicted_n: tokens, predicted_ms: 1000 },
    });
    await answeredAt(server.services, id, '2025-03-01T23:59:59.999Z', answer(1));
    await answeredAt(server.services, id, '2025-03-02T00:00:00.000Z', answer(2));
    await answeredAt(server.services, id, '2025-03-02T12:00:00.000Z', answer(4));
    await answeredAt(server.services, id, '2025-03-03T08:00:00.000Z', answer(8));
    const stopped = await answeredAt(server.services, id, '2025-03-02T06:00:00.000Z', 'cancelled');
    await react(stopped.answerId, 'thumbs_down');

    const perDay = await figures({ project_id: projectId });
    const columns = ['day', 'messages', 'completed', 'cancelled', 'completion_tokens', 'tokens_per_second'];
    expect(perDay.items.map((d) => columns.map((c) => d[c]))).toEqual([
      ['2025-03-01', 1, 1, 0, 1, 1],
      ['2025-03-02', 3, 2, 1, 6, 3],
      ['2025-03-03', 1, 1, 0, 8, 8],
    ]);
    expect(perDay.total).toMatchObject({
      messages: 5,
      completed: 4,
      cancelled: 1,
      completion_tokens: 15,
      tokens_per_second: 3.75,
      average_completion_ms: 100,
      thumbs_down: 1,
    });

    const tokensIn = async (from: string, to?: string) =>
      (await figures({ project_id: projectId, from, ...(to ? { to } : {}) })).total.completion_tokens;
    expect(await tokensIn('2025-03-02', '2025-03-02')).toBe(6);
    expect(await tokensIn('2025-03-01', '2025-03-02')).toBe(7);
    expect(await tokensIn('2025-03-02T00:00:00Z', '2025-03-02T12:00:00Z')).toBe(2);
    expect(await tokensIn('2025-03-02T12:00:00.000Z')).toBe(12);
    expect(await tokensIn('2025-03-02T01:00:00+01:00', '2025-03-03')).toBe(14);
    expect((await usage({ project_id: projectId, from: '2025-03-02', to: '2025-03-02' })).body).toMatchObject({
      from: '2025-03-02T00:00:00.000Z',
      to: '2025-03-03T00:00:00.000Z',
    });
  });

  it('counts the answers of an imported conversation like the originals: their model, tokens, timings, reaction and day', async () => {
    const from = await newProject();
    const id = await newConversation(from);
    const answer = await ask(id, capturedStream('gamma-3b'));
    await react(answer.answerId, 'thumbs_up');
    const file = (await api.get(`/api/conversations/${id}/export`)).body;
    const into = await newProject();
    const imported = await api.post(`/api/conversations/import?project_id=${into}`, file);
    expect(imported.status, imported.text).toBe(201);

    const original = await figures({ project_id: from, group_by: 'model' });
    const copy = await figures({ project_id: into, group_by: 'model' });
    expect(copy.items).toEqual(original.items);
    expect(copy.items).toEqual([
      expect.objectContaining({ model: 'gamma-3b', messages: 1, completion_tokens: 16, tokens_per_second: 4372.78 }),
    ]);
    expect((await figures({ project_id: into })).items).toEqual((await figures({ project_id: from })).items);
  });

  it('refuses a malformed from, to or group_by, and a from after to, with a 422 naming the parameter', async () => {
    const refused: [Record<string, string>, string][] = [
      [{ from: '2025-02-30' }, 'query/from'],
      [{ from: 'yesterday' }, 'query/from'],
      [{ to: '2025-03-01T10:00:00' }, 'query/to'],
      [{ to: '2025-3-1' }, 'query/to'],
      [{ from: '2025-03-02', to: '2025-03-01' }, 'query/from'],
      [{ from: '2025-03-01T10:00:00Z', to: '2025-03-01T10:00:00Z' }, 'query/from'],
      [{ group_by: 'week' }, 'query/group_by'],
      [{ project_id: 'nope' }, 'query/project_id'],
    ];
    for (const [params, path] of refused) {
      const reply = await usage(params);
      expect(reply.status, JSON.stringify(params)).toBe(422);
      expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(
        reply.body.errors.map((e: { path: string }) => e.path),
        JSON.stringify(params),
      ).toContain(path);
    }
  });

  it('follows the conversation: a move takes its answers along, a delete hides them until restored, a purge erases them', async () => {
    const first = await newProject();
    const second = await newProject();
    const id = await newConversation(first);
    const kept = await newConversation(second);
    const answer: DatedAnswer = {
      model: 'm',
      tokens: 5,
      completion_time_ms: 10,
      timings: { prompt_n: 1, prompt_ms: 1, predicted_n: 5, predicted_ms: 10 },
    };
    await answeredAt(server.services, id, '2025-04-01T10:00:00.000Z', answer);
    await answeredAt(server.services, kept, '2025-04-01T10:00:00.000Z', answer);
    const answers = async (projectId: string) => (await figures({ project_id: projectId })).total.messages;
    expect([await answers(first), await answers(second)]).toEqual([1, 1]);

    expect((await api.patch(`/api/conversations/${id}`, { project_id: second })).status).toBe(200);
    expect([await answers(first), await answers(second)]).toEqual([0, 2]);
    expect((await figures({ project_id: first })).items).toEqual([]);

    expect((await api.delete(`/api/conversations/${id}`)).status).toBe(204);
    expect(await answers(second)).toBe(1);
    expect((await api.post(`/api/conversations/${id}/restore`)).status).toBe(200);
    expect(await answers(second)).toBe(2);
    expect((await api.delete(`/api/projects/${second}`)).status).toBe(204);
    expect(await answers(second)).toBe(0);
    expect((await api.post(`/api/projects/${second}/restore`)).status).toBe(200);

    expect((await api.delete(`/api/conversations/${id}?purge=true`)).status).toBe(204);
    expect(await answers(second)).toBe(1);
    const before = await figures({ group_by: 'model' });
    await rebuildProjections(server.services.db.em(), projectors);
    expect(await figures({ group_by: 'model' })).toEqual(before);
    expect(await answers(second)).toBe(1);
  });
});
