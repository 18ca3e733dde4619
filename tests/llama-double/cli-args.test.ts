import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../tools/llama-double/cli-args.js';

describe('the CLI flags of the embedding options', () => {
  it('--embeddings, --rerank, --embedding-dimensions, --ubatch-size, --embedding-delay-ms', () => {
    const config = parseCliArgs(
      ['--embeddings', '--embedding-dimensions', '768', '--ubatch-size', '2048', '--embedding-delay-ms', '20'],
      {},
    );
    expect(config !== 'help' && config.options).toEqual({
      serves: 'embeddings',
      embeddingDimensions: 768,
      ubatch: 2048,
      embeddingDelayMs: 20,
    });
    const rerank = parseCliArgs(['--rerank'], {});
    expect(rerank !== 'help' && rerank.options).toEqual({ serves: 'rerank' });
  });

  it('refuses --embeddings with --rerank, and zero dimensions', () => {
    expect(() => parseCliArgs(['--embeddings', '--rerank'], {})).toThrow(
      '--embeddings and --rerank exclude each other',
    );
    expect(() => parseCliArgs(['--embedding-dimensions', '0'], {})).toThrow('--embedding-dimensions wants');
  });
});
