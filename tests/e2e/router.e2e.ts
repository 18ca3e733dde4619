import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpClient, type HttpClient } from '../support/http-client.js';
import { ROUTER, startRealLlamaServer, type RealLlamaServer } from '../support/real-llama-server.js';
import { startTestServer } from '../support/test-server.js';

let llama: RealLlamaServer;
let api: HttpClient;

beforeAll(async () => {
  llama = await startRealLlamaServer(ROUTER);
  const app = await startTestServer({ llmApiUrl: llama.url });
  api = httpClient(app.url);
});

afterAll(async () => {
  await llama?.close();
});

async function servedModels(): Promise<Record<string, any>> {
  const reply = await api.get('/api/models');
  expect(reply.status, reply.text).toBe(200);
  return reply.body as Record<string, any>;
}

describe('GET /api/models of a real llama-server in router mode', () => {
  it('lists both models of its models dir as unloaded, autoload off, with nothing known of their context', async () => {
    const body = await servedModels();
    expect(body).toMatchObject({ state: 'ready', router: true, autoload: false, error: null });
    expect(body.models.map((model: any) => [model.id, model.status]).sort()).toEqual([
      ['tiny-gpt-oss', 'unloaded'],
      ['tiny-gpt-oss-b', 'unloaded'],
    ]);
    for (const model of body.models) expect(model).toMatchObject({ file: null, n_ctx: null, slots: null });
  });

  it('describes a model once llama.cpp loaded it (file, 4096 tokens in its one slot, reasoning_effort), the other still unloaded', async () => {
    const load = await fetch(`${llama.url}/models/load`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'tiny-gpt-oss' }),
    });
    expect(load.status).toBe(200);
    await expect
      .poll(async () => (await servedModels()).models.find((model: any) => model.id === 'tiny-gpt-oss')?.status, {
        timeout: 30_000,
        interval: 200,
      })
      .toBe('loaded');
    const body = await servedModels();
    const byId = Object.fromEntries(body.models.map((model: any) => [model.id, model]));
    expect(byId['tiny-gpt-oss']).toEqual({
      id: 'tiny-gpt-oss',
      aliases: [],
      status: 'loaded',
      file: 'router-models/tiny-gpt-oss.gguf',
      n_ctx: 4096,
      n_ctx_train: 4096,
      slots: 1,
      n_params: expect.any(Number),
      size_bytes: expect.any(Number),
      capabilities: { reasoning: true, reasoning_effort: true, vision: false },
    });
    expect(byId['tiny-gpt-oss-b']).toMatchObject({ status: 'unloaded', file: null });
  });
});
