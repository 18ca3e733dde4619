import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  createLlamaClient,
  LlmError,
  type ChatChunk,
  type ChatMessage,
  type LlamaClient,
} from '../../src/llm/llama-client.js';
import { pieces } from '../../tools/llama-double/tokenizer.js';
import {
  DEFAULT_ROUTER,
  recording,
  startLlamaDouble,
  type LlamaDouble,
  type Recording,
  type StartOptions,
} from '../support/llama-double.js';

const doubles: LlamaDouble[] = [];

afterAll(async () => {
  await Promise.all(doubles.map((d) => d.close()));
});

async function llama(options: StartOptions = {}): Promise<LlamaDouble> {
  const double = await startLlamaDouble(options);
  doubles.push(double);
  return double;
}

const TIMEOUTS = { firstTokenTimeoutMs: 5_000, idleTimeoutMs: 5_000 };
const MESSAGES: ChatMessage[] = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: 'Hello?' },
];
const CHAT = 'POST /v1/chat/completions';

function client(double: LlamaDouble | string, timeouts = TIMEOUTS): LlamaClient {
  return createLlamaClient(typeof double === 'string' ? double : double.url, timeouts);
}

/** The chunks one by one, whatever network reads they came in. */
async function* flat(batches: AsyncIterable<ChatChunk[]>): AsyncGenerator<ChatChunk> {
  for await (const batch of batches) yield* batch;
}

function stream(llm: LlamaClient, signal = new AbortController().signal): AsyncIterable<ChatChunk> {
  return flat(llm.streamChat({ messages: MESSAGES }, signal));
}

async function collect(chunks: AsyncIterable<ChatChunk>): Promise<ChatChunk[]> {
  const all: ChatChunk[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return all;
}

/** What the iteration yielded before it threw, and what it threw. */
async function failure(chunks: AsyncIterable<ChatChunk>): Promise<{ yielded: ChatChunk[]; error: unknown }> {
  const yielded: ChatChunk[] = [];
  try {
    for await (const chunk of chunks) yielded.push(chunk);
  } catch (error) {
    return { yielded, error };
  }
  throw new Error(`the stream did not fail; it yielded ${JSON.stringify(yielded)}`);
}

const text = (chunks: ChatChunk[], type: 'delta' | 'reasoning' = 'delta') =>
  chunks.map((c) => (c.type === type ? c.content : '')).join('');

/** A recording with the stream body given, answered as llama.cpp b4748 frames a stream. */
function streamRecording(body: string): Recording {
  return { ...recording('chat_stream.txt'), body: Buffer.from(body) };
}

/** A port nothing listens on: a double's, once it is closed. */
async function deadUrl(): Promise<string> {
  const double = await startLlamaDouble();
  await double.close();
  return double.url;
}

function expectLlmError(error: unknown, type: LlmError['type'], message?: RegExp, status?: number): void {
  expect(error).toBeInstanceOf(LlmError);
  const llmError = error as LlmError;
  expect(llmError.type).toBe(type);
  if (message) expect(llmError.message).toMatch(message);
  expect(llmError.status).toBe(status);
}

describe('streamChat: a completion that goes well', () => {
  it('posts the messages with stream: true, include_usage and only the options that were given', async () => {
    const double = await llama({ tokens: 1 });
    const llm = client(double);
    await collect(
      flat(
        llm.streamChat(
          { messages: MESSAGES, options: { max_tokens: 50, temperature: 0.3, top_p: 0.9, stop: ['\n\n'] } },
          new AbortController().signal,
        ),
      ),
    );
    expect(double.last(CHAT)?.json).toEqual({
      messages: MESSAGES,
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 50,
      temperature: 0.3,
      top_p: 0.9,
      stop: ['\n\n'],
    });
    await collect(
      flat(llm.streamChat({ messages: MESSAGES, options: { temperature: 0 } }, new AbortController().signal)),
    );
    expect(double.last(CHAT)?.json).toEqual({
      messages: MESSAGES,
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0,
    });
  });

  it('yields every content delta in order, then one finish with finish_reason, usage, timings and model', async () => {
    const reply = 'Hello there, how are you today?';
    const double = await llama({ reply });
    const chunks = await collect(stream(client(double)));
    expect(chunks.slice(0, -1)).toEqual(pieces(reply).map((content) => ({ type: 'delta', content })));
    const finish = chunks.at(-1);
    expect(finish).toEqual({
      type: 'finish',
      finish_reason: 'stop',
      completion_tokens: pieces(reply).length,
      prompt_tokens: expect.any(Number),
      timings: {
        prompt_n: expect.any(Number),
        prompt_ms: expect.any(Number),
        predicted_n: pieces(reply).length,
        predicted_ms: expect.any(Number),
      },
      model: 'gpt-3.5-turbo',
    });
  });

  it('reads the captured chat_stream.txt: its deltas, finish_reason length, usage and timings', async () => {
    const double = await llama();
    double.route(CHAT, () => 'chat_stream.txt');
    const chunks = await collect(stream(client(double)));
    const captured = recording('chat_stream.txt')
      .body.toString()
      .split('\n\n')
      .filter((event) => event.startsWith('data: {'))
      .map((event) => JSON.parse(event.slice(6)).choices[0].delta.content ?? '')
      .join('');
    expect(text(chunks)).toBe(captured);
    expect(chunks.filter((c) => c.type === 'delta')).toHaveLength(16);
    expect(chunks.at(-1)).toEqual({
      type: 'finish',
      finish_reason: 'length',
      completion_tokens: 16,
      prompt_tokens: 29,
      timings: { prompt_n: 28, prompt_ms: 0.854, predicted_n: 16, predicted_ms: 3.659 },
      model: 'gpt-3.5-turbo',
    });
  });

  it('yields each delta as it arrives: the first one long before the stream ends', async () => {
    const double = await llama({ tokens: 5, tokenDelayMs: 100 });
    const started = performance.now();
    const arrivals: { at: number; sentByDouble: number }[] = [];
    for await (const chunk of stream(client(double))) {
      if (chunk.type === 'delta') {
        arrivals.push({ at: performance.now() - started, sentByDouble: double.last(CHAT)?.tokensSent ?? 0 });
      }
    }
    const total = performance.now() - started;
    expect(arrivals).toHaveLength(5);
    expect(arrivals[0]!.sentByDouble).toBeLessThanOrEqual(2);
    expect(total - arrivals[0]!.at).toBeGreaterThan(300);
    for (let i = 1; i < arrivals.length; i++) expect(arrivals[i]!.at - arrivals[i - 1]!.at).toBeGreaterThan(60);
  });

  it('ends with finish_reason length when max_tokens is reached', async () => {
    const double = await llama({ tokens: 10 });
    const llm = client(double);
    const chunks = await collect(
      flat(llm.streamChat({ messages: MESSAGES, options: { max_tokens: 4 } }, new AbortController().signal)),
    );
    expect(chunks.filter((c) => c.type === 'delta')).toHaveLength(4);
    expect(chunks.at(-1)).toMatchObject({ type: 'finish', finish_reason: 'length', completion_tokens: 4 });
  });

  it('skips the role-only first chunk of newer servers and yields reasoning_content deltas as reasoning', async () => {
    const double = await llama({ roleChunk: true, reasoning: 'The user greets; greet back.', reply: 'Hi!' });
    const chunks = await collect(stream(client(double)));
    expect(chunks.map((c) => c.type)).toEqual([
      ...pieces('The user greets; greet back.').map(() => 'reasoning'),
      ...pieces('Hi!').map(() => 'delta'),
      'finish',
    ]);
    expect(text(chunks, 'reasoning')).toBe('The user greets; greet back.');
    expect(text(chunks)).toBe('Hi!');
  });

  it('emits one finish after [DONE] when usage comes in a last chunk with empty choices', async () => {
    const double = await llama({ tokens: 3, usage: 'separate' });
    const chunks = await collect(stream(client(double)));
    const finishes = chunks.filter((c) => c.type === 'finish');
    expect(finishes).toHaveLength(1);
    expect(chunks.at(-1)).toMatchObject({
      type: 'finish',
      finish_reason: 'stop',
      completion_tokens: 3,
      prompt_tokens: expect.any(Number),
      timings: { predicted_n: 3 },
    });
  });

  it('finishes with null token counts when the server sends no usage', async () => {
    const double = await llama({ tokens: 2, usage: 'none' });
    const chunks = await collect(stream(client(double)));
    expect(chunks.at(-1)).toMatchObject({
      type: 'finish',
      completion_tokens: null,
      prompt_tokens: null,
      timings: { predicted_n: 2 },
    });
  });

  it('finishes when the stream ends after the finish chunk without data: [DONE]', async () => {
    const double = await llama();
    const body = recording('chat_stream.txt').body.toString().replace('data: [DONE]\n\n', '');
    double.route(CHAT, () => streamRecording(body));
    const chunks = await collect(stream(client(double)));
    expect(chunks.at(-1)).toMatchObject({ type: 'finish', finish_reason: 'length', completion_tokens: 16 });
  });

  it('yields the deltas of one network read as one batch, in order, so they can be relayed in one write', async () => {
    const double = await llama();
    // A recording is answered in one write, which arrives in one read.
    double.route(CHAT, () => 'chat_stream.txt');
    const batches: ChatChunk[][] = [];
    for await (const batch of client(double).streamChat({ messages: MESSAGES }, new AbortController().signal)) {
      batches.push(batch);
    }
    const deltas = batches.flat().filter((c) => c.type === 'delta');
    expect(deltas).toHaveLength(16);
    expect(batches[0]!.filter((c) => c.type === 'delta')).toEqual(deltas);
    expect(batches.at(-1)).toEqual([expect.objectContaining({ type: 'finish' })]);
  });

  it('reassembles CRLF lines and UTF-8 characters split across HTTP chunks', async () => {
    const reply = 'Привет 🦙 мир, naïve café 日本語';
    const double = await llama({ reply, lineEnding: '\r\n', splitBytes: 3 });
    const chunks = await collect(stream(client(double)));
    expect(text(chunks)).toBe(reply);
    expect(chunks.at(-1)?.type).toBe('finish');
  });
});

describe('streamChat: llama.cpp failures are LlmErrors', () => {
  it('the old-style `error:` line of err_ctx_exceeded_chat_stream.txt is context_overflow', async () => {
    const double = await llama();
    double.route(CHAT, () => 'err_ctx_exceeded_chat_stream.txt');
    const { yielded, error } = await failure(stream(client(double)));
    expect(yielded).toEqual([]);
    expectLlmError(error, 'context_overflow', /exceeds the available context size/);
  });

  it('a newer `data: {"error"}` event saying the context is exceeded is context_overflow', async () => {
    const double = await llama({ failure: 'context_overflow', errorStyle: 'data' });
    expectLlmError((await failure(stream(client(double)))).error, 'context_overflow', /exceeds the available context/);
  });

  it('other in-stream errors, old and new style, are llm_error with the server message', async () => {
    const double = await llama({ failure: 'stream_error_line', failAfter: 2 });
    const llm = client(double);
    const line = await failure(stream(llm));
    expect(line.yielded.map((c) => c.type)).toEqual(['delta', 'delta']);
    expectLlmError(line.error, 'llm_error', /^simulated stream_error_line$/);

    double.configure({ failure: 'stream_error_data', errorMessage: 'decode failed' });
    const data = await failure(stream(llm));
    expect(data.yielded).toHaveLength(2);
    expectLlmError(data.error, 'llm_error', /^decode failed$/);
  });

  it('HTTP 400 saying the context is exceeded is context_overflow with status 400', async () => {
    const double = await llama({ failure: 'context_overflow', errorStyle: 'http' });
    expectLlmError((await failure(stream(client(double)))).error, 'context_overflow', /exceeds the available/, 400);
  });

  it("a current server's 400 exceed_context_size_error carries the prompt's size and the slot's context", async () => {
    const double = await llama({ server: 'modern', nCtx: 256 });
    const long = { messages: [{ role: 'user' as const, content: 'word '.repeat(400) }] };
    const { error } = await failure(flat(client(double).streamChat(long, new AbortController().signal)));
    expectLlmError(error, 'context_overflow', /exceeds the available context size/, 400);
    expect((error as LlmError).overflow).toEqual({ n_prompt_tokens: expect.any(Number), n_ctx: 256 });
    expect((error as LlmError).overflow!.n_prompt_tokens).toBeGreaterThan(256);
  });

  it('another HTTP error status is llm_error with the server message and the status', async () => {
    const double = await llama({ failure: 'http_error', httpStatus: 500, errorMessage: 'Only one completion choice' });
    expectLlmError((await failure(stream(client(double)))).error, 'llm_error', /^Only one completion choice$/, 500);
  });

  it('HTTP 503 while the model loads is llm_unavailable', async () => {
    const double = await llama({ mode: 'loading' });
    expectLlmError((await failure(stream(client(double)))).error, 'llm_unavailable', /Loading model/, 503);
  });

  it('a malformed line is llm_error, after the deltas before it', async () => {
    const double = await llama({ failure: 'malformed', failAfter: 2 });
    const { yielded, error } = await failure(stream(client(double)));
    expect(yielded).toHaveLength(2);
    expectLlmError(error, 'llm_error', /malformed line/);
  });

  it('a stream cut mid-line (disconnect_chat_stream.txt) is llm_error', async () => {
    const double = await llama();
    double.route(CHAT, () => 'disconnect_chat_stream.txt');
    const { yielded, error } = await failure(stream(client(double)));
    expect(yielded.length).toBeGreaterThan(20);
    expectLlmError(error, 'llm_error', /malformed line/);
  });

  it('a stream that ends without a finish is llm_error "stream ended without a finish"', async () => {
    const double = await llama({ failure: 'no_finish', failAfter: 3 });
    const { yielded, error } = await failure(stream(client(double)));
    expect(yielded).toHaveLength(3);
    expectLlmError(error, 'llm_error', /^stream ended without a finish$/);
  });

  it('a connection reset mid-stream is llm_error, after the deltas that came', async () => {
    const double = await llama({ failure: 'reset', failAfter: 2 });
    const { yielded, error } = await failure(stream(client(double)));
    expect(yielded).toHaveLength(2);
    expectLlmError(error, 'llm_error', /broke off/);
  });

  it('a refused connection is llm_unavailable', async () => {
    const url = await deadUrl();
    expectLlmError((await failure(stream(client(url)))).error, 'llm_unavailable', /unreachable/);
  });

  it('a host name that does not resolve is llm_unavailable', async () => {
    const { error } = await failure(stream(client('http://llama-double.invalid:8080')));
    expectLlmError(error, 'llm_unavailable', /unreachable/);
  });
});

describe('streamChat: timeouts', () => {
  it('no first token within firstTokenTimeoutMs is a timeout, and the upstream connection is closed', async () => {
    const double = await llama({ failure: 'stall_first' });
    const started = performance.now();
    const { error } = await failure(stream(client(double, { firstTokenTimeoutMs: 200, idleTimeoutMs: 5_000 })));
    const elapsed = performance.now() - started;
    expectLlmError(error, 'timeout', /no first token .* 200 ms/);
    expect(elapsed).toBeGreaterThanOrEqual(195);
    expect(elapsed).toBeLessThan(1_500);
    await vi.waitFor(() => expect(double.last(CHAT)?.clientClosed).toBe(true), { timeout: 1_000, interval: 5 });
  });

  it('a server that never answers the request at all times out at firstTokenTimeoutMs too', async () => {
    const double = await llama({ mode: 'silent' });
    const { error } = await failure(stream(client(double, { firstTokenTimeoutMs: 200, idleTimeoutMs: 5_000 })));
    expectLlmError(error, 'timeout', /no first token/);
  });

  it('no line within idleTimeoutMs after the first is a timeout, after the deltas that came', async () => {
    const double = await llama({ failure: 'stall_after', failAfter: 2 });
    const { yielded, error } = await failure(
      stream(client(double, { firstTokenTimeoutMs: 5_000, idleTimeoutMs: 200 })),
    );
    expect(yielded).toHaveLength(2);
    expectLlmError(error, 'timeout', /no data .* 200 ms/);
    await vi.waitFor(() => expect(double.last(CHAT)?.clientClosed).toBe(true), { timeout: 1_000, interval: 5 });
  });

  it('a consumer slower than idleTimeoutMs is not mistaken for a silent server', async () => {
    const double = await llama({ tokens: 4, tokenDelayMs: 150 });
    const chunks: ChatChunk[] = [];
    for await (const chunk of stream(client(double, { firstTokenTimeoutMs: 5_000, idleTimeoutMs: 100 }))) {
      chunks.push(chunk);
      await sleep(250);
    }
    expect(chunks.map((c) => c.type)).toEqual(['delta', 'delta', 'delta', 'delta', 'finish']);
  });
});

describe('streamChat: cancel', () => {
  it('leaves the connection of a stream read to its end open (keep-alive), also after the next stream', async () => {
    const double = await llama({ tokens: 3 });
    const llm = client(double);
    await collect(stream(llm));
    const first = double.last(CHAT)!;
    await sleep(50);
    expect(first.closedAt).toBeNull();
    await collect(stream(llm));
    await sleep(50);
    expect(first.closedAt).toBeNull();
    expect(double.last(CHAT)!.closedAt).toBeNull();
  });

  it('an abort mid-stream throws the signal reason, not an LlmError, and closes the socket in 100 ms', async () => {
    const double = await llama({ tokens: 100, tokenDelayMs: 20 });
    const controller = new AbortController();
    const yielded: ChatChunk[] = [];
    let abortedAt = 0;
    let thrown: unknown;
    try {
      for await (const chunk of stream(client(double), controller.signal)) {
        yielded.push(chunk);
        if (yielded.length === 2) {
          abortedAt = performance.now();
          controller.abort();
        }
      }
    } catch (error) {
      thrown = error;
    }
    expect(yielded).toHaveLength(2);
    expect(thrown).not.toBeInstanceOf(LlmError);
    expect(thrown).toBe(controller.signal.reason);
    expect((thrown as DOMException).name).toBe('AbortError');
    const request = double.last(CHAT)!;
    await vi.waitFor(() => expect(request.closedAt).not.toBeNull(), { timeout: 1_000, interval: 2 });
    expect(request.clientClosed).toBe(true);
    expect(request.closedAt! - abortedAt).toBeLessThan(100);
    expect(request.tokensSent).toBeLessThan(100);
  });

  it('an abort while waiting for a line rejects that wait with the reason, socket closed in 100 ms', async () => {
    const double = await llama({ failure: 'stall_after', failAfter: 1 });
    const controller = new AbortController();
    const iterator = stream(client(double), controller.signal)[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ type: 'delta' });
    const waiting = iterator.next();
    await sleep(50);
    const reason = new Error('the user pressed stop');
    const abortedAt = performance.now();
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    const request = double.last(CHAT)!;
    await vi.waitFor(() => expect(request.closedAt).not.toBeNull(), { timeout: 1_000, interval: 2 });
    expect(request.clientClosed).toBe(true);
    expect(request.closedAt! - abortedAt).toBeLessThan(100);
  });

  it('an abort before the first token throws the reason and closes the upstream socket', async () => {
    const double = await llama({ failure: 'stall_first' });
    const controller = new AbortController();
    let abortedAt = 0;
    setTimeout(() => {
      abortedAt = performance.now();
      controller.abort();
    }, 100);
    const { error } = await failure(stream(client(double), controller.signal));
    expect(performance.now() - abortedAt).toBeLessThan(100);
    expect(error).toBe(controller.signal.reason);
    const request = double.last(CHAT)!;
    await vi.waitFor(() => expect(request.closedAt).not.toBeNull(), { timeout: 1_000, interval: 2 });
    expect(request.clientClosed).toBe(true);
    expect(request.closedAt! - abortedAt).toBeLessThan(100);
  });

  it('an already aborted signal throws its reason without calling llama.cpp', async () => {
    const double = await llama();
    const { error } = await failure(stream(client(double), AbortSignal.abort()));
    expect((error as DOMException).name).toBe('AbortError');
    expect(double.count(CHAT)).toBe(0);
  });

  it('a consumer that stops iterating early releases the upstream connection', async () => {
    const double = await llama({ tokens: 100, tokenDelayMs: 20 });
    for await (const chunk of stream(client(double))) {
      expect(chunk.type).toBe('delta');
      break;
    }
    await vi.waitFor(() => expect(double.last(CHAT)?.clientClosed).toBe(true), { timeout: 1_000, interval: 5 });
    expect(double.last(CHAT)!.tokensSent).toBeLessThan(100);
  });
});

describe('props', () => {
  it('reads n_ctx per slot, total_slots and the model file name from the recorded props.txt of b4748', async () => {
    const double = await llama();
    double.route('GET /props', () => 'props.txt');
    expect(await client(double).props()).toEqual({ n_ctx: 1024, total_slots: 2, model_name: 'tiny-random-llama.gguf' });
  });

  it('reads a top-level n_ctx and model_alias of newer servers', async () => {
    const double = await llama({ propsStyle: 'newer', nCtx: 8192, totalSlots: 4, modelAlias: 'gpt-oss-20b' });
    expect(await client(double).props()).toEqual({ n_ctx: 8192, total_slots: 4, model_name: 'gpt-oss-20b' });
  });

  it('is fetched once and cached, also for concurrent callers', async () => {
    const double = await llama();
    const llm = client(double);
    const all = await Promise.all([llm.props(), llm.props(), llm.props()]);
    expect(await llm.props()).toEqual(all[0]);
    expect(double.count('GET /props')).toBe(1);
  });

  it('is asked again once PROPS_TTL_MS passed, in the background: a server restarted with another model is noticed', async () => {
    const double = await llama({ propsStyle: 'newer', nCtx: 4096, modelAlias: 'first' });
    const llm = createLlamaClient(double.url, { firstTokenTimeoutMs: 2_000, idleTimeoutMs: 2_000, propsTtlMs: 200 });
    expect(await llm.props()).toMatchObject({ n_ctx: 4096, model_name: 'first' });
    double.configure({ nCtx: 16384, modelAlias: 'second' });
    expect(await llm.props()).toMatchObject({ model_name: 'first' });
    expect(double.count('GET /props')).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 250));
    // Stale: answered at once, as it was, while the fresh props are fetched; the next ask has them.
    expect(await llm.props()).toMatchObject({ model_name: 'first' });
    await vi.waitFor(() => expect(double.count('GET /props')).toBe(2));
    expect(await llm.props()).toMatchObject({ n_ctx: 16384, model_name: 'second' });
  });

  it("asks a router for one model's props, each cached apart", async () => {
    const double = await llama({
      router: {
        ...DEFAULT_ROUTER,
        models: [
          { id: 'small', status: 'loaded', nCtx: 4096 },
          { id: 'large', status: 'loaded', nCtx: 32768 },
        ],
      },
    });
    const llm = client(double);
    expect((await llm.props('small')).n_ctx).toBe(4096);
    expect((await llm.props('large')).n_ctx).toBe(32768);
    expect((await llm.props('small')).n_ctx).toBe(4096);
    expect(double.count('GET /props')).toBe(2);
  });

  it('a failure is not cached: llm_unavailable while loading, the props once loaded', async () => {
    const double = await llama({ mode: 'loading' });
    const llm = client(double);
    await expect(llm.props()).rejects.toMatchObject({ type: 'llm_unavailable', status: 503 });
    double.setMode('ok');
    expect((await llm.props()).n_ctx).toBe(1024);
    expect(double.count('GET /props')).toBe(2);
  });

  it('is llm_unavailable when nothing listens', async () => {
    const error = await client(await deadUrl())
      .props()
      .catch((e: unknown) => e);
    expectLlmError(error, 'llm_unavailable', /unreachable/);
  });
});

describe('countTokens', () => {
  it('counts with POST /tokenize {content}', async () => {
    const double = await llama();
    const sentence = 'The quick brown fox jumps over the lazy dog, twice.';
    expect(await client(double).countTokens(sentence)).toBe(pieces(sentence).length);
    expect(double.last('POST /tokenize')?.json).toEqual({ content: sentence });
  });

  it('falls back to Math.ceil(length / 4) when the server has no /tokenize', async () => {
    const double = await llama({ tokenize: false });
    expect(await client(double).countTokens('x'.repeat(41))).toBe(11);
    expect(double.count('POST /tokenize')).toBe(1);
  });

  it('falls back to Math.ceil(length / 4) when llama.cpp is unreachable', async () => {
    expect(await client(await deadUrl()).countTokens('abcdefgh')).toBe(2);
  });
});

describe('a kept-alive connection llama.cpp closes as the next request goes out on it', () => {
  it('a stream request goes again on a new connection and streams the whole reply', async () => {
    const double = await llama({ tokens: 3, closeReused: true });
    const llm = client(double);
    const deltas = async () => (await collect(stream(llm))).filter((chunk) => chunk.type === 'delta');
    const first = await deltas();
    expect(first).toHaveLength(3);
    await sleep(20); // the agent takes the connection back once the response ended
    expect(await deltas()).toEqual(first);
    expect(double.requests.map((request) => request.closedUnanswered)).toEqual([false, true, false]);
  });

  it('a tokenize request goes again on a new connection and counts', async () => {
    const double = await llama({ closeReused: true });
    const llm = client(double);
    expect(await llm.countTokens('one two')).toBe(pieces('one two').length);
    await sleep(20); // fetch gives the connection back to its pool once the answer was read
    expect(await llm.countTokens('three four')).toBe(pieces('three four').length);
    expect(double.requests.map((request) => request.closedUnanswered)).toEqual([false, true, false]);
  });

  it('a refused connection is still llm_unavailable at once, not retried into a timeout', async () => {
    const error = await collect(stream(client(await deadUrl()))).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ type: 'llm_unavailable' });
  });
});
