import { afterAll, describe, expect, it } from 'vitest';
import { tokenCounts } from '../../src/llm/token-counts.js';
import { pieces } from '../../tools/llama-double/tokenizer.js';
import { startLlamaDouble, type LlamaDouble, type StartOptions } from '../support/llama-double.js';

const doubles: LlamaDouble[] = [];

afterAll(async () => {
  await Promise.all(doubles.map((d) => d.close()));
});

async function llama(options: StartOptions = { serves: 'embeddings' }): Promise<LlamaDouble> {
  const double = await startLlamaDouble(options);
  doubles.push(double);
  return double;
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    (value) => {
      throw new Error(`it did not fail: ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );

describe('tokenCounts', () => {
  it('counts each text with POST /tokenize {content}, in the order of the texts', async () => {
    const double = await llama();
    const texts = Array.from({ length: 30 }, (_, i) => 'word '.repeat(i + 1).trim());
    expect(await tokenCounts(double.url, texts, 5_000)).toEqual(texts.map((text) => pieces(text).length));
    expect(double.count('POST /tokenize')).toBe(30);
    expect(double.last('POST /tokenize')?.json).toEqual({ content: expect.any(String) });
  });

  it('has at most 8 requests in flight: a silent server gets 8 of 40, then the first timeout stops the rest', async () => {
    const double = await llama({ serves: 'embeddings', mode: 'silent' });
    const texts = Array.from({ length: 40 }, (_, i) => `text ${i}`);
    expect(await failure(tokenCounts(double.url, texts, 300))).toMatchObject({ type: 'timeout' });
    expect(double.count('POST /tokenize')).toBe(8);
  });

  it('throws where countTokens would estimate: a server without /tokenize, one not listening', async () => {
    const without = await llama({ serves: 'embeddings', tokenize: false });
    expect(await failure(tokenCounts(without.url, ['a', 'b'], 5_000))).toMatchObject({
      type: 'llm_error',
      status: 404,
    });
    await without.close();
    expect(await failure(tokenCounts(without.url, ['a'], 5_000))).toMatchObject({ type: 'llm_unavailable' });
  });

  it('an abort throws the signal’s reason', async () => {
    const double = await llama({ serves: 'embeddings', mode: 'silent' });
    const controller = new AbortController();
    const reason = new Error('stopped');
    const pending = failure(tokenCounts(double.url, ['a', 'b'], 5_000, controller.signal));
    setTimeout(() => controller.abort(reason), 30);
    expect(await pending).toBe(reason);
  });

  it('asks nothing for no texts', async () => {
    const double = await llama();
    expect(await tokenCounts(double.url, [], 5_000)).toEqual([]);
    expect(double.count('POST /tokenize')).toBe(0);
  });
});
