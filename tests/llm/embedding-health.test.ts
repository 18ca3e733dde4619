import { afterAll, describe, expect, it } from 'vitest';
import { embeddingServerHealth } from '../../src/llm/embedding-health.js';
import { startLlamaDouble, type LlamaDouble } from '../support/llama-double.js';

const doubles: LlamaDouble[] = [];

afterAll(async () => {
  await Promise.all(doubles.map((d) => d.close()));
});

describe('embeddingServerHealth', () => {
  it('ok when GET /health answers 200, loading while the model loads, unreachable when silent or gone', async () => {
    const double = await startLlamaDouble({ serves: 'embeddings' });
    doubles.push(double);
    expect(await embeddingServerHealth(double.url, 1_000)).toBe('ok');
    double.setMode('loading');
    expect(await embeddingServerHealth(double.url, 1_000)).toBe('loading');
    double.setMode('silent');
    expect(await embeddingServerHealth(double.url, 100)).toBe('unreachable');
    await double.close();
    expect(await embeddingServerHealth(double.url, 1_000)).toBe('unreachable');
  });
});
