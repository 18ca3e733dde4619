import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddingSource } from '../../src/knowledge/embedding-source.js';
import { InputTooLargeError } from '../../src/llm/embedding-errors.js';
import { embedTexts } from '../../src/llm/embeddings.js';
import { tokenCounts } from '../../src/llm/token-counts.js';
import { startLlamaDouble, type LlamaDouble } from '../support/llama-double.js';
import { embeddingServer, startRealLlamaServer, type RealLlamaServer } from '../support/real-llama-server.js';

/** As the recordings' E64. */
const UBATCH = 64;
const TIMEOUT = { timeoutMs: 10_000 };

let real: RealLlamaServer;
let double: LlamaDouble;

beforeAll(async () => {
  real = await startRealLlamaServer(embeddingServer(UBATCH));
  double = await startLlamaDouble({ serves: 'embeddings', ubatch: UBATCH });
});

afterAll(async () => {
  await real?.close();
  await double?.close();
});

type Answer = { status: number; json: unknown };

async function ask(base: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: await response.json() };
}

/** What a client can rely on in a JSON value: its keys and the types of their values, an array by its first item. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? [] : [shape(value[0])];
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .toSorted(([a], [b]) => a.localeCompare(b))
        .map(([key, item]) => [key, shape(item)]),
    );
  }
  return value === null ? null : typeof value;
}

/** The same request to both servers. */
const both = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
  const [fromReal, fromDouble] = await Promise.all([
    ask(real.url, method, path, body),
    ask(double.url, method, path, body),
  ]);
  return { fromReal, fromDouble };
};

/** A text of exactly `tokens` tokens in `base`'s tokenizer, as its /tokenize counts them. */
async function textOfTokens(base: string, tokens: number): Promise<string> {
  const count = async (text: string) => (await tokenCounts(base, [text], TIMEOUT.timeoutMs))[0]!;
  let text = 'x';
  for (let grown = 0; (await count(text)) < tokens; grown++) {
    if (grown > 4 * tokens) throw new Error(`${base}: no text of ${tokens} tokens found`);
    const longer = `${text} x`;
    text = (await count(longer)) <= tokens ? longer : `${text}x`;
  }
  return text;
}

describe('the llama double against a real llama-server started with --embeddings --pooling mean', () => {
  it('names the served model in /v1/models the same way: the -m path, which the app keeps vectors by', async () => {
    const [fromReal, fromDouble] = await Promise.all(
      [real.url, double.url].map((url) => createEmbeddingSource(url, TIMEOUT.timeoutMs).model()),
    );
    expect(fromReal).toBe('models/tiny-gpt-oss.gguf');
    expect(fromDouble).toBe(fromReal);
  });

  it('answers /v1/embeddings of several inputs without a model in the same shape, model and usage fields', async () => {
    const input = ['the keeper trims the wick', 'the ferry leaves at dawn', 'a storm at night'];
    const { fromReal, fromDouble } = await both('POST', '/v1/embeddings', { input });
    expect(fromReal.status).toBe(200);
    expect(fromDouble.status).toBe(fromReal.status);
    expect(shape(fromDouble.json)).toEqual(shape(fromReal.json));
    const answered = (answer: Answer) =>
      answer.json as { model: string; data: { index: number; embedding: number[] }[] };
    expect(answered(fromDouble).model).toBe(answered(fromReal).model);
    expect(answered(fromDouble).data.map((item) => item.index)).toEqual(
      answered(fromReal).data.map((item) => item.index),
    );
    const realVector = answered(fromReal).data[0]!.embedding;
    expect(answered(fromDouble).data[0]!.embedding).toHaveLength(realVector.length);
    expect(Math.hypot(...realVector)).toBeCloseTo(1, 5);
  });

  it('counts an input as /tokenize does, but for the same few special tokens, within the margin the client keeps', async () => {
    const text = 'the keeper trims the wick and winds the clockwork';
    const added = [];
    for (const base of [real.url, double.url]) {
      const [counted] = await tokenCounts(base, [text], TIMEOUT.timeoutMs);
      added.push((await embedTexts(base, [text], TIMEOUT)).promptTokens - counted!);
    }
    const [byReal, byDouble] = added;
    expect(byDouble).toBe(byReal);
    expect(byReal).toBeGreaterThanOrEqual(0);
    // Before the server refused anything, a chunk may hold llama.cpp's default batch (512) less this margin.
    const margin = 512 - createEmbeddingSource(real.url, TIMEOUT.timeoutMs).maxTokens();
    expect(byReal).toBeLessThanOrEqual(margin);
  });

  it('embeds an input of exactly -ub tokens and refuses one more with the 500 the client reads as the batch size', async () => {
    const refusals = [];
    for (const base of [real.url, double.url]) {
      const fits = await textOfTokens(base, UBATCH);
      expect((await tokenCounts(base, [fits], TIMEOUT.timeoutMs))[0], base).toBe(UBATCH);
      expect((await embedTexts(base, [fits], TIMEOUT)).vectors, base).toHaveLength(1);
      const error = await embedTexts(base, [`${fits} w`], TIMEOUT).then(
        () => null,
        (thrown: unknown) => thrown,
      );
      expect(error, base).toBeInstanceOf(InputTooLargeError);
      refusals.push(error as InputTooLargeError);
    }
    for (const refusal of refusals) {
      expect(refusal).toMatchObject({ status: 500, batchSize: UBATCH });
      expect(refusal.tokens).toBeGreaterThan(UBATCH);
    }
  });

  it('takes many inputs in one request whose tokens together far exceed -ub, each within it', async () => {
    for (const base of [real.url, double.url]) {
      const text = await textOfTokens(base, UBATCH - 8);
      const input = Array.from({ length: 16 }, () => text);
      const embedded = await embedTexts(base, input, TIMEOUT);
      expect(embedded.vectors, base).toHaveLength(16);
    }
  });

  it('refuses an empty input, an empty list and an unknown encoding_format with the same statuses and bodies', async () => {
    for (const body of [{ input: '' }, { input: [] }, { input: ['a', ''] }, { input: 'a', encoding_format: 'hex' }]) {
      const { fromReal, fromDouble } = await both('POST', '/v1/embeddings', body);
      expect(fromReal.status, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
      expect(fromDouble, JSON.stringify(body)).toEqual(fromReal);
    }
  });

  it('answers encoding_format base64 with each vector as its float32 bytes, in the same shape', async () => {
    const { fromReal, fromDouble } = await both('POST', '/v1/embeddings', { input: 'hi', encoding_format: 'base64' });
    expect(shape(fromDouble.json)).toEqual(shape(fromReal.json));
    for (const answer of [fromReal, fromDouble]) {
      const [item] = (answer.json as { data: { embedding: string; encoding_format: string }[] }).data;
      expect(item!.encoding_format).toBe('base64');
      expect(Buffer.from(item!.embedding, 'base64').length).toBe(64 * 4);
    }
  });

  it('answers /tokenize in the same shape, adding no BOS for add_special, and /health alike', async () => {
    for (const body of [{ content: 'hello world' }, { content: 'hello world', add_special: true }]) {
      const { fromReal, fromDouble } = await both('POST', '/tokenize', body);
      expect(fromReal.status).toBe(200);
      expect(shape(fromDouble.json)).toEqual(shape(fromReal.json));
      const count = (answer: Answer) => (answer.json as { tokens: number[] }).tokens.length;
      expect(count(fromDouble)).toBe(count(fromReal));
    }
    const health = await both('GET', '/health');
    expect(health.fromDouble).toEqual(health.fromReal);
  });

  it('closes the connection after an error, saying Connection: close, and keeps it open after a success', async () => {
    for (const base of [real.url, double.url]) {
      const refused = await fetch(`${base}/v1/embeddings`, { method: 'POST', body: '{"input":""}' });
      await refused.arrayBuffer();
      expect(refused.headers.get('connection'), base).toBe('close');
      const answered = await fetch(`${base}/health`);
      await answered.arrayBuffer();
      expect(answered.headers.get('connection') ?? 'keep-alive', base).toBe('keep-alive');
      expect(answered.headers.get('keep-alive'), base).toMatch(/^timeout=5, max=\d+$/);
    }
  });
});
