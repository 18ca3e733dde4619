import { Agent } from 'node:http';
import { corpusQuestions } from '../support/corpus.js';
import { atMost, figure } from '../support/figure.js';
import { embedDirect, newConversationIn, newProject } from '../support/knowledge-client.js';
import { knowledgeEnv, withSeededKnowledge } from '../support/knowledge-server.js';
import { startDouble } from '../support/processes.js';
import type { Scenario } from '../support/scenario.js';
import { median, percentile } from '../support/stats.js';
import { apiChat, readStream, type StreamResult } from '../support/stream-client.js';
import { DIMENSIONS } from './knowledge-query.js';

const CHATS_PER_CONVERSATION = 20;

/**
 * What retrieval adds to a chat's first token: `POST /api/chat/stream` in a conversation of a project of 10,000
 * chunks (the question embedded, both rankings, the sources put into the prompt and sent as `event: sources`) minus
 * the same in a conversation of a project without documents, on the same server, the two alternating. Beside it,
 * the double embedding the same question when called straight: the part of the difference that is the embedding
 * server's, not the API's.
 */
export const knowledgeFirstToken: Scenario = {
  name: 'knowledge-first-token',
  async run(ctx) {
    const size = ctx.quick ? 300 : 10_000;
    const chats = ctx.quick ? 10 : 200;
    const warmUp = ctx.quick ? 2 : 20;
    const agent = new Agent({ keepAlive: true });
    // As first-token's double, with room for five sources in the prompt.
    const chat = await startDouble(['--tokens', '3', '--delay', '5', '--slots', '2', '--n-ctx', '8192']);
    const embedding = await startDouble(['--embeddings', '--embedding-dimensions', String(DIMENSIONS)]);
    const p50: number[] = [];
    const p99: number[] = [];
    const embedP50: number[] = [];
    let chunks = 0;
    try {
      const env = { LLM_API_URL: chat.url, LLM_MAX_CONCURRENCY: '2', ...knowledgeEnv(embedding.url) };
      await withSeededKnowledge(
        { chunks: size, embeddingUrl: embedding.url, env, log: ctx.log },
        async ({ server, project }) => {
          chunks = project.chunks;
          const empty = await newProject(server.url, 'No documents');
          const asked = corpusQuestions(project.texts, warmUp + chats * ctx.runs, size);
          let withSources = '';
          let without = '';
          let n = 0;
          for (let run = 0; run < ctx.runs; run++) {
            const retrieving: number[] = [];
            const plain: number[] = [];
            const embed: number[] = [];
            for (let i = 0; i < (run === 0 ? warmUp : 0) + chats; i++, n++) {
              if (n % CHATS_PER_CONVERSATION === 0) {
                withSources = await newConversationIn(server.url, project.projectId);
                without = await newConversationIn(server.url, empty);
              }
              const question = asked[n]!;
              const straight = (await embedDirect(embedding.url, [question])).ms;
              const bare = firstTokenMs(await readStream(agent, server.url, apiChat(without, question)), false);
              const found = firstTokenMs(await readStream(agent, server.url, apiChat(withSources, question)), true);
              if (run === 0 && i < warmUp) continue;
              embed.push(straight);
              plain.push(bare);
              retrieving.push(found);
            }
            // Against the median without documents, as first-token reads against the median direct time.
            const plainMedian = median(plain);
            const added = retrieving.map((ms) => ms - plainMedian);
            p50.push(percentile(added, 50));
            p99.push(percentile(added, 99));
            embedP50.push(median(embed));
            ctx.log(
              `  first token: with ${chunks} chunks p50 ${median(retrieving).toFixed(2)} ms, ` +
                `p99 ${percentile(retrieving, 99).toFixed(2)} ms; without documents p50 ${plainMedian.toFixed(2)} ms, ` +
                `p99 ${percentile(plain, 99).toFixed(2)} ms; question embedded directly p50 ${median(embed).toFixed(2)} ms`,
            );
          }
        },
      );
    } finally {
      await Promise.all([chat.stop(), embedding.stop()]);
      agent.destroy();
    }
    const bound = { label: 'the question embedded by the double directly', runs: embedP50 };
    return [
      figure('knowledge-first-token', `${chunks} chunks: added p50`, 'ms', p50, bound, atMost(15, 'ms')),
      figure('knowledge-first-token', `${chunks} chunks: added p99`, 'ms', p99, bound),
      figure(
        'knowledge-first-token',
        `${chunks} chunks: question embedded by the double directly, p50`,
        'ms',
        embedP50,
      ),
    ];
  },
};

function firstTokenMs(result: StreamResult, sources: boolean): number {
  if (!result.ok || result.tokens === 0) {
    throw new Error(
      `a chat ${sources ? 'with' : 'without'} sources failed: status ${result.status}, ${result.tokens} tokens` +
        (result.error ? `, ${result.error}` : ''),
    );
  }
  return result.firstTokenAt - result.startedAt;
}
