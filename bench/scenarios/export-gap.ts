import { Agent } from 'node:http';
import { uuidv7 } from '../../src/ids.js';
import { newConversation } from '../support/chat-load.js';
import { figure, type Target } from '../support/figure.js';
import { startDouble, withServer } from '../support/processes.js';
import type { Scenario } from '../support/scenario.js';
import { median, percentile } from '../support/stats.js';
import { apiChat, readStream } from '../support/stream-client.js';

const TOKEN_DELAY_MS = 5;
const MESSAGE_CHARS = 4_000;
/** How much a large export may add to a running stream's p99 gap between two tokens. */
const ADDED_GAP_TARGET_MS = 5;

/**
 * What a large project export (`GET /api/projects/:id/export?format=markdown`, a zip) does to a chat stream running
 * at the same time: the p99 and the longest gap between two arrivals of tokens of one answer (the double sending one
 * every 5 ms) while nothing else runs, and while zip exports of a project run back to back on another connection for
 * the whole answer. The
 * project holds 200 conversations of 40 messages of 4,000 characters of random words (32 MB of text; deflate makes
 * about a third of it), put there by one import. What the gap grows by is what the export holds the event loop (reading each conversation,
 * writing its Markdown, deflating it) plus the CPU it takes from the stream on a shared machine.
 */
export const exportGap: Scenario = {
  name: 'export-gap',
  async run(ctx) {
    const conversations = ctx.quick ? 10 : 200;
    const messages = ctx.quick ? 6 : 40;
    const tokens = ctx.quick ? 200 : 3_000;
    const alone: number[] = [];
    const exporting: number[] = [];
    const longestAlone: number[] = [];
    const longestExporting: number[] = [];
    const exportMs: number[] = [];
    const agent = new Agent({ keepAlive: true });
    const double = await startDouble(['--tokens', String(tokens), '--delay', String(TOKEN_DELAY_MS)]);
    try {
      for (let run = 0; run < ctx.runs; run++) {
        await withServer({ LLM_API_URL: double.url, MAX_IMPORT_BYTES: String(512 * 1024 * 1024) }, async (server) => {
          const projectId = await seedProject(server.url, conversations, messages);
          await exportZip(server.url, projectId); // warms the export path up
          const gapsOf = async () => {
            const times: number[] = [];
            const conversation = await newConversation(server.url);
            const result = await readStream(agent, server.url, apiChat(conversation, 'hi'), (at) => times.push(at));
            if (!result.ok || result.tokens !== tokens) throw new Error(`a stream failed: ${JSON.stringify(result)}`);
            // Tokens that came in one chunk arrived together: one arrival. Counting each of them as a 0 ms gap would
            // bury the long wait before them below the p99.
            const arrivals = times.filter((at, i) => i === 0 || at !== times[i - 1]);
            return arrivals.slice(1).map((at, i) => at - arrivals[i]!);
          };
          const quietGaps = await gapsOf();
          const quiet = percentile(quietGaps, 99);
          let streaming = true;
          const durations: number[] = [];
          const exports = (async () => {
            while (streaming) durations.push(await exportZip(server.url, projectId));
          })();
          const busyGaps = await gapsOf().finally(() => (streaming = false));
          const busy = percentile(busyGaps, 99);
          await exports;
          alone.push(quiet);
          exporting.push(busy);
          longestAlone.push(Math.max(...quietGaps));
          longestExporting.push(Math.max(...busyGaps));
          exportMs.push(median(durations));
          ctx.log(
            `  p99 gap: alone ${quiet.toFixed(1)} ms, during ${durations.length} exports ${busy.toFixed(1)} ms; ` +
              `longest ${Math.max(...quietGaps).toFixed(1)} and ${Math.max(...busyGaps).toFixed(1)} ms ` +
              `(an export takes ${median(durations).toFixed(0)} ms)`,
          );
        });
      }
    } finally {
      await double.stop();
      agent.destroy();
    }
    const aloneMedian = median(alone);
    const target: Target = {
      text: `<= ${ADDED_GAP_TARGET_MS} ms over the stream alone`,
      meets: (value) => value - aloneMedian <= ADDED_GAP_TARGET_MS,
    };
    return [
      figure('export-gap', 'p99 inter-token gap, stream alone', 'ms', alone),
      figure(
        'export-gap',
        `p99 inter-token gap during zip exports (${conversations} conversations)`,
        'ms',
        exporting,
        { label: 'stream alone', runs: alone },
        target,
      ),
      figure('export-gap', 'longest inter-token gap, stream alone', 'ms', longestAlone),
      figure('export-gap', 'longest inter-token gap during zip exports', 'ms', longestExporting, {
        label: 'stream alone',
        runs: longestAlone,
      }),
      figure('export-gap', 'one zip export', 'ms', exportMs),
    ];
  },
};

/** A project with `conversations` imported conversations of `messages` messages each, alternating questions and answers. */
async function seedProject(url: string, conversations: number, messages: number): Promise<string> {
  const project = await fetch(`${url}/api/projects`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'A large project' }),
  });
  if (project.status !== 201) throw new Error(`creating the project answered ${project.status}`);
  const projectId = ((await project.json()) as { id: string }).id;
  const at = new Date().toISOString();
  const text = (n: number) => `Message ${n}: ${prose(MESSAGE_CHARS)}`;
  const document = {
    format: 'gpt-oss-assistant-export',
    version: 1,
    exported_at: at,
    project: null,
    conversations: Array.from({ length: conversations }, (_, c) => {
      const ids = Array.from({ length: messages }, () => uuidv7());
      return {
        id: uuidv7(),
        title: `Conversation ${c}`,
        project_id: null,
        metadata: {},
        created_at: at,
        updated_at: at,
        current_leaf_id: ids.at(-1)!,
        messages: ids.map((id, m) => ({
          id,
          parent_message_id: m === 0 ? null : ids[m - 1]!,
          role: m % 2 === 0 ? 'user' : 'assistant',
          content: text(m),
          status: 'complete',
          finish_reason: m % 2 === 0 ? null : 'stop',
          reaction: null,
          token_count: null,
          model_name: null,
          completion_time_ms: null,
          metadata: {},
          created_at: at,
          updated_at: at,
        })),
      };
    }),
  };
  const imported = await fetch(`${url}/api/conversations/import?project_id=${projectId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(document),
  });
  if (imported.status !== 201) throw new Error(`the import answered ${imported.status}: ${await imported.text()}`);
  return projectId;
}

const WORDS =
  'the of and a to in is you that it he was for on are as with his they at be this have from or one had by word but not what all were we when your can said there use an each which she do how their if will up other about out many then them these so some her would make like him into time has look two more write go see number no way could people my than first water been call who oil its now find long down day did get come made may part'.split(
    ' ',
  );

/** `length` characters of words drawn at random: text that compresses about as much as what people write. */
function prose(length: number): string {
  let text = '';
  while (text.length < length) text += `${WORDS[Math.floor(Math.random() * WORDS.length)]} `;
  return text.slice(0, length);
}

/** One zip export of the project, read to its end; how long it took, in ms. */
async function exportZip(url: string, projectId: string): Promise<number> {
  const started = performance.now();
  const reply = await fetch(`${url}/api/projects/${projectId}/export?format=markdown`);
  const zip = await reply.arrayBuffer();
  if (reply.status !== 200 || zip.byteLength === 0) throw new Error(`the export answered ${reply.status}`);
  return performance.now() - started;
}
