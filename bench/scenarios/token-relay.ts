import { Agent } from 'node:http';
import { newConversation } from '../support/chat-load.js';
import { figure, type Target } from '../support/figure.js';
import { startPassThrough } from '../support/pass-through.js';
import { startDouble, withServer } from '../support/processes.js';
import type { Scenario } from '../support/scenario.js';
import { median } from '../support/stats.js';
import { apiChat, llamaChat, readStream, type StreamResult } from '../support/stream-client.js';

/**
 * Tokens per second one client receives from one long answer (5,000 tokens, the double pausing 0 ms between them),
 * read three ways with the same client code: through `POST /api/chat/stream`, through a bare Node pass-through that
 * pipes the double's bytes unchanged (bench/support/pass-through.ts, its own process), and from the double directly
 * (the bound). A rate counts every token of the answer over the time from the response's headers to its last token,
 * so the API's work before the answer starts (storing the question, the prompt) is `first-token`'s business, not this.
 * Each run reads the three 5 times, alternating, and keeps each one's median (a single 5,000-token stream lasts a
 * fraction of a second: one hiccup of a shared machine would be the whole figure).
 *
 * A fourth reading streams a reasoning answer through the API (all but 10 of its tokens `reasoning_content`, as
 * gpt-oss on a current llama-server sends them) from a second double: relayed and stored apart, a thought must cost
 * no more per token than an answer's token.
 *
 * On a 2-core machine the client (this process), the server (or the pass-through) and the double share the two cores:
 * every variant is partly CPU-bound on its neighbours, the direct read least so (one process fewer).
 */
export const tokenRelay: Scenario = {
  name: 'token-relay',
  async run(ctx) {
    const tokens = ctx.quick ? 200 : 5000;
    const repeats = ctx.quick ? 1 : 5;
    const apiRate: number[] = [];
    const passRate: number[] = [];
    const directRate: number[] = [];
    const thinkingRate: number[] = [];
    const agent = new Agent({ keepAlive: true });
    const double = await startDouble(['--tokens', String(tokens), '--delay', '0', '--slots', '2']);
    const answerTokens = 10;
    // The double's tokenizer makes one piece of each " think".
    const thought = ' think'.repeat(tokens - answerTokens);
    const thinker = await startDouble([
      ...['--tokens', String(answerTokens), '--reasoning', thought, '--delay', '0', '--slots', '2'],
    ]);
    try {
      const passThrough = await startPassThrough(double.url);
      try {
        for (let run = 0; run < ctx.runs; run++) {
          await withServer({ LLM_API_URL: double.url, LLM_MAX_CONCURRENCY: '2' }, async (server) => {
            await withServer({ LLM_API_URL: thinker.url, LLM_MAX_CONCURRENCY: '2' }, async (thinking) => {
              // Round 0 warms every process up (JIT, connections) and is not counted. The readings alternate so they
              // share the machine's moments; a run's figure is the median of its rounds.
              const rounds = {
                direct: [] as number[],
                pass: [] as number[],
                api: [] as number[],
                thinking: [] as number[],
              };
              for (let round = 0; round <= repeats; round++) {
                const direct = rateOf(await readStream(agent, double.url, llamaChat), tokens);
                const pass = rateOf(await readStream(agent, passThrough.url, llamaChat), tokens);
                const conversation = await newConversation(server.url);
                const api = rateOf(await readStream(agent, server.url, apiChat(conversation, 'hi')), tokens);
                const other = await newConversation(thinking.url);
                const thinks = rateOf(await readStream(agent, thinking.url, apiChat(other, 'hi')), tokens);
                if (round === 0) continue;
                rounds.direct.push(direct);
                rounds.pass.push(pass);
                rounds.api.push(api);
                rounds.thinking.push(thinks);
              }
              directRate.push(median(rounds.direct));
              passRate.push(median(rounds.pass));
              apiRate.push(median(rounds.api));
              thinkingRate.push(median(rounds.thinking));
              ctx.log(
                `  tokens/s, median of ${repeats}: direct ${median(rounds.direct).toFixed(0)}, ` +
                  `pass-through ${median(rounds.pass).toFixed(0)}, API ${median(rounds.api).toFixed(0)}, ` +
                  `API reasoning ${median(rounds.thinking).toFixed(0)}`,
              );
            });
          });
        }
      } finally {
        await passThrough.stop();
      }
    } finally {
      await double.stop();
      await thinker.stop();
      agent.destroy();
    }
    const direct = { label: 'double read directly', runs: directRate };
    const directMedian = median(directRate);
    const passMedian = median(passRate);
    const relayTarget: Target = {
      text: `>= 0.7 of direct and >= pass-through (${passMedian.toFixed(0)} tokens/s)`,
      meets: (value) => value / directMedian >= 0.7 && value >= passMedian,
    };
    const apiMedian = median(apiRate);
    const thinkingTarget: Target = {
      text: `>= 0.9 of a plain answer through the API (${apiMedian.toFixed(0)} tokens/s)`,
      meets: (value) => value >= 0.9 * apiMedian,
    };
    return [
      figure('token-relay', 'through the API', 'tokens/s', apiRate, direct, relayTarget),
      figure('token-relay', 'a reasoning answer through the API', 'tokens/s', thinkingRate, direct, thinkingTarget),
      figure('token-relay', 'pass-through', 'tokens/s', passRate, direct),
    ];
  },
};

function rateOf(result: StreamResult, expected: number): number {
  if (!result.ok || result.tokens !== expected) {
    throw new Error(
      `a stream failed: status ${result.status}, ${result.tokens} of ${expected} tokens` +
        (result.error ? `, ${result.error}` : ''),
    );
  }
  return result.tokens / ((result.lastTokenAt - result.headersAt) / 1000);
}
