import { afterAll, describe, expect, it } from 'vitest';
import { rawExchange, type RawRequest } from '../../tools/llama-double/raw-exchange.js';
import { promptTokens } from '../../tools/llama-double/tokenizer.js';
import {
  modernRecording,
  modernRequest,
  startLlamaDouble,
  type LlamaDouble,
  type StartOptions,
} from '../support/llama-double.js';
import {
  contentOf,
  events,
  expectOneEventPerChunk,
  expectSameHeadAsCapture,
  reasoningOf,
  shape,
  shapeRuns,
} from './wire-assertions.js';

const doubles: LlamaDouble[] = [];

afterAll(async () => {
  await Promise.all(doubles.map((d) => d.close()));
});

async function modern(options: StartOptions = {}): Promise<LlamaDouble> {
  const double = await startLlamaDouble({ server: 'modern', ...options });
  doubles.push(double);
  return double;
}

const CLOSE: [string, string][] = [['Connection', 'close']];

/** The request of a capture, sent as the captures were: one request per connection. */
function asCaptured(name: string, changes: Record<string, unknown> = {}): RawRequest {
  return { method: 'POST', path: '/v1/chat/completions', body: { ...modernRequest(name), ...changes }, headers: CLOSE };
}

const get = (path: string): RawRequest => ({ method: 'GET', path, headers: CLOSE });

const json = (body: Buffer) => JSON.parse(body.toString()) as any;

/** A JSON body with the values that differ on every run (or between the model files) replaced. */
function withoutVolatile(body: any, volatile: string[]): any {
  return JSON.parse(JSON.stringify(body), (key, value) => (volatile.includes(key) ? '<volatile>' : value));
}

describe('a modern llama-server streaming a gpt-oss chat (a01, a02, a08)', () => {
  it('sends the head of a01, a role chunk, reasoning deltas, content deltas, a finish chunk with timings, [DONE]', async () => {
    const double = await modern({ reasoning: 'Think it over.', reply: 'Hello there.' });
    const stream = await rawExchange(double.url, asCaptured('a01_chat_stream'));
    const recorded = modernRecording('a01_chat_stream');
    expectSameHeadAsCapture(stream.recording, recorded);
    expect(stream.ending).toBe('complete');
    expectOneEventPerChunk(stream);
    const generated = events(stream.recording.body);
    expect(shapeRuns(generated)).toEqual(shapeRuns(events(recorded.body)));
    expect((generated[0]?.json as any).choices[0].delta).toEqual({ role: 'assistant', content: null });
    expect(reasoningOf(generated)).toBe('Think it over.');
    expect(contentOf(generated)).toBe('Hello there.');
    const finish = generated.at(-2)?.json as any;
    expect(finish.choices[0]).toEqual({ finish_reason: 'stop', index: 0, delta: {} });
    expect(finish.usage).toBeUndefined();
    expect(Object.keys(finish.timings)[0]).toBe('cache_n');
    expect(generated.at(-1)?.value).toBe('[DONE]');
  });

  it('never puts reasoning_content and content in one chunk, and sends no chunk between the two', async () => {
    const double = await modern({ reasoning: 'Two steps here.', reply: 'Done.' });
    const generated = events((await rawExchange(double.url, asCaptured('a01_chat_stream'))).recording.body);
    const deltas = generated.slice(1, -2).map((e) => (e.json as any).choices[0].delta);
    expect(deltas.every((delta) => Object.keys(delta).length === 1)).toBe(true);
    const kinds = deltas.map((delta) => Object.keys(delta)[0]);
    expect(kinds).toEqual([...kinds.filter((k) => k === 'reasoning_content'), ...kinds.filter((k) => k === 'content')]);
    expect(kinds).not.toContain(undefined);
  });

  it('names the served model (its path) in every chunk, whatever the request says', async () => {
    const double = await modern();
    const generated = events((await rawExchange(double.url, asCaptured('a01_chat_stream'))).recording.body);
    const models = new Set(generated.slice(0, -1).map((e) => (e.json as any).model));
    expect([...models]).toEqual(['models/tiny-gpt-oss.gguf']);
    expect(modernRequest('a01_chat_stream').model).toBe('tiny-gpt-oss');
  });

  it('with stream_options.include_usage: a bare finish chunk, then choices:[] with usage and timings, as a02', async () => {
    const double = await modern({ cachedTokens: 20 });
    const stream = await rawExchange(double.url, asCaptured('a02_chat_stream_usage'));
    const recorded = events(modernRecording('a02_chat_stream_usage').body);
    const generated = events(stream.recording.body);
    expect(shapeRuns(generated)).toEqual(shapeRuns(recorded));
    expect(shape(generated.at(-3)?.json)).toEqual(shape(recorded.at(-3)?.json));
    expect(shape(generated.at(-2)?.json)).toEqual(shape(recorded.at(-2)?.json));
    const last = generated.at(-2)?.json as any;
    const prompt = promptTokens(modernRequest('a02_chat_stream_usage').messages as any);
    expect(last.choices).toEqual([]);
    expect(last.usage.prompt_tokens).toBe(prompt);
    expect(last.usage.prompt_tokens_details).toEqual({ cached_tokens: 20 });
    expect(last.timings.cache_n).toBe(20);
    expect(last.timings.prompt_n + last.timings.cache_n).toBe(last.usage.prompt_tokens);
    expect(last.usage.completion_tokens).toBe(generated.length - 4);
  });

  it('cut by max_tokens while reasoning: only reasoning deltas and finish_reason length, as a08', async () => {
    const double = await modern({ reasoningTokens: 40 });
    const stream = await rawExchange(double.url, asCaptured('a08_chat_stream_cut_while_reasoning'));
    const recorded = events(modernRecording('a08_chat_stream_cut_while_reasoning').body);
    const generated = events(stream.recording.body);
    expect(shapeRuns(generated)).toEqual(shapeRuns(recorded));
    expect(contentOf(generated)).toBe('');
    expect(generated.filter((e) => (e.json as any)?.choices?.[0]?.delta?.reasoning_content)).toHaveLength(12);
    expect((generated.at(-3)?.json as any).choices[0].finish_reason).toBe('length');
  });
});

describe('a modern llama-server answering a chat at once (a03, a09, i03)', () => {
  it('sends the head and the JSON shape of a03: content, reasoning_content, usage details, timings after id', async () => {
    const double = await modern({ reasoning: 'Let me see.', reply: 'Hi.' });
    const answer = await rawExchange(double.url, asCaptured('a03_chat_nonstream'));
    const recorded = modernRecording('a03_chat_nonstream');
    expectSameHeadAsCapture(answer.recording, recorded);
    expect(shape(json(answer.recording.body))).toEqual(shape(json(recorded.body)));
    expect(json(answer.recording.body).choices[0].message).toEqual({
      role: 'assistant',
      content: 'Hi.',
      reasoning_content: 'Let me see.',
    });
  });

  it('cut while reasoning: content "" and the reasoning so far, finish_reason length, as a09', async () => {
    const double = await modern({ reasoningTokens: 40 });
    const answer = await rawExchange(double.url, asCaptured('a09_chat_nonstream_cut_while_reasoning'));
    const recorded = json(modernRecording('a09_chat_nonstream_cut_while_reasoning').body);
    const generated = json(answer.recording.body);
    expect(shape(generated)).toEqual(shape(recorded));
    expect(generated.choices[0].finish_reason).toBe('length');
    expect(generated.choices[0].message.content).toBe('');
    expect(generated.choices[0].message.reasoning_content).not.toBe('');
    expect(generated.usage.completion_tokens).toBe(12);
  });

  it('names the model by its alias when it has one, as i03', async () => {
    const double = await modern({ modelAlias: 'gpt-oss-tiny' });
    const answer = await rawExchange(double.url, asCaptured('i03_alias_chat'));
    expect(json(answer.recording.body).model).toBe(json(modernRecording('i03_alias_chat').body).model);
  });
});

const PEG_ERROR = 'The model produced output that does not match the expected peg-native format';

describe('a modern llama-server failing (b01, b02, b03, e01…e04, d01)', () => {
  it('a stream failing at once: the exact bytes of b01, one data error event and no [DONE]', async () => {
    const double = await modern({ failure: 'stream_error_data', failAfter: 0, errorMessage: PEG_ERROR });
    const stream = await rawExchange(double.url, asCaptured('b01_parse_error_stream'));
    const recorded = modernRecording('b01_parse_error_stream');
    expectSameHeadAsCapture(stream.recording, recorded);
    expect(stream.ending).toBe('complete');
    expect(stream.recording.body.toString()).toBe(recorded.body.toString());
  });

  it('a stream failing after reasoning began: role, reasoning deltas, the error event, no [DONE], as b03', async () => {
    const double = await modern({
      reasoningTokens: 40,
      failure: 'stream_error_data',
      failAfter: 29,
      errorMessage: PEG_ERROR,
    });
    const stream = await rawExchange(double.url, asCaptured('b03_parse_error_midstream'));
    const recorded = events(modernRecording('b03_parse_error_midstream').body);
    const generated = events(stream.recording.body);
    expect(shapeRuns(generated)).toEqual(shapeRuns(recorded));
    expect(generated).toHaveLength(recorded.length);
    expect(generated.at(-1)?.value).toBe(recorded.at(-1)?.value);
  });

  it('the same failure without streaming: the exact bytes of b02', async () => {
    const double = await modern({ failure: 'stream_error_data', errorMessage: PEG_ERROR });
    const answer = await rawExchange(double.url, asCaptured('b02_parse_error_nonstream'));
    const recorded = modernRecording('b02_parse_error_nonstream');
    expectSameHeadAsCapture(answer.recording, recorded);
    expect(answer.recording.body).toEqual(recorded.body);
  });

  it('a prompt of more tokens than a slot holds: 400 before any SSE, streaming or not, as e01 and e02', async () => {
    // The capture's model counts a token per byte, the double a token per word piece: its slot is made smaller.
    const double = await modern({ nCtx: 1024 });
    for (const name of ['e01_exceed_context_stream', 'e02_exceed_context_nonstream']) {
      const answer = await rawExchange(double.url, asCaptured(name));
      const recorded = modernRecording(name);
      expectSameHeadAsCapture(answer.recording, recorded);
      const tokens = promptTokens(modernRequest(name).messages as any);
      expect(tokens).toBeGreaterThan(1024);
      const expected = recorded.body.toString().replaceAll('3228', String(tokens)).replaceAll('2048', '1024');
      expect(answer.recording.body.toString()).toBe(expected);
    }
  });

  it('refuses by the context of the slot: a prompt that fits is answered, the same with a smaller n_ctx is not', async () => {
    const messages = [{ role: 'user', content: 'word '.repeat(100) }];
    const tokens = promptTokens(messages);
    const roomy = await modern({ nCtx: tokens + 1 });
    const request = { method: 'POST', path: '/v1/chat/completions', body: { messages, stream: true } };
    expect((await rawExchange(roomy.url, request)).recording.status).toBe(200);
    roomy.configure({ nCtx: tokens });
    const refused = await rawExchange(roomy.url, request);
    expect(refused.recording.status).toBe(400);
    expect(json(refused.recording.body).error).toMatchObject({ n_prompt_tokens: tokens, n_ctx: tokens });
  });

  it('the explicit context_overflow failure answers the modern 400 too', async () => {
    const double = await modern({ failure: 'context_overflow' });
    const answer = await rawExchange(double.url, asCaptured('a01_chat_stream'));
    expect(answer.recording.status).toBe(400);
    expect(json(answer.recording.body).error.type).toBe('exceed_context_size_error');
  });

  it('a body that is not JSON: the head and error shape of e03', async () => {
    const double = await modern();
    const answer = await rawExchange(double.url, {
      method: 'POST',
      path: '/v1/chat/completions',
      body: '{"model":"tiny-gpt-oss","messages":[{"role":"user","content":"Say hello."}],"stream":true',
      headers: CLOSE,
    });
    const recorded = modernRecording('e03_malformed_json');
    expectSameHeadAsCapture(answer.recording, recorded);
    expect(shape(json(answer.recording.body))).toEqual(shape(json(recorded.body)));
    expect(json(answer.recording.body).error.message).toMatch(/^\[json\.exception\.parse_error\.101\] /);
  });

  it('unknown paths and /health while loading: the exact bytes of e04, e04b and d01 (keys message, type, code)', async () => {
    const double = await modern();
    const post = await rawExchange(double.url, { ...asCaptured('e04_unknown_path'), path: '/v1/chat/completion' });
    expectSameHeadAsCapture(post.recording, modernRecording('e04_unknown_path'));
    expect(post.recording.body).toEqual(modernRecording('e04_unknown_path').body);
    const missing = await rawExchange(double.url, get('/v1/nothing-here'));
    expect(missing.recording.body).toEqual(modernRecording('e04b_unknown_path_get').body);

    double.setMode('loading');
    const loading = await rawExchange(double.url, get('/health'));
    expectSameHeadAsCapture(loading.recording, modernRecording('d01_health_loading_503'));
    expect(loading.recording.body).toEqual(modernRecording('d01_health_loading_503').body);
  });
});

describe('what a modern llama-server tells about itself (d02…d06, i01, i02)', () => {
  it('GET /health: the exact bytes of d02', async () => {
    const double = await modern();
    const health = await rawExchange(double.url, get('/health'));
    expectSameHeadAsCapture(health.recording, modernRecording('d02_health'));
    expect(health.recording.body).toEqual(modernRecording('d02_health').body);
  });

  it('GET /props: the keys and values of d03 but for the chat template and the random media marker', async () => {
    const double = await modern();
    const props = await rawExchange(double.url, get('/props'));
    const recorded = modernRecording('d03_props');
    expectSameHeadAsCapture(props.recording, recorded);
    const volatile = ['chat_template', 'media_marker'];
    expect(withoutVolatile(json(props.recording.body), volatile)).toEqual(
      withoutVolatile(json(recorded.body), volatile),
    );
    expect(json(props.recording.body).chat_template).toContain('reasoning_effort');
  });

  it('GET /props of a server with an alias: model_alias is the alias, model_path the file, as i01', async () => {
    const double = await modern({ modelAlias: 'gpt-oss-tiny' });
    const props = json((await rawExchange(double.url, get('/props'))).recording.body);
    const recorded = json(modernRecording('i01_alias_props').body);
    expect([props.model_alias, props.model_path]).toEqual([recorded.model_alias, recorded.model_path]);
  });

  it('GET /v1/models and /models: the body of d04 and d05 but for `created`', async () => {
    const double = await modern();
    for (const [path, name] of [
      ['/v1/models', 'd04_v1_models'],
      ['/models', 'd05_models'],
    ] as const) {
      const models = await rawExchange(double.url, get(path));
      expectSameHeadAsCapture(models.recording, modernRecording(name));
      const recorded = json(modernRecording(name).body);
      expect(withoutVolatile(json(models.recording.body), ['created'])).toEqual(withoutVolatile(recorded, ['created']));
    }
  });

  it('GET /v1/models of a server with an alias lists the alias, as i02', async () => {
    const double = await modern({ modelAlias: 'gpt-oss-tiny' });
    const models = json((await rawExchange(double.url, get('/v1/models'))).recording.body);
    const recorded = json(modernRecording('i02_alias_v1_models').body);
    expect(withoutVolatile(models, ['created'])).toEqual(withoutVolatile(recorded, ['created']));
  });

  it('GET /slots: one idle entry per slot, each as the never-used slot of d06', async () => {
    const double = await modern({ totalSlots: 3 });
    const slots = json((await rawExchange(double.url, get('/slots'))).recording.body);
    const recorded = json(modernRecording('d06_slots').body);
    expect(slots).toEqual([0, 1, 2].map((id) => ({ ...recorded[0], id })));
  });
});

describe('the modern head on a kept-alive connection and with an Origin', () => {
  it('ends with Keep-Alive (Node then adds Connection: keep-alive) and echoes the Origin', async () => {
    const double = await modern();
    const health = await rawExchange(double.url, {
      method: 'GET',
      path: '/health',
      headers: [['Origin', 'http://localhost:5173']],
    });
    expect(health.recording.headers).toEqual([
      ['Server', 'llama.cpp'],
      ['Access-Control-Allow-Origin', 'http://localhost:5173'],
      ['Content-Type', 'application/json; charset=utf-8'],
      ['Content-Length', '15'],
      ['Keep-Alive', 'timeout=5, max=100'],
      ['Connection', 'keep-alive'],
    ]);
  });
});

describe('choosing the build at runtime', () => {
  it('configure({server}) applies that build’s preset, options given with it win, reset() goes back', async () => {
    const double = await startLlamaDouble({ tokens: 2 });
    doubles.push(double);
    const request: RawRequest = { method: 'POST', path: '/v1/chat/completions', body: { messages: [], stream: true } };
    const b4748 = await rawExchange(double.url, request);
    expect(b4748.recording.headers[0]?.[0]).toBe('Keep-Alive');
    expect((events(b4748.recording.body).at(-2)?.json as any).usage).toBeDefined();

    double.configure({ server: 'modern' });
    const switched = events((await rawExchange(double.url, request)).recording.body);
    expect((switched[0]?.json as any).choices[0].delta).toEqual({ role: 'assistant', content: null });
    expect(reasoningOf(switched)).not.toBe('');
    expect((switched.at(-2)?.json as any).usage).toBeUndefined();

    double.configure({ server: 'modern', roleChunk: false, reasoningTokens: 0 });
    const tuned = events((await rawExchange(double.url, request)).recording.body);
    expect((tuned[0]?.json as any).choices[0].delta).toHaveProperty('content');
    expect(tuned.map((e) => (e.json as any)?.choices?.[0]?.delta?.role).filter(Boolean)).toEqual([]);
    expect(reasoningOf(tuned)).toBe('');

    double.reset();
    const back = await rawExchange(double.url, request);
    expect(back.recording.headers[0]?.[0]).toBe('Keep-Alive');
  });
});

describe('SSE keep-alive comments of the modern server (e09)', () => {
  it('fills a pause longer than the ping interval with `:` comment events as e09 has, each in its own chunk', async () => {
    const double = await modern({ reasoningTokens: 0, tokens: 3, tokenDelayMs: 250, ssePingMs: 100 });
    const { sse_ping_interval: _seconds, ...body } = modernRequest('e09_sse_ping_comment');
    const stream = await rawExchange(double.url, { method: 'POST', path: '/v1/chat/completions', body });
    expectOneEventPerChunk(stream);
    const generated = events(stream.recording.body);
    const recorded = events(modernRecording('e09_sse_ping_comment').body);
    const comment = (list: typeof generated) => list.filter((e) => e.field === 'comment');
    expect(comment(recorded)).toHaveLength(1);
    // Two pauses of 250 ms between three tokens, a ping at 100 and 200 ms into each.
    expect(comment(generated)).toEqual([
      ...comment(recorded),
      ...comment(recorded),
      ...comment(recorded),
      ...comment(recorded),
    ]);
    expect(generated.map((e) => e.field).slice(0, 4)).toEqual(['data', 'data', 'comment', 'comment']);
  });

  it('sends none when the request turns them off with sse_ping_interval -1 (the option otherwise applies)', async () => {
    const double = await modern({ reasoningTokens: 0, tokens: 2, tokenDelayMs: 250, ssePingMs: 100 });
    const stream = await rawExchange(double.url, asCaptured('e09_sse_ping_comment', { sse_ping_interval: -1 }));
    expect(events(stream.recording.body).filter((e) => e.field === 'comment')).toEqual([]);
  });
});
