import { Agent } from 'node:http';
import { newConversation } from '../support/chat-load.js';
import { atMost, figure } from '../support/figure.js';
import { startDouble, withServer } from '../support/processes.js';
import type { Scenario } from '../support/scenario.js';
import { median, percentile } from '../support/stats.js';
import { apiChat, llamaChat, readStream, type StreamResult } from '../support/stream-client.js';

const CHATS_PER_CONVERSATION = 20;

/**
 * What the API adds to the time to the first token: request sent to first `token` event through
 * `POST /api/chat/stream`, minus request sent to first content chunk read from the double directly (same client,
 * keep-alive connections both ways), over sequential chats, the two kinds alternating so both see the same machine.
 * The API's time includes all it does before asking llama.cpp: storing the question and the answer's start,
 * building the prompt (and counting its tokens with the double's /tokenize).
 */
export const firstToken: Scenario = {
  name: 'first-token',
  async run(ctx) {
    const chats = ctx.quick ? 10 : 200;
    const warmUp = ctx.quick ? 2 : 20;
    const p50: number[] = [];
    const p99: number[] = [];
    const agent = new Agent({ keepAlive: true });
    // 5 ms between the 3 tokens, as no real model answers in one burst: with 0 the whole answer and its end reach the
    // server in one read, and its first token would only leave with the stored answer (Node flushes a chunked response
    // on the next tick, after storing the answer's end, which runs as one string of microtasks), ~10 ms later.
    const double = await startDouble(['--tokens', '3', '--delay', '5', '--slots', '2']);
    try {
      for (let run = 0; run < ctx.runs; run++) {
        await withServer({ LLM_API_URL: double.url, LLM_MAX_CONCURRENCY: '2' }, async (server) => {
          const api: number[] = [];
          const direct: number[] = [];
          let conversation = '';
          for (let chat = 0; chat < warmUp + chats; chat++) {
            if (chat % CHATS_PER_CONVERSATION === 0) conversation = await newConversation(server.url);
            const straight = firstTokenMs(await readStream(agent, double.url, llamaChat));
            const through = firstTokenMs(
              await readStream(agent, server.url, apiChat(conversation, `question ${chat}`)),
            );
            if (chat < warmUp) continue;
            direct.push(straight);
            api.push(through);
          }
          // Against the median direct time, not the paired sample: the double's own jitter is not the API's doing,
          // and subtracting a noisy pair would only add it to every difference.
          const directMedian = median(direct);
          const added = api.map((ms) => ms - directMedian);
          p50.push(percentile(added, 50));
          p99.push(percentile(added, 99));
          ctx.log(
            `  first token: API p50 ${median(api).toFixed(2)} ms, p99 ${percentile(api, 99).toFixed(2)} ms; ` +
              `direct p50 ${directMedian.toFixed(2)} ms, p99 ${percentile(direct, 99).toFixed(2)} ms`,
          );
        });
      }
    } finally {
      await double.stop();
      agent.destroy();
    }
    const nothing = { label: '0 (nothing added)', runs: [0] };
    return [
      figure('first-token', 'added p50', 'ms', p50, nothing, atMost(3, 'ms')),
      figure('first-token', 'added p99', 'ms', p99, nothing, atMost(10, 'ms')),
    ];
  },
};

function firstTokenMs(result: StreamResult): number {
  if (!result.ok || result.tokens === 0) {
    throw new Error(
      `a chat failed: status ${result.status}, ${result.tokens} tokens` + (result.error ? `, ${result.error}` : ''),
    );
  }
  return result.firstTokenAt - result.startedAt;
}
