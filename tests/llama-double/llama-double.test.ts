import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { rawExchange, type RawRequest } from '../../tools/llama-double/raw-exchange.js';
import { pieces, promptTokens } from '../../tools/llama-double/tokenizer.js';
import { recording, startLlamaDouble, type LlamaDouble, type StartOptions } from '../support/llama-double.js';
import { contentOf, events, expectOneEventPerChunk, expectSameHead, shape } from './wire-assertions.js';

const doubles: LlamaDouble[] = [];
const children = new Set<ChildProcess>();

afterAll(async () => {
  for (const child of children) killGroup(child);
  await Promise.all(doubles.map((d) => d.close()));
});

async function llama(options: StartOptions = {}): Promise<LlamaDouble> {
  const double = await startLlamaDouble(options);
  doubles.push(double);
  return double;
}

const MESSAGES = [{ role: 'user', content: 'Say something.' }];

function chat(body: Record<string, unknown> = {}, idleMs?: number): RawRequest {
  return { method: 'POST', path: '/v1/chat/completions', body: { messages: MESSAGES, ...body }, idleMs };
}

async function getJson(url: string): Promise<any> {
  return (await fetch(url)).json();
}

describe('what the double sends, compared with the captures of a real llama-server', () => {
  it('GET /health: the bytes of health.txt, and of health_loading_503.txt while loading', async () => {
    const double = await llama();
    const ok = await rawExchange(double.url, { method: 'GET', path: '/health' });
    expectSameHead(ok.recording, recording('health.txt'));
    expect(ok.recording.body).toEqual(recording('health.txt').body);

    double.setMode('loading');
    const loading = await rawExchange(double.url, { method: 'GET', path: '/health' });
    expectSameHead(loading.recording, recording('health_loading_503.txt'));
    expect(loading.recording.body).toEqual(recording('health_loading_503.txt').body);
  });

  it('GET /props: the JSON of props.txt, same keys in the same order and the same values', async () => {
    const double = await llama();
    const props = await rawExchange(double.url, { method: 'GET', path: '/props' });
    const recorded = recording('props.txt');
    expectSameHead(props.recording, recorded);
    const generated = JSON.parse(props.recording.body.toString());
    const expected = JSON.parse(recorded.body.toString());
    expect(shape(generated)).toEqual(shape(expected));
    expect(generated).toEqual(expected);
  });

  it('GET /props carries the configured n_ctx, total_slots and model_path', async () => {
    const double = await llama({ nCtx: 4096, totalSlots: 4, modelPath: '/m/gpt-oss-20b.gguf' });
    const props = await getJson(`${double.url}/props`);
    expect(props.default_generation_settings.n_ctx).toBe(4096);
    expect(props.total_slots).toBe(4);
    expect(props.model_path).toBe('/m/gpt-oss-20b.gguf');
  });

  it('GET /props in the newer style has a top-level n_ctx and model_alias instead of the per-slot n_ctx', async () => {
    const double = await llama({ propsStyle: 'newer', nCtx: 8192, modelAlias: 'gpt-oss' });
    const props = await getJson(`${double.url}/props`);
    expect(props.n_ctx).toBe(8192);
    expect(props.model_alias).toBe('gpt-oss');
    expect(props.default_generation_settings).not.toHaveProperty('n_ctx');
  });

  it('POST /tokenize: the shapes of tokenize.txt (with_pieces) and tokenize_plain.txt (add_special)', async () => {
    const double = await llama();
    const withPieces = await rawExchange(double.url, {
      method: 'POST',
      path: '/tokenize',
      body: { content: 'Hello world', with_pieces: true },
    });
    expectSameHead(withPieces.recording, recording('tokenize.txt'));
    const generated = JSON.parse(withPieces.recording.body.toString());
    expect(shape(generated)).toEqual(shape(JSON.parse(recording('tokenize.txt').body.toString())));
    expect(generated.tokens.map((t: { piece: string }) => t.piece)).toEqual(['Hello', ' world']);

    const plain = await rawExchange(double.url, {
      method: 'POST',
      path: '/tokenize',
      body: { content: 'Hello world', add_special: true },
    });
    const recordedPlain = JSON.parse(recording('tokenize_plain.txt').body.toString());
    expect(shape(JSON.parse(plain.recording.body.toString()))).toEqual(shape(recordedPlain));
    expect(JSON.parse(plain.recording.body.toString()).tokens).toHaveLength(recordedPlain.tokens.length);
  });

  it('POST /v1/chat/completions streamed: the framing, headers and chunk shapes of chat_stream.txt', async () => {
    const double = await llama({ tokens: 16 });
    const stream = await rawExchange(double.url, chat({ stream: true, max_tokens: 16 }));
    const recorded = recording('chat_stream.txt');
    expectSameHead(stream.recording, recorded);
    expect(stream.ending).toBe('complete');
    expectOneEventPerChunk(stream);
    const generated = events(stream.recording.body);
    const expected = events(recorded.body);
    expect(generated.map((e) => e.field)).toEqual(expected.map((e) => e.field));
    expect(generated.map((e) => shape(e.json))).toEqual(expected.map((e) => shape(e.json)));
    const finish = generated.at(-2)?.json as any;
    expect(finish.choices[0].finish_reason).toBe('length');
    expect(finish.usage.completion_tokens).toBe(16);
    expect(finish.timings.predicted_n).toBe(16);
    expect(new Set(generated.slice(0, -1).map((e) => (e.json as any).id)).size).toBe(1);
    expect((generated[0]?.json as any).model).toBe('gpt-3.5-turbo');
  });

  it('a streamed reply that ends by itself has the finish chunk of chat_stream_stop_word.txt', async () => {
    const double = await llama({ tokens: 2 });
    const stream = await rawExchange(double.url, chat({ stream: true }));
    const generated = events(stream.recording.body);
    const expected = events(recording('chat_stream_stop_word.txt').body);
    expect(shape(generated.at(-2)?.json)).toEqual(shape(expected.at(-2)?.json));
    expect((generated.at(-2)?.json as any).choices[0].finish_reason).toBe('stop');
    expect(generated.at(-1)?.value).toBe('[DONE]');
  });

  it('POST /v1/chat/completions without streaming: the headers and JSON shape of chat_nonstream.txt', async () => {
    const double = await llama({ reply: 'A whole answer at once.' });
    const answer = await rawExchange(double.url, chat({ model: 'gpt-oss' }));
    const recorded = recording('chat_nonstream.txt');
    expectSameHead(answer.recording, recorded);
    const generated = JSON.parse(answer.recording.body.toString());
    expect(shape(generated)).toEqual(shape(JSON.parse(recorded.body.toString())));
    expect(generated.choices[0].message.content).toBe('A whole answer at once.');
    expect(generated.model).toBe('gpt-oss');
  });

  it('context overflow while streaming: the exact bytes of err_ctx_exceeded_chat_stream.txt', async () => {
    const double = await llama({ failure: 'context_overflow' });
    const stream = await rawExchange(double.url, chat({ stream: true }));
    const recorded = recording('err_ctx_exceeded_chat_stream.txt');
    expectSameHead(stream.recording, recorded);
    expect(stream.recording.body.toString()).toBe(recorded.body.toString());
    expectOneEventPerChunk(stream);
  });

  it('context overflow without streaming: the exact bytes of err_ctx_exceeded_chat_nonstream.txt', async () => {
    const double = await llama({ failure: 'context_overflow' });
    const answer = await rawExchange(double.url, chat());
    const recorded = recording('err_ctx_exceeded_chat_nonstream.txt');
    expectSameHead(answer.recording, recorded);
    expect(answer.recording.body).toEqual(recorded.body);
  });

  it('unknown path, body not JSON, no messages: as err_404, err_invalid_json_chat, err_missing_messages', async () => {
    const double = await llama();
    const missing = await rawExchange(double.url, { method: 'GET', path: '/v1/nothing' });
    expectSameHead(missing.recording, recording('err_404.txt'));
    expect(missing.recording.body).toEqual(recording('err_404.txt').body);

    const invalid = await rawExchange(double.url, { method: 'POST', path: '/v1/chat/completions', body: '{no' });
    const recordedInvalid = recording('err_invalid_json_chat.txt');
    expectSameHead(invalid.recording, recordedInvalid);
    const error = JSON.parse(invalid.recording.body.toString());
    expect(shape(error)).toEqual(shape(JSON.parse(recordedInvalid.body.toString())));
    expect(error.error.message).toMatch(/^\[json\.exception\.parse_error\.101\] /);

    const noMessages = await rawExchange(double.url, { method: 'POST', path: '/v1/chat/completions', body: {} });
    expect(noMessages.recording.body).toEqual(recording('err_missing_messages.txt').body);
  });
});

describe('the reply the double generates', () => {
  it('is `tokens` deterministic words by default, 12 of them, ending with finish_reason stop', async () => {
    const double = await llama();
    const first = events((await rawExchange(double.url, chat({ stream: true }))).recording.body);
    const second = events((await rawExchange(double.url, chat({ stream: true }))).recording.body);
    expect(first).toHaveLength(12 + 2);
    expect(contentOf(first)).toBe(contentOf(second));
    expect(contentOf(first)).toContain('Привет');
  });

  it('is the configured reply text, sent as its word pieces', async () => {
    const reply = 'Paris is the capital of France.';
    const double = await llama({ reply });
    const list = events((await rawExchange(double.url, chat({ stream: true }))).recording.body);
    expect(contentOf(list)).toBe(reply);
    expect(list).toHaveLength(pieces(reply).length + 2);
  });

  it('stops at max_tokens with finish_reason length, and at a stop string with finish_reason stop', async () => {
    const double = await llama({ reply: 'one two three four five six' });
    const capped = events((await rawExchange(double.url, chat({ stream: true, max_tokens: 2 }))).recording.body);
    expect(contentOf(capped)).toBe('one two');
    expect((capped.at(-2)?.json as any).choices[0].finish_reason).toBe('length');

    const stopped = events((await rawExchange(double.url, chat({ stream: true, stop: [' four'] }))).recording.body);
    expect(contentOf(stopped)).toBe('one two three');
    expect((stopped.at(-2)?.json as any).choices[0].finish_reason).toBe('stop');
  });

  it('waits tokenDelayMs between tokens, each token in its own HTTP chunk', async () => {
    const double = await llama({ tokens: 4, tokenDelayMs: 80 });
    const stream = await rawExchange(double.url, chat({ stream: true }));
    const gaps = stream.chunks.slice(1, 4).map((chunk, i) => chunk.at - (stream.chunks[i]?.at ?? 0));
    for (const gap of gaps) expect(gap).toBeGreaterThan(60);
  });

  it('sends usage on the finish chunk, in a separate last chunk with empty choices, or not at all', async () => {
    const double = await llama({ tokens: 3 });
    const onFinish = events((await rawExchange(double.url, chat({ stream: true }))).recording.body);
    const prompt = promptTokens(MESSAGES);
    expect((onFinish.at(-2)?.json as any).usage).toEqual({
      completion_tokens: 3,
      prompt_tokens: prompt,
      total_tokens: 3 + prompt,
    });

    double.configure({ usage: 'separate' });
    const separate = events((await rawExchange(double.url, chat({ stream: true }))).recording.body);
    expect((separate.at(-3)?.json as any).choices[0].finish_reason).toBe('stop');
    expect((separate.at(-3)?.json as any).usage).toBeUndefined();
    expect((separate.at(-2)?.json as any).choices).toEqual([]);
    expect((separate.at(-2)?.json as any).usage.completion_tokens).toBe(3);

    double.configure({ usage: 'none' });
    const none = events((await rawExchange(double.url, chat({ stream: true }))).recording.body);
    expect((none.at(-2)?.json as any).usage).toBeUndefined();
    expect((none.at(-2)?.json as any).timings.predicted_n).toBe(3);
  });

  it('opens with a role-only chunk and sends reasoning_content first when configured as a newer server', async () => {
    const double = await llama({ roleChunk: true, reasoning: 'Think first.', reply: 'Done.' });
    const list = events((await rawExchange(double.url, chat({ stream: true }))).recording.body);
    expect((list[0]?.json as any).choices[0].delta).toEqual({ role: 'assistant', content: null });
    const reasoning = list.map((e) => (e.json as any)?.choices?.[0]?.delta?.reasoning_content ?? '').join('');
    expect(reasoning).toBe('Think first.');
    expect(contentOf(list)).toBe('Done.');
  });

  it('ends lines with CRLF and splits events into small HTTP chunks when configured to', async () => {
    const double = await llama({ lineEnding: '\r\n', splitBytes: 5, reply: 'Привет 🦙 мир' });
    const stream = await rawExchange(double.url, chat({ stream: true }));
    expect(stream.chunks.every((chunk) => chunk.data.length <= 5)).toBe(true);
    const list = events(stream.recording.body, '\r\n');
    expect(contentOf(list)).toBe('Привет 🦙 мир');
  });
});

describe('failure modes of the double', () => {
  it('http_error answers the configured status with llama.cpp error body before any stream', async () => {
    const double = await llama({ failure: 'http_error' });
    const answer = await fetch(`${double.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ messages: MESSAGES, stream: true }),
    });
    expect(answer.status).toBe(500);
    expect(((await answer.json()) as any).error).toEqual({
      code: 500,
      message: 'simulated http_error 500',
      type: 'server_error',
    });

    double.configure({ httpStatus: 400, errorMessage: 'bad request' });
    const bad = await rawExchange(double.url, chat({ stream: true }));
    expect(bad.recording.status).toBe(400);
    expect(JSON.parse(bad.recording.body.toString())).toEqual({
      error: { code: 400, message: 'bad request', type: 'invalid_request_error' },
    });
  });

  it('loading answers chat 503 while /health stays ok; mode loading makes every endpoint 503', async () => {
    const double = await llama({ failure: 'loading' });
    const answer = await rawExchange(double.url, chat({ stream: true }));
    expect(answer.recording.status).toBe(503);
    expect(answer.recording.body).toEqual(recording('health_loading_503.txt').body);
    expect((await fetch(`${double.url}/health`)).status).toBe(200);

    double.configure({ failure: 'none', mode: 'loading' });
    for (const path of ['/health', '/props']) expect((await fetch(`${double.url}${path}`)).status).toBe(503);
    expect((await rawExchange(double.url, chat({ stream: true }))).recording.status).toBe(503);
  });

  it('stream_error_line sends failAfter tokens, an old-style `error:` line, then data: [DONE]', async () => {
    const double = await llama({ failure: 'stream_error_line', failAfter: 2 });
    const list = events((await rawExchange(double.url, chat({ stream: true }))).recording.body);
    expect(list.map((e) => e.field)).toEqual(['data', 'data', 'error', 'data']);
    expect(list[2]?.json).toEqual({ code: 500, message: 'simulated stream_error_line', type: 'server_error' });
    expect(list[3]?.value).toBe('[DONE]');
  });

  it('stream_error_data sends failAfter tokens, then a newer-style data: {"error":...} event', async () => {
    const double = await llama({ failure: 'stream_error_data', failAfter: 1, errorMessage: 'boom' });
    const list = events((await rawExchange(double.url, chat({ stream: true }))).recording.body);
    expect(list.map((e) => e.field)).toEqual(['data', 'data', 'data']);
    expect(list[1]?.json).toEqual({ error: { code: 500, message: 'boom', type: 'server_error' } });
  });

  it('context_overflow: a data event saying the prompt exceeds the context, or HTTP 400', async () => {
    const double = await llama({ failure: 'context_overflow', errorStyle: 'data', nCtx: 64 });
    const list = events((await rawExchange(double.url, chat({ stream: true }))).recording.body);
    const error = (list[0]?.json as any).error;
    expect(error.message).toMatch(/^request \(\d+ tokens\) exceeds the available context size \(64 tokens\)$/);
    expect(error.type).toBe('exceed_context_size_error');
    expect(list[1]?.value).toBe('[DONE]');

    double.configure({ errorStyle: 'http' });
    const refused = await rawExchange(double.url, chat({ stream: true }));
    expect(refused.recording.status).toBe(400);
    expect(refused.recording.body).toEqual(recording('err_ctx_exceeded_chat_nonstream.txt').body);
  });

  it('malformed sends a line that is not JSON after failAfter tokens, then goes on to a normal end', async () => {
    const double = await llama({ failure: 'malformed', failAfter: 1, tokens: 3 });
    const list = events((await rawExchange(double.url, chat({ stream: true }))).recording.body);
    expect(list.map((e) => e.json === undefined)).toEqual([false, true, false, false, false, false]);
    expect(list.at(-1)?.value).toBe('[DONE]');
  });

  it('reset destroys the connection after failAfter tokens, without the chunked terminator', async () => {
    const double = await llama({ failure: 'reset', failAfter: 2 });
    const stream = await rawExchange(double.url, chat({ stream: true }));
    expect(stream.ending).toBe('closed');
    expect(stream.chunks).toHaveLength(2);
    const request = double.last('POST /v1/chat/completions');
    expect(request?.tokensSent).toBe(2);
    expect(request?.clientClosed).toBe(false);
  });

  it('no_finish ends the response cleanly after failAfter tokens, without finish chunk or [DONE]', async () => {
    const double = await llama({ failure: 'no_finish', failAfter: 2 });
    const stream = await rawExchange(double.url, chat({ stream: true }));
    expect(stream.ending).toBe('complete');
    const list = events(stream.recording.body);
    expect(list).toHaveLength(2);
    expect(list.every((e) => (e.json as any).choices[0].finish_reason === null)).toBe(true);
  });

  it('stall_first sends the headers and never a token, keeping the connection open', async () => {
    const double = await llama({ failure: 'stall_first' });
    const stream = await rawExchange(double.url, chat({ stream: true }, 300));
    expect(stream.ending).toBe('open');
    expect(stream.recording.status).toBe(200);
    expect(stream.chunks).toEqual([]);
  });

  it('stall_after sends failAfter tokens, then nothing, keeping the connection open', async () => {
    const double = await llama({ failure: 'stall_after', failAfter: 2, tokens: 5 });
    const stream = await rawExchange(double.url, chat({ stream: true }, 300));
    expect(stream.ending).toBe('open');
    expect(stream.chunks).toHaveLength(2);
  });

  it('reports when the client closed the connection of a request in flight that would never end by itself', async () => {
    const double = await llama({ failure: 'stall_after', failAfter: 1 });
    const controller = new AbortController();
    const response = await fetch(`${double.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ messages: MESSAGES, stream: true }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    await reader.read();
    const request = double.last('POST /v1/chat/completions')!;
    expect(request.closedAt).toBeNull();
    expect(double.openConnections()).toBe(1);
    const abortedAt = performance.now();
    controller.abort();
    await vi.waitFor(() => expect(request.closedAt).not.toBeNull(), { timeout: 5_000, interval: 5 });
    expect(request.clientClosed).toBe(true);
    // How soon is the app's to prove (tests/llm: a stop closes llama.cpp's socket within 100 ms); a loaded machine
    // may be slow to tell the double, whose stalled stream proves only that it noticed.
    expect(request.closedAt!).toBeGreaterThanOrEqual(abortedAt);
  });
});

describe('the double at runtime', () => {
  it('records every request with its parsed JSON body; configure() changes the answers to the next ones', async () => {
    const double = await llama({ tokens: 1 });
    await rawExchange(double.url, chat({ stream: true, temperature: 0.2 }));
    double.configure({ failure: 'http_error' });
    const failed = await rawExchange(double.url, chat({ stream: true }));
    expect(failed.recording.status).toBe(500);
    double.reset();
    expect((await rawExchange(double.url, chat({ stream: true }))).recording.status).toBe(200);
    expect(double.count('POST /v1/chat/completions')).toBe(3);
    expect(double.requests[0]?.json).toEqual({ messages: MESSAGES, stream: true, temperature: 0.2 });
    expect(double.options().failure).toBe('none');
  });

  it('route() still answers an endpoint with a capture replayed byte for byte', async () => {
    const double = await llama();
    double.route('GET /props', () => 'props.txt');
    const props = await rawExchange(double.url, { method: 'GET', path: '/props' });
    expect(props.recording.body).toEqual(recording('props.txt').body);
  });

  it('answers nothing in the silent mode', async () => {
    const double = await llama({ mode: 'silent' });
    const exchange = rawExchange(double.url, { method: 'GET', path: '/health', idleMs: 200 });
    await expect(exchange).rejects.toThrow(/no complete response head/);
    expect(double.count('GET /health')).toBe(1);
  });

  it('answers POST /tokenize with 404 when configured as a server without it', async () => {
    const double = await llama({ tokenize: false });
    const answer = await fetch(`${double.url}/tokenize`, { method: 'POST', body: '{"content":"hi"}' });
    expect(answer.status).toBe(404);
  });
});

const root = join(import.meta.dirname, '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

/** tsx runs the CLI in a second node process: killing the process group reaches both. */
function killGroup(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function startCli(args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(tsx, ['tools/llama-double/cli.ts', ...args], { cwd: root, detached: true, stdio: 'pipe' });
  children.add(child);
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  return { child, output: () => output, exited };
}

describe('npm run fake-llm (tools/llama-double/cli.ts)', () => {
  it('starts on a free port with --port 0, prints its URL and answers /health, /props and a chat', async () => {
    const cli = startCli(['--port', '0', '--tokens', '3', '--n-ctx', '2048', '--loading-ms', '500']);
    let url = '';
    await vi.waitFor(
      () => {
        url = /listening on (http:\/\/\S+)/.exec(cli.output())?.[1] ?? '';
        expect(url).not.toBe('');
      },
      { timeout: 40_000, interval: 50 },
    );
    expect((await fetch(`${url}/health`)).status).toBe(503);
    await vi.waitFor(async () => expect((await fetch(`${url}/health`)).status).toBe(200), {
      timeout: 5_000,
      interval: 50,
    });
    expect((await getJson(`${url}/props`)).default_generation_settings.n_ctx).toBe(2048);
    const stream = await rawExchange(url, chat({ stream: true }));
    expect(events(stream.recording.body)).toHaveLength(3 + 2);
    // To the double itself, not through tsx: tsx's relay kills a process slow to acknowledge (exit 143 under load).
    process.kill(Number(/\(pid (\d+)\)/.exec(cli.output())![1]), 'SIGTERM');
    expect(await cli.exited).toBe(0);
  }, 60_000);

  it('--server modern with --router-model flags starts a router of those models, contexts and statuses', async () => {
    const cli = startCli([
      ...['--port', '0', '--server', 'modern', '--no-models-autoload'],
      ...['--router-model', 'gpt-oss-20b,loaded,8192', '--router-model', 'qwen3'],
    ]);
    let url = '';
    await vi.waitFor(
      () => {
        url = /listening on (http:\/\/\S+)/.exec(cli.output())?.[1] ?? '';
        expect(url).not.toBe('');
      },
      { timeout: 40_000, interval: 50 },
    );
    const props = await getJson(`${url}/props?model=gpt-oss-20b`);
    expect(props.default_generation_settings.n_ctx).toBe(8192);
    const models = await getJson(`${url}/models`);
    expect(models.data.map((m: any) => [m.id, m.status.value])).toEqual([
      ['gpt-oss-20b', 'loaded'],
      ['qwen3', 'unloaded'],
    ]);
    const refused = await rawExchange(url, chat({ model: 'qwen3' }));
    expect(JSON.parse(refused.recording.body.toString()).error.message).toBe('model is not loaded');
    process.kill(Number(/\(pid (\d+)\)/.exec(cli.output())![1]), 'SIGTERM');
    expect(await cli.exited).toBe(0);
  }, 60_000);

  it('--embeddings starts a modern embeddings server: /v1/embeddings answers, /v1/rerank is refused', async () => {
    const cli = startCli(['--port', '0', '--embeddings', '--embedding-dimensions', '8']);
    let url = '';
    await vi.waitFor(
      () => {
        url = /listening on (http:\/\/\S+)/.exec(cli.output())?.[1] ?? '';
        expect(url).not.toBe('');
      },
      { timeout: 40_000, interval: 50 },
    );
    const post = (path: string, body: unknown) =>
      fetch(`${url}${path}`, { method: 'POST', body: JSON.stringify(body) });
    const embedded = await post('/v1/embeddings', { input: 'hello world' });
    expect(embedded.headers.get('server')).toBe('llama.cpp');
    expect(((await embedded.json()) as any).data[0].embedding).toHaveLength(8);
    expect((await post('/v1/rerank', { query: 'a', documents: ['a'] })).status).toBe(501);
    process.kill(Number(/\(pid (\d+)\)/.exec(cli.output())![1]), 'SIGTERM');
    expect(await cli.exited).toBe(0);
  }, 60_000);

  it('--help lists the modern and router options', async () => {
    const cli = startCli(['--help']);
    expect(await cli.exited).toBe(0);
    for (const flag of [
      ...['--server b4748|modern', '--reasoning-tokens', '--cached-tokens', '--router-model'],
      ...['--embeddings', '--rerank', '--embedding-dimensions', '--ubatch-size', '--embedding-delay-ms'],
    ]) {
      expect(cli.output()).toContain(flag);
    }
  }, 60_000);

  it('refuses an unknown failure mode with exit code 2 and the usage', async () => {
    const cli = startCli(['--failure', 'explode']);
    expect(await cli.exited).toBe(2);
    expect(cli.output()).toContain('--failure wants one of none, http_error');
    expect(cli.output()).toContain('Usage: npm run fake-llm');
  }, 60_000);
});
