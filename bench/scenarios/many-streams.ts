import { Agent } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { newConversation } from '../support/chat-load.js';
import { atMost, figure, type Figure } from '../support/figure.js';
import { freshDatabaseUrl, rssMbOf, startDouble, startServer } from '../support/processes.js';
import type { Scenario } from '../support/scenario.js';
import { percentile } from '../support/stats.js';
import { apiChat, llamaChat, readStream, type Protocol, type StreamResult } from '../support/stream-client.js';

const DELAY_MS = 20;

/**
 * Many chats started at once (200 and 500), each answered with 50 tokens 20 ms apart by the double. For every token
 * after a chat's first, the added inter-token delay is the gap the client saw since the chat's previous token minus
 * the double's 20 ms. It is kept signed, not clamped at 0: a token held back (late by +x) is often followed by tokens
 * that were queued behind it and arrive together, at gaps near 0 (-20 ms), so the negative values are the catch-up
 * after a delay and clamping them would skew p50 upwards without telling anything about lateness.
 *
 * The bound is the same client reading the double directly at the same concurrency: the double's own schedule as
 * this machine keeps it (timer jitter, the client's own load). `streaming at once (peak)` is how many chats were
 * between their first token and their end at the same moment, at most: the server stores each question and answer
 * before and after streaming, so on a small machine the starts spread out and fewer than all the chats overlap.
 * The client's own event-loop delay is logged beside, to show whether this process kept up.
 */
export const manyStreams: Scenario = {
  name: 'many-streams',
  async run(ctx) {
    const levels = ctx.quick ? [20, 50] : [200, 500];
    const tokens = ctx.quick ? 10 : 50;
    // Chats run before the measured ones, on their own conversations, so the server's code is warm.
    const warmUp = ctx.quick ? 2 : 10;
    const figures: Figure[] = [];
    const double = await startDouble([
      '--tokens',
      String(tokens),
      '--delay',
      String(DELAY_MS),
      '--slots',
      String(Math.max(...levels)),
    ]);
    try {
      for (const chats of levels) {
        const runs = { p50: [] as number[], p99: [] as number[], errors: [] as number[], rss: [] as number[] };
        const bound = { p50: [] as number[], p99: [] as number[], idleRss: [] as number[] };
        const atOnce: number[] = [];
        for (let run = 0; run < ctx.runs; run++) {
          const database = await freshDatabaseUrl();
          const server = await startServer({
            DATABASE_URL: database.url,
            LLM_API_URL: double.url,
            LLM_MAX_CONCURRENCY: String(chats),
            LLM_MAX_QUEUE: String(chats),
          });
          const agent = new Agent({ keepAlive: true });
          try {
            const conversations = await createConversations(server.url, chats + warmUp);
            await streamAll(agent, server.url, tokens, conversations.splice(0, warmUp).map(chatOf));
            bound.idleRss.push(server.rssMb());
            let peakRss = 0;
            const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMbOf(server.pid))), 100);
            const api = await streamAll(agent, server.url, tokens, conversations.map(chatOf)).finally(() =>
              clearInterval(sampler),
            );
            peakRss = Math.max(peakRss, server.rssMb());
            // Twice, the first to open the connections and warm the double up, as the warm-up chats did for the server.
            const straight = Array.from({ length: chats }, () => llamaChat);
            await streamAll(agent, double.url, tokens, straight);
            const direct = await streamAll(agent, double.url, tokens, straight);
            runs.p50.push(percentile(api.added, 50));
            runs.p99.push(percentile(api.added, 99));
            runs.errors.push(api.errors);
            runs.rss.push(peakRss);
            atOnce.push(api.peakOpen);
            bound.p50.push(percentile(direct.added, 50));
            bound.p99.push(percentile(direct.added, 99));
            ctx.log(
              `  ${chats} chats in ${(api.ms / 1000).toFixed(1)} s, at most ${api.peakOpen} streaming at once; ` +
                `added inter-token delay p50 ${percentile(api.added, 50).toFixed(2)} ms, ` +
                `p99 ${percentile(api.added, 99).toFixed(2)} ms (direct: p50 ${percentile(direct.added, 50).toFixed(2)}, ` +
                `p99 ${percentile(direct.added, 99).toFixed(2)}, ${direct.errors} errors); ${api.errors} errors; ` +
                `client event-loop delay p99 ${api.clientLagP99.toFixed(1)} ms; peak RSS ${peakRss.toFixed(0)} MB`,
            );
          } finally {
            agent.destroy();
            await server.stop();
            await database.drop();
          }
        }
        const schedule = (runs: number[]) => ({ label: 'double read directly, same concurrency', runs });
        const measure = (name: string) => `${chats} streams: ${name}`;
        figures.push(
          figure('many-streams', measure('added inter-token delay p50'), 'ms', runs.p50, schedule(bound.p50)),
          figure(
            'many-streams',
            measure('added inter-token delay p99'),
            'ms',
            runs.p99,
            schedule(bound.p99),
            atMost(15, 'ms'),
          ),
          figure('many-streams', measure('errors'), 'chats', runs.errors, null, atMost(0, 'errors')),
          figure('many-streams', measure('peak RSS'), 'MB', runs.rss, {
            label: 'the same server idle, before',
            runs: bound.idleRss,
          }),
          figure('many-streams', measure('streaming at once (peak)'), 'chats', atOnce),
        );
      }
    } finally {
      await double.stop();
    }
    return figures;
  },
};

const chatOf = (conversation: string): Protocol => apiChat(conversation, 'hi');

async function createConversations(url: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  while (ids.length < count) {
    const batch = Math.min(8, count - ids.length);
    ids.push(...(await Promise.all(Array.from({ length: batch }, () => newConversation(url)))));
  }
  return ids;
}

type Burst = {
  /** Every token's gap since the previous token of its chat, minus DELAY_MS. */
  added: number[];
  /** Chats that did not end with their success event (`complete`, or `[DONE]` from the double), or fell short. */
  errors: number;
  peakOpen: number;
  ms: number;
  clientLagP99: number;
};

/** Starts every stream at once and waits for all of them; one preallocated array holds every gap. */
async function streamAll(agent: Agent, url: string, tokens: number, protocols: Protocol[]): Promise<Burst> {
  const gaps = new Float64Array(protocols.length * (tokens - 1));
  let count = 0;
  let open = 0;
  let peakOpen = 0;
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const started = performance.now();
  const results = await Promise.all(
    protocols.map((protocol) => {
      let last = Number.NaN;
      const onToken = (at: number) => {
        if (Number.isNaN(last)) peakOpen = Math.max(peakOpen, ++open);
        else if (count < gaps.length) gaps[count++] = at - last - DELAY_MS;
        last = at;
      };
      return readStream(agent, url, protocol, onToken).then((result: StreamResult) => {
        if (!Number.isNaN(last)) open--;
        return result;
      });
    }),
  );
  const ms = performance.now() - started;
  lag.disable();
  return {
    added: Array.from(gaps.subarray(0, count)),
    errors: results.filter((r) => !r.ok || r.tokens !== tokens).length,
    peakOpen,
    ms,
    clientLagP99: lag.percentile(99) / 1e6,
  };
}
