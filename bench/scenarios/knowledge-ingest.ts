import { chunkText } from '../../src/knowledge/chunk-text.js';
import { markdownSections } from '../../src/knowledge/extract/markdown.js';
import { pieces } from '../../tools/llama-double/tokenizer.js';
import { markdown } from '../support/corpus.js';
import { figure } from '../support/figure.js';
import { embedDirect, newProject, upload, waitForIndexing } from '../support/knowledge-client.js';
import { CHUNK_OVERLAP, CHUNK_TOKENS, knowledgeEnv } from '../support/knowledge-server.js';
import { startDouble, withServer } from '../support/processes.js';
import type { Scenario } from '../support/scenario.js';
import { DIMENSIONS } from './knowledge-query.js';

/** The indexer's batch (src/knowledge/indexer/run-indexer.ts) and src/llm/token-counts.ts's concurrency. */
const EMBED_BATCH = 16;
const TOKENIZE_CONCURRENCY = 8;

/**
 * A Markdown document uploaded as JSON through `POST /api/projects/:id/documents`, then cut and embedded by the
 * server in the background, timed by polling the project's documents: upload to answer (the text extracted and
 * stored), upload to every chunk cut, last chunk cut to last chunk embedded. Against the double called straight
 * with the same chunks: /tokenize for each, 8 at a time, as the server counts them, and /v1/embeddings 16 at a
 * time, as the indexer sends them.
 */
export const knowledgeIngest: Scenario = {
  name: 'knowledge-ingest',
  async run(ctx) {
    const bytes = ctx.quick ? 100_000 : 2_000_000;
    const text = markdown(bytes, 7);
    const mb = Buffer.byteLength(text) / 1e6;
    const chunkTexts = (
      await chunkText(
        { text, pages: null, sections: markdownSections(text) },
        {
          chunkTokens: CHUNK_TOKENS,
          overlapTokens: CHUNK_OVERLAP,
          maxTokens: 504,
          countTokens: async (list) => list.map((t) => pieces(t).length),
        },
      )
    ).map((chunk) => text.slice(chunk.start, chunk.end));
    const uploaded: number[] = [];
    const cut: number[] = [];
    const embedded: number[] = [];
    const tokenizeBound: number[] = [];
    const embedBound: number[] = [];
    const double = await startDouble(['--embeddings', '--embedding-dimensions', String(DIMENSIONS)]);
    try {
      for (let run = 0; run < ctx.runs; run++) {
        tokenizeBound.push(mb / ((await tokenizeAll(double.url, chunkTexts)) / 1000));
        embedBound.push(chunkTexts.length / ((await embedAll(double.url, chunkTexts)) / 1000));
        await withServer({ LLM_API_URL: 'http://127.0.0.1:9', ...knowledgeEnv(double.url) }, async (server) => {
          const project = await newProject(server.url, 'Ingest');
          const started = performance.now();
          await upload(server.url, project, 'handbook.md', text);
          const answered = performance.now();
          const indexed = await waitForIndexing(server.url, project, ctx.log, 20);
          const chunks = indexed.progress.chunks;
          uploaded.push(mb / ((answered - started) / 1000));
          cut.push(mb / ((indexed.cutAt - started) / 1000));
          embedded.push(chunks / ((indexed.embeddedAt - indexed.cutAt) / 1000));
          ctx.log(
            `  ${mb.toFixed(2)} MB, ${chunks} chunks (${chunkTexts.length} cut here): answered in ` +
              `${(answered - started).toFixed(0)} ms, cut after ${(indexed.cutAt - started).toFixed(0)} ms, ` +
              `embedded ${(indexed.embeddedAt - indexed.cutAt).toFixed(0)} ms later; directly: ` +
              `${tokenizeBound.at(-1)!.toFixed(2)} MB/s counted, ${embedBound.at(-1)!.toFixed(0)} chunks/s embedded`,
          );
        });
      }
    } finally {
      await double.stop();
    }
    const size = `${mb.toFixed(1)} MB of Markdown, ${chunkTexts.length} chunks of ${CHUNK_TOKENS} tokens`;
    return [
      figure('knowledge-ingest', `${size}: upload answered (extracted, stored)`, 'MB/s', uploaded),
      figure('knowledge-ingest', `${size}: upload + extraction + chunking`, 'MB/s', cut, {
        label: "the double's /tokenize for every chunk, 8 at a time, called directly",
        runs: tokenizeBound,
      }),
      figure('knowledge-ingest', `${size}: chunks embedded by the indexer`, 'chunks/s', embedded, {
        label: "the double's /v1/embeddings, 16 chunks a request, called directly",
        runs: embedBound,
      }),
    ];
  },
};

/** Milliseconds to count every text with the double's /tokenize, TOKENIZE_CONCURRENCY requests at a time. */
async function tokenizeAll(url: string, texts: string[]): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: TOKENIZE_CONCURRENCY }, async () => {
      while (next < texts.length) {
        const answer = await fetch(`${url}/tokenize`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ content: texts[next++] }),
        });
        await answer.json();
      }
    }),
  );
  return performance.now() - started;
}

/** Milliseconds to embed every text with the double's /v1/embeddings, EMBED_BATCH a request, one after another. */
async function embedAll(url: string, texts: string[]): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < texts.length; i += EMBED_BATCH) await embedDirect(url, texts.slice(i, i + EMBED_BATCH));
  return performance.now() - started;
}
