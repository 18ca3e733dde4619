import { afterAll, describe, expect, it } from 'vitest';
import { InputTooLargeError, NotSupportedError } from '../../src/llm/embedding-errors.js';
import { rerank } from '../../src/llm/rerank.js';
import { modernRecording, startLlamaDouble, type LlamaDouble, type StartOptions } from '../support/llama-double.js';

const doubles: LlamaDouble[] = [];

afterAll(async () => {
  await Promise.all(doubles.map((d) => d.close()));
});

async function llama(options: StartOptions = { serves: 'rerank' }): Promise<LlamaDouble> {
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

const DOCUMENTS = ['stock prices fell', 'llamas sleep at night', 'the llama eats grass'];

describe('rerank', () => {
  it('posts the query and documents to /v1/rerank and answers them best first', async () => {
    const double = await llama();
    const ranked = await rerank(double.url, 'when do llamas sleep', DOCUMENTS, { timeoutMs: 5_000 });
    expect(double.reranks()).toEqual([
      { path: '/v1/rerank', model: null, query: 'when do llamas sleep', documents: DOCUMENTS, topN: null },
    ]);
    expect(ranked.map((r) => r.index)).toEqual([1, 0, 2]);
    expect(ranked[0]!.score).toBeGreaterThan(ranked[1]!.score);
  });

  it('sends topN and the model when given, and gets that many back', async () => {
    const double = await llama();
    const ranked = await rerank(double.url, 'llama', DOCUMENTS, { timeoutMs: 5_000, topN: 1, model: 'bge-reranker' });
    expect(double.last('POST /v1/rerank')?.json).toMatchObject({ model: 'bge-reranker', top_n: 1 });
    expect(ranked).toEqual([{ index: 2, score: 1 }]);
  });

  it('takes a real server’s answer (f08, f09), negative scores included', async () => {
    const double = await llama();
    double.route('POST /v1/rerank', () => modernRecording('f09_v1_rerank_top_n'));
    expect(await rerank(double.url, 'hello', ['gamma', 'alpha beta', 'hello world'], { timeoutMs: 5_000 })).toEqual([
      { index: 1, score: 0.3828599452972412 },
      { index: 0, score: -0.6095734238624573 },
    ]);
  });

  it('asks nothing for no documents', async () => {
    const double = await llama();
    expect(await rerank(double.url, 'q', [], { timeoutMs: 5_000 })).toEqual([]);
    expect(double.count('POST /v1/rerank')).toBe(0);
  });

  it('a server started without --rerank (e07): NotSupportedError for reranking', async () => {
    const double = await llama({ serves: 'embeddings' });
    const error = await failure(rerank(double.url, 'q', ['d'], { timeoutMs: 5_000 }));
    expect(error).toBeInstanceOf(NotSupportedError);
    expect(error).toMatchObject({ feature: 'reranking', status: 501 });
  });

  it('a document that with the query is longer than the batch: InputTooLargeError', async () => {
    const double = await llama({ serves: 'rerank', ubatch: 3 });
    const error = await failure(rerank(double.url, 'q', ['one two three'], { timeoutMs: 5_000 }));
    expect(error).toBeInstanceOf(InputTooLargeError);
    expect(error).toMatchObject({ tokens: 4, batchSize: 3 });
  });

  it('a result naming a document that was not sent is an llm_error', async () => {
    const double = await llama();
    double.route('POST /v1/rerank', () => modernRecording('f08_v1_rerank'));
    expect(await failure(rerank(double.url, 'q', ['only one'], { timeoutMs: 5_000 }))).toMatchObject({
      type: 'llm_error',
      message: /not sent: 1/,
    });
  });

  it('no answer within timeoutMs: a timeout', async () => {
    const double = await llama({ serves: 'rerank', embeddingDelayMs: 2_000 });
    expect(await failure(rerank(double.url, 'q', ['d'], { timeoutMs: 100 }))).toMatchObject({ type: 'timeout' });
  });
});
