import { afterAll, describe, expect, it, vi } from 'vitest';
import { rawExchange, type RawRequest } from '../../tools/llama-double/raw-exchange.js';
import {
  modernRecording,
  modernRequest,
  startLlamaDouble,
  type LlamaDouble,
  type RouterOptions,
} from '../support/llama-double.js';
import { events, expectSameHeadAsCapture, shape, shapeRuns } from './wire-assertions.js';

const doubles: LlamaDouble[] = [];

afterAll(async () => {
  await Promise.all(doubles.map((d) => d.close()));
});

const A = 'tiny-gpt-oss';
const B = 'tiny-gpt-oss-b';

/** The router of the captures G (autoload off, two instances) or GA (autoload on, one instance). */
async function router(changes: Partial<RouterOptions> = {}): Promise<LlamaDouble> {
  const double = await startLlamaDouble({
    reasoningTokens: 12,
    router: {
      models: [
        { id: A, status: 'unloaded', nCtx: 4096 },
        { id: B, status: 'unloaded', nCtx: 4096 },
      ],
      autoload: false,
      maxInstances: 2,
      loadMs: 150,
      ...changes,
    },
  });
  doubles.push(double);
  return double;
}

const CLOSE: [string, string][] = [['Connection', 'close']];
const get = (path: string): RawRequest => ({ method: 'GET', path, headers: CLOSE });
const post = (path: string, body: unknown): RawRequest => ({ method: 'POST', path, body, headers: CLOSE });
const captured = (name: string) => post('/v1/chat/completions', modernRequest(name));
const json = (body: Buffer) => JSON.parse(body.toString()) as any;

async function statuses(double: LlamaDouble): Promise<Record<string, string>> {
  const models = json((await rawExchange(double.url, get('/models'))).recording.body);
  return Object.fromEntries(models.data.map((m: any) => [m.id, m.status.value]));
}

async function untilStatuses(double: LlamaDouble, expected: Record<string, string>): Promise<void> {
  await vi.waitFor(async () => expect(await statuses(double)).toEqual(expected), { timeout: 2_000, interval: 20 });
}

/** The bytes a router answers itself: the same as the capture, head included. */
async function expectCaptured(double: LlamaDouble, request: RawRequest, name: string): Promise<void> {
  const answer = await rawExchange(double.url, request);
  expectSameHeadAsCapture(answer.recording, modernRecording(name));
  expect(answer.recording.body.toString()).toBe(modernRecording(name).body.toString());
}

/** A /models body with what depends on the capture's run (time, ports, its extra child flags) set aside. */
function comparableModels(body: any): any {
  return {
    ...body,
    data: body.data.map((m: any) => ({ ...m, created: 0, status: { ...m.status, args: [], preset: '' } })),
  };
}

describe('the double as a llama-server router (captures g01…g21)', () => {
  it('answers /health and its own /props as g01 and g03, and lists both models unloaded as g02', async () => {
    const double = await router();
    await expectCaptured(double, get('/health'), 'g01_router_health');
    await expectCaptured(double, get('/props'), 'g03_router_props');
    const models = await rawExchange(double.url, get('/models'));
    expectSameHeadAsCapture(models.recording, modernRecording('g02_router_models_unloaded'));
    const recorded = json(modernRecording('g02_router_models_unloaded').body);
    expect(comparableModels(json(models.recording.body))).toEqual(comparableModels(recorded));
    const args = json(models.recording.body).data[0].status.args;
    expect(args.slice(args.indexOf('--port'), args.indexOf('--port') + 6)).toEqual([
      ...['--port', '0', '--alias', A, '--ctx-size', '4096'],
    ]);
  });

  it('loads a model asynchronously: {"success":true} at once, `loading` in /models, then `loaded` with meta', async () => {
    const double = await router();
    await expectCaptured(double, post('/models/load', { model: A }), 'g04_models_load');
    expect(await statuses(double)).toEqual({ [A]: 'loading', [B]: 'unloaded' });
    await untilStatuses(double, { [A]: 'loaded', [B]: 'unloaded' });
    const models = json((await rawExchange(double.url, get('/models'))).recording.body);
    expect(comparableModels(models)).toEqual(
      comparableModels(json(modernRecording('g06_router_models_a_loaded').body)),
    );
    await expectCaptured(double, post('/models/load', { model: A }), 'g21_models_load_already_running');
  });

  it('routes chats by `model`, named by their model id, relayed with the proxy head of g07 and g08', async () => {
    const double = await router({ models: [{ id: A, status: 'loaded', nCtx: 4096 }] });
    const answer = await rawExchange(double.url, captured('g07_chat_model_a'));
    const recorded = modernRecording('g07_chat_model_a');
    expectSameHeadAsCapture(answer.recording, recorded);
    expect(shape(json(answer.recording.body))).toEqual(shape(json(recorded.body)));
    expect(json(answer.recording.body).model).toBe(A);

    const stream = await rawExchange(double.url, captured('g08_chat_stream_model_a'));
    const recordedStream = modernRecording('g08_chat_stream_model_a');
    expectSameHeadAsCapture(stream.recording, recordedStream);
    expect(shapeRuns(events(stream.recording.body))).toEqual(shapeRuns(events(recordedStream.body)));
    expect((events(stream.recording.body)[0]?.json as any).model).toBe(A);
  });

  it('refuses chats to an unloaded model, an unknown one and one without `model`: the bytes of g09, g10, g11', async () => {
    const double = await router();
    await expectCaptured(double, captured('g09_chat_model_b_not_loaded'), 'g09_chat_model_b_not_loaded');
    await expectCaptured(double, captured('g10_chat_unknown_model'), 'g10_chat_unknown_model');
    await expectCaptured(double, captured('g11_chat_no_model_field'), 'g11_chat_no_model_field');
    expect(await statuses(double)).toEqual({ [A]: 'unloaded', [B]: 'unloaded' });
  });

  it('answers GET /props?model= with that child’s props (g15), 400 for an unknown model (g15b)', async () => {
    const double = await router({ models: [{ id: A, status: 'loaded', nCtx: 4096 }] });
    const props = await rawExchange(double.url, get(`/props?model=${A}`));
    const recorded = modernRecording('g15_router_props_model_a');
    expectSameHeadAsCapture(props.recording, recorded);
    const volatile = (body: any) => ({ ...body, chat_template: '', media_marker: '' });
    expect(volatile(json(props.recording.body))).toEqual(volatile(json(recorded.body)));
    await expectCaptured(double, get('/props?model=no-such-model'), 'g15b_router_props_unknown_model');
  });

  it('unloads asynchronously: still `loaded` right after (g17), then `unloaded` (g18); again is refused (g20)', async () => {
    const double = await router({
      models: [
        { id: A, status: 'loaded', nCtx: 4096 },
        { id: B, status: 'loaded', nCtx: 4096 },
      ],
    });
    const both = json((await rawExchange(double.url, get('/models'))).recording.body);
    expect(comparableModels(both)).toEqual(
      comparableModels(json(modernRecording('g13_router_models_both_loaded').body)),
    );
    await expectCaptured(double, post('/models/unload', { model: A }), 'g16_models_unload');
    expect(await statuses(double)).toEqual({ [A]: 'loaded', [B]: 'loaded' });
    await untilStatuses(double, { [A]: 'unloaded', [B]: 'loaded' });
    const after = json((await rawExchange(double.url, get('/models'))).recording.body);
    expect(comparableModels(after)).toEqual(
      comparableModels(json(modernRecording('g18_router_models_a_unloaded').body)),
    );
    const v1 = json((await rawExchange(double.url, get('/v1/models'))).recording.body);
    expect(comparableModels(v1)).toEqual(comparableModels(json(modernRecording('g19_router_v1_models').body)));
    await expectCaptured(double, post('/models/unload', { model: A }), 'g20_models_unload_not_running');
  });

  it('a chat to a model still loading waits for it and is answered', async () => {
    const double = await router();
    await rawExchange(double.url, post('/models/load', { model: B }));
    const answer = await rawExchange(double.url, captured('g14_chat_model_b'));
    expect(answer.recording.status).toBe(200);
    expect(json(answer.recording.body).model).toBe(B);
    expect(await statuses(double)).toEqual({ [A]: 'unloaded', [B]: 'loaded' });
  });
});

describe('the double as a router that loads models on demand (captures h00…h04)', () => {
  it('loads the model a chat names, and evicts the least recently used one beyond max_instances', async () => {
    const double = await router({ autoload: true, maxInstances: 1 });
    await expectCaptured(double, get('/props'), 'h00_autoload_router_props');
    const first = await rawExchange(double.url, captured('h01_autoload_chat_model_b'));
    expectSameHeadAsCapture(first.recording, modernRecording('h01_autoload_chat_model_b'));
    expect(json(first.recording.body).model).toBe(B);
    const loadedB = json((await rawExchange(double.url, get('/models'))).recording.body);
    expect(comparableModels(loadedB)).toEqual(
      comparableModels(json(modernRecording('h02_autoload_models_b_loaded').body)),
    );

    const second = await rawExchange(double.url, captured('h03_autoload_chat_model_a_evicts_b'));
    expect(json(second.recording.body).model).toBe(A);
    const evicted = json((await rawExchange(double.url, get('/models'))).recording.body);
    const recorded = json(modernRecording('h04_autoload_models_after_eviction').body);
    expect(comparableModels(evicted)).toEqual(comparableModels(recorded));
  });
});

describe('per-model context in the router', () => {
  const models = [
    { id: 'big', status: 'loaded' as const, nCtx: 8192 },
    { id: 'small', status: 'loaded' as const, nCtx: 256 },
  ];

  it('shows each model’s n_ctx in /props?model= and /models meta, and refuses a prompt only where it does not fit', async () => {
    const double = await router({ models });
    for (const { id, nCtx } of models) {
      const props = json((await rawExchange(double.url, get(`/props?model=${id}`))).recording.body);
      expect([props.default_generation_settings.n_ctx, props.model_alias, props.total_slots]).toEqual([nCtx, id, 1]);
    }
    const listed = json((await rawExchange(double.url, get('/models'))).recording.body);
    expect(listed.data.map((m: any) => m.meta.n_ctx)).toEqual([8192, 256]);

    const messages = [{ role: 'user', content: 'word '.repeat(400) }];
    const big = await rawExchange(double.url, post('/v1/chat/completions', { model: 'big', messages }));
    expect(big.recording.status).toBe(200);
    const small = await rawExchange(double.url, post('/v1/chat/completions', { model: 'small', messages }));
    expect(small.recording.status).toBe(400);
    expect(json(small.recording.body).error).toMatchObject({ type: 'exceed_context_size_error', n_ctx: 256 });
  });

  it('reports the router models and their status to the test through routerModels()', async () => {
    const double = await router({ models });
    await rawExchange(double.url, post('/models/unload', { model: 'small' }));
    await vi.waitFor(() => expect(double.routerModels().map((m) => m.status)).toEqual(['loaded', 'unloaded']), {
      timeout: 2_000,
      interval: 20,
    });
    expect(double.routerModels().map((m) => [m.id, m.nCtx])).toEqual([
      ['big', 8192],
      ['small', 256],
    ]);
  });
});
