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
    const agent = new Agent({ keepAlive: true });
    const double = await startDouble(['--tokens', String(tokens), '--delay', '0', '--slots', '2']);
    try {
      const passThrough = await startPassThrough(double.url);
      try {
        for (let run = 0; run < ctx.runs; run++) {
          await withServer({ LLM_API_URL: double.url, LLM_MAX_CONCURRENCY: '2' }, async (server) => {
            // Round 0 warms every process up (JIT, connections) and is not counted. The three readings alternate so
            // they share the machine's moments; a run's figure is the median of its rounds.
            const rounds = { direct: [] as number[], pass: [] as number[], api: [] as number[] };
            for (let round = 0; round <= repeats; round++) {
              const direct = rateOf(await readStream(agent, double.url, llamaChat), tokens);
              const pass = rateOf(await readStream(agent, passThrough.url, llamaChat), tokens);
              const conversation = await newConversation(server.url);
              const api = rateOf(await readStream(agent, server.url, apiChat(conversation, 'hi')), tokens);
              if (round === 0) continue;
              rounds.direct.push(direct);
              rounds.pass.push(pass);
              rounds.api.push(api);
            }
            directRate.push(median(rounds.direct));
            passRate.push(median(rounds.pass));
            apiRate.push(median(rounds.api));
            ctx.log(
              `  tokens/s, median of ${repeats}: direct ${median(rounds.direct).toFixed(0)}, ` +
                `pass-through ${median(rounds.pass).toFixed(0)}, API ${median(rounds.api).toFixed(0)}`,
            );
          });
        }
      } finally {
        await passThrough.stop();
      }
    } finally {
      await double.stop();
      agent.destroy();
    }
    const direct = { label: 'double read directly', runs: directRate };
    const directMedian = median(directRate);
    const passMedian = median(passRate);
    const relayTarget: Target = {
      text: `>= 0.7 of direct and >= pass-through (${passMedian.toFixed(0)} tokens/s)`,
      meets: (value) => value / directMedian >= 0.7 && value >= passMedian,
    };
    return [
      figure('token-relay', 'through the API', 'tokens/s', apiRate, direct, relayTarget),
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
