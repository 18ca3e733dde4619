import { afterAll, describe, expect, it, vi } from 'vitest';
import { InputTooLargeError, NotSupportedError } from '../../src/llm/embedding-errors.js';
import { embedTexts } from '../../src/llm/embeddings.js';
import { LlmError } from '../../src/llm/llm-error.js';
import { modernRecording, startLlamaDouble, type LlamaDouble, type StartOptions } from '../support/llama-double.js';

const doubles: LlamaDouble[] = [];

afterAll(async () => {
  await Promise.all(doubles.map((d) => d.close()));
});

async function llama(options: StartOptions = { serves: 'embeddings' }): Promise<LlamaDouble> {
  const double = await startLlamaDouble(options);
  doubles.push(double);
  return double;
}

async function deadUrl(): Promise<string> {
  const double = await startLlamaDouble();
  await double.close();
  return double.url;
}

const TIMEOUT = { timeoutMs: 5_000 };

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`it did not fail: ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}

const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, value, i) => sum + value * (b[i] ?? 0), 0);

describe('embedTexts', () => {
  it('posts the texts in one request and answers a vector per text in their order, the model and the tokens', async () => {
    const double = await llama();
    const texts = ['the cat sat', 'a dog barked', 'the cat sat'];
    const result = await embedTexts(double.url, texts, { ...TIMEOUT, model: 'nomic-embed' });
    expect(double.embeddings()).toEqual([{ path: '/v1/embeddings', model: 'nomic-embed', texts }]);
    expect(result.model).toBe('nomic-embed');
    expect(result.promptTokens).toBe(9);
    expect(result.vectors.map((v) => v.constructor.name)).toEqual(['Float32Array', 'Float32Array', 'Float32Array']);
    expect(result.vectors[2]).toEqual(result.vectors[0]);
    const [alone] = (await embedTexts(double.url, ['a dog barked'], TIMEOUT)).vectors;
    expect(alone).toEqual(result.vectors[1]);
  });

  it('without a model sends none and gives the served model’s name; keeps what texts share', async () => {
    const double = await llama({ serves: 'embeddings', modelAlias: 'bge-small' });
    const { model, vectors } = await embedTexts(`${double.url}/`, ['red apples', 'green apples', 'tax law'], TIMEOUT);
    expect(double.last('POST /v1/embeddings')?.json).toEqual({ input: ['red apples', 'green apples', 'tax law'] });
    expect(model).toBe('bge-small');
    const [red, green, tax] = vectors as [Float32Array, Float32Array, Float32Array];
    expect(cosine(red, green)).toBeGreaterThan(cosine(red, tax));
  });

  it('puts the vectors in the order of the texts by their index, as a real server’s answer (f02) has them', async () => {
    const double = await llama();
    const recorded = modernRecording('f02_v1_embeddings_three');
    const answer = JSON.parse(recorded.body.toString());
    const reversed = { ...answer, data: [...answer.data].reverse() };
    double.route('POST /v1/embeddings', () => ({ ...recorded, body: Buffer.from(JSON.stringify(reversed)) }));
    const result = await embedTexts(double.url, ['hello world', 'alpha beta', 'gamma'], TIMEOUT);
    expect(result.model).toBe('tiny-gpt-oss');
    expect(result.promptTokens).toBe(16);
    expect(result.vectors.map((v) => [...v])).toEqual(answer.data.map((d: any) => d.embedding));
  });

  it('asks nothing for no texts', async () => {
    const double = await llama();
    expect(await embedTexts(double.url, [], TIMEOUT)).toEqual({ model: '', vectors: [], promptTokens: 0 });
    expect(double.count('POST /v1/embeddings')).toBe(0);
  });
});

describe('embedTexts: what the server refuses', () => {
  it('a text longer than the batch: InputTooLargeError with the tokens and the batch size', async () => {
    const double = await llama({ serves: 'embeddings', ubatch: 4 });
    const error = await failure(embedTexts(double.url, ['fine', 'one two three four five six'], TIMEOUT));
    expect(error).toBeInstanceOf(InputTooLargeError);
    expect(error).toBeInstanceOf(LlmError);
    expect(error).toMatchObject({ type: 'llm_error', status: 500, tokens: 6, batchSize: 4 });
  });

  it('the same from the bytes of a real server (f06), and from a build whose message has no numbers', async () => {
    const double = await llama();
    double.route('POST /v1/embeddings', () => modernRecording('f06_v1_embeddings_input_too_large'));
    expect(await failure(embedTexts(double.url, ['x'], TIMEOUT))).toMatchObject({ tokens: 99, batchSize: 64 });
    const old = modernRecording('f06_v1_embeddings_input_too_large');
    const message = 'input is too large to process. increase the physical batch size';
    const body = Buffer.from(JSON.stringify({ error: { code: 500, message, type: 'server_error' } }));
    double.route('POST /v1/embeddings', () => ({ ...old, body }));
    const error = await failure(embedTexts(double.url, ['x'], TIMEOUT));
    expect(error).toBeInstanceOf(InputTooLargeError);
    expect(error).toMatchObject({ tokens: null, batchSize: null });
  });

  it('a server started without --embeddings: NotSupportedError (501)', async () => {
    const double = await llama({ server: 'modern' });
    const error = await failure(embedTexts(double.url, ['a'], TIMEOUT));
    expect(error).toBeInstanceOf(NotSupportedError);
    expect(error).toMatchObject({ feature: 'embeddings', status: 501, message: /--embeddings/ });
  });

  it('a rerank server, whose vectors are zeros (f11): NotSupportedError', async () => {
    const double = await llama({ serves: 'rerank' });
    const error = await failure(embedTexts(double.url, ['hello world'], TIMEOUT));
    expect(error).toBeInstanceOf(NotSupportedError);
    expect(error).toMatchObject({ feature: 'embeddings', message: /all-zero vectors/ });
    double.route('POST /v1/embeddings', () => modernRecording('f11_v1_embeddings_on_rerank_server'));
    expect(await failure(embedTexts(double.url, ['hello world'], TIMEOUT))).toBeInstanceOf(NotSupportedError);
  });

  it('an answer without a vector for each text is an llm_error', async () => {
    const double = await llama();
    const recorded = modernRecording('f01_v1_embeddings_one');
    double.route('POST /v1/embeddings', () => recorded);
    const error = await failure(embedTexts(double.url, ['a', 'b'], TIMEOUT));
    expect(error).toMatchObject({ type: 'llm_error', message: /one embedding for each of the 2 texts/ });
  });
});

describe('embedTexts: the way to the server', () => {
  it('nothing listening: llm_unavailable; still loading: llm_unavailable with status 503', async () => {
    expect(await failure(embedTexts(await deadUrl(), ['a'], TIMEOUT))).toMatchObject({ type: 'llm_unavailable' });
    const loading = await llama({ serves: 'embeddings', mode: 'loading' });
    expect(await failure(embedTexts(loading.url, ['a'], TIMEOUT))).toMatchObject({
      type: 'llm_unavailable',
      status: 503,
    });
  });

  it('no answer within timeoutMs: a timeout, and the request is closed', async () => {
    const double = await llama({ serves: 'embeddings', embeddingDelayMs: 2_000 });
    const error = await failure(embedTexts(double.url, ['a'], { timeoutMs: 100 }));
    expect(error).toMatchObject({ type: 'timeout' });
    await vi.waitFor(() => expect(double.last('POST /v1/embeddings')?.clientClosed).toBe(true), {
      timeout: 1_000,
      interval: 5,
    });
  });

  it('an abort throws the signal’s reason, not an LlmError', async () => {
    const double = await llama({ serves: 'embeddings', embeddingDelayMs: 2_000 });
    const controller = new AbortController();
    const pending = failure(embedTexts(double.url, ['a'], { timeoutMs: 5_000, signal: controller.signal }));
    const reason = new Error('the document was deleted');
    setTimeout(() => controller.abort(reason), 50);
    expect(await pending).toBe(reason);
  });
});
