import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_ROUTER, startLlamaDouble, type LlamaDouble } from '../support/llama-double.js';
import { httpClient } from '../support/http-client.js';
import { startTestServer } from '../support/test-server.js';

const doubles: LlamaDouble[] = [];

async function modelsFrom(start: Parameters<typeof startLlamaDouble>[0]) {
  const double = await startLlamaDouble(start);
  doubles.push(double);
  const server = await startTestServer({ llmApiUrl: double.url });
  const reply = await httpClient(server.url).get('/api/models');
  expect(reply.status).toBe(200);
  return { double, body: reply.body };
}

afterAll(async () => {
  for (const double of doubles.splice(0)) await double.close();
});

describe('GET /api/models', () => {
  it('describes the one model of a current server: file, context per slot, slots, size and capabilities', async () => {
    const { body } = await modelsFrom({ server: 'modern', modelAlias: 'gpt-oss-20b' });
    expect(body).toEqual({
      state: 'ready',
      router: false,
      autoload: null,
      error: null,
      models: [
        {
          id: 'gpt-oss-20b',
          aliases: expect.any(Array),
          status: 'ready',
          file: 'models/tiny-gpt-oss.gguf',
          n_ctx: 2048,
          n_ctx_train: expect.any(Number),
          slots: 2,
          n_params: expect.any(Number),
          size_bytes: expect.any(Number),
          capabilities: { reasoning: true, reasoning_effort: true, vision: false },
        },
      ],
    });
  });

  it('describes the model of an older server, saying null for what it does not tell', async () => {
    const { body } = await modelsFrom({});
    expect(body.state).toBe('ready');
    expect(body.models).toHaveLength(1);
    expect(body.models[0]).toMatchObject({ status: 'ready', n_ctx: 1024, slots: 2 });
    expect(body.models[0].capabilities).toEqual({ reasoning: null, reasoning_effort: null, vision: null });
  });

  it('lists every model of a router with its status, and the context of each loaded one', async () => {
    const { body } = await modelsFrom({
      router: {
        ...DEFAULT_ROUTER,
        autoload: false,
        models: [
          { id: 'gpt-oss-20b', status: 'loaded', nCtx: 8192 },
          { id: 'gpt-oss-120b', status: 'unloaded', nCtx: 16384 },
        ],
      },
    });
    expect(body).toMatchObject({ state: 'ready', router: true, autoload: false, error: null });
    expect(body.models.map((m: any) => [m.id, m.status])).toEqual([
      ['gpt-oss-20b', 'loaded'],
      ['gpt-oss-120b', 'unloaded'],
    ]);
    expect(body.models[0]).toMatchObject({ n_ctx: 8192, slots: 1, capabilities: { reasoning_effort: true } });
    expect(body.models[1]).toMatchObject({ file: null, slots: null });
  });

  it('says loading while llama.cpp loads its model, and unreachable when nothing answers', async () => {
    const { body: loading } = await modelsFrom({ mode: 'loading' });
    expect(loading).toMatchObject({ state: 'loading', models: [], error: expect.stringMatching(/loading/i) });
    const server = await startTestServer({ llmApiUrl: 'http://127.0.0.1:9' });
    const unreachable = await httpClient(server.url).get('/api/models');
    expect(unreachable.status).toBe(200);
    expect(unreachable.body).toMatchObject({ state: 'unreachable', models: [], error: expect.any(String) });
  });
});
