import { corpusQuestions } from '../support/corpus.js';
import { atMost, figure, type Figure } from '../support/figure.js';
import { embedDirect, query } from '../support/knowledge-client.js';
import { knowledgeEnv, withSeededKnowledge } from '../support/knowledge-server.js';
import { cpuMsOf, rssPartsMbOf, startDouble } from '../support/processes.js';
import { openRawRetrieval } from '../support/raw-retrieval.js';
import type { BenchContext, Scenario } from '../support/scenario.js';
import { median, percentile } from '../support/stats.js';

/** nomic-embed-text-v1.5's width, the model the README starts llama-server with. */
export const DIMENSIONS = 768;

/**
 * `POST /api/projects/:id/knowledge/query` in a project of 10,000 and of 100,000 chunks, sequential queries made of
 * words of the project's own sentences, against what no server can avoid: the question embedded by the double
 * called straight, plus (SQLite) the same SELECTs run raw in this process. At 100,000 chunks also the server's RSS,
 * idle after seeding and after the queries, and how long seeding took.
 */
export const knowledgeQuery: Scenario = {
  name: 'knowledge-query',
  async run(ctx) {
    const sizes = ctx.quick ? [300] : [10_000, 100_000];
    const double = await startDouble(['--embeddings', '--embedding-dimensions', String(DIMENSIONS)]);
    const figures: Figure[] = [];
    try {
      for (const [i, size] of sizes.entries()) {
        const target = i === 0 ? atMost(20, 'ms') : atMost(100, 'ms');
        figures.push(...(await atSize(ctx, double.url, size, target, i === sizes.length - 1)));
      }
    } finally {
      await double.stop();
    }
    return figures;
  },
};

async function atSize(
  ctx: BenchContext,
  embeddingUrl: string,
  size: number,
  target: ReturnType<typeof atMost>,
  memory: boolean,
): Promise<Figure[]> {
  // Fewer at 100,000 chunks, where each takes about half a second on the bench's machine.
  const queries = ctx.quick ? 10 : size >= 100_000 ? 100 : 200;
  const warmUp = ctx.quick ? 2 : 20;
  const raw = process.env.BENCH_DATABASE_URL === undefined;
  ctx.log(`  seeding about ${size} chunks`);
  return withSeededKnowledge(
    {
      chunks: size,
      embeddingUrl,
      env: { LLM_API_URL: 'http://127.0.0.1:9', ...knowledgeEnv(embeddingUrl) },
      log: ctx.log,
    },
    async ({ server, project, seeding, databaseUrl }) => {
      const name = `${project.chunks} chunks`;
      await new Promise((resolve) => setTimeout(resolve, ctx.quick ? 100 : 2000));
      const idleRss = server.rssMb();
      const idleParts = rssPartsMbOf(server.pid);
      const asked = corpusQuestions(project.texts, warmUp + queries * ctx.runs, size);
      const p50: number[] = [];
      const p99: number[] = [];
      const embedP50: number[] = [];
      const bounds: number[] = [];
      const cpu: number[] = [];
      const cpuBounds: number[] = [];
      const check = await query(server.url, project.projectId, asked[0]!);
      if (check.mode !== 'hybrid' || check.chunks.length === 0) {
        throw new Error(`a query found ${check.chunks.length} chunks by ${check.mode}`);
      }
      const model = (await (await fetch(`${embeddingUrl}/v1/models`)).json()) as { data: { id: string }[] };
      const sql = raw ? openRawRetrieval(databaseUrl, DIMENSIONS) : null;
      try {
        for (let w = 0; w < warmUp; w++) await query(server.url, project.projectId, asked[w]!);
        for (let run = 0; run < ctx.runs; run++) {
          const api: number[] = [];
          const embed: number[] = [];
          const selects: number[] = [];
          let serverCpu = 0;
          let rawCpu = 0;
          for (let q = 0; q < queries; q++) {
            const question = asked[warmUp + run * queries + q]!;
            const direct = await embedDirect(embeddingUrl, [question]);
            embed.push(direct.ms);
            const started = performance.now();
            const cpuBefore = cpuMsOf(server.pid);
            await query(server.url, project.projectId, question);
            api.push(performance.now() - started);
            serverCpu += cpuMsOf(server.pid) - cpuBefore;
            if (sql) {
              const raw = sql.timeQuery(project.projectId, model.data[0]!.id, question, direct.vectors[0]!);
              selects.push(raw.ms);
              rawCpu += raw.cpuMs;
            }
          }
          p50.push(median(api));
          p99.push(percentile(api, 99));
          embedP50.push(median(embed));
          bounds.push(median(embed) + (sql ? median(selects) : 0));
          cpu.push(serverCpu / queries);
          cpuBounds.push(rawCpu / queries);
          ctx.log(
            `  ${name}: query p50 ${median(api).toFixed(2)} ms, p99 ${percentile(api, 99).toFixed(2)} ms; ` +
              `question embedded directly p50 ${median(embed).toFixed(2)} ms` +
              (sql
                ? `; the SELECTs raw p50 ${median(selects).toFixed(2)} ms, p99 ${percentile(selects, 99).toFixed(2)}`
                : '') +
              `; CPU per query: server ${(serverCpu / queries).toFixed(1)} ms, raw ${(rawCpu / queries).toFixed(1)} ms`,
          );
        }
      } finally {
        sql?.close();
      }
      const afterRss = server.rssMb();
      const afterParts = rssPartsMbOf(server.pid);
      const bound = {
        label: raw ? 'question embedded directly + the same SELECTs raw in process' : 'question embedded directly',
        runs: bounds,
      };
      const figures = [
        figure('knowledge-query', `${name}: query p50`, 'ms', p50, bound, target),
        figure('knowledge-query', `${name}: query p99`, 'ms', p99, bound),
        figure('knowledge-query', `${name}: question embedded by the double directly, p50`, 'ms', embedP50),
        figure(
          'knowledge-query',
          `${name}: server CPU per query (mean)`,
          'ms',
          cpu,
          sql ? { label: 'the same SELECTs raw in process, CPU', runs: cpuBounds } : null,
        ),
      ];
      if (!memory) return figures;
      const count = warmUp + 1 + queries * ctx.runs;
      const started = { label: 'the same server just started on the seeded database', runs: [seeding.startedRssMb] };
      return [
        ...figures,
        figure('knowledge-query', `${name}: RSS idle after seeding`, 'MB', [idleRss], started),
        figure('knowledge-query', `${name}: RSS idle after seeding, the process's own (RssAnon)`, 'MB', [
          idleParts.anon,
        ]),
        figure('knowledge-query', `${name}: RSS after ${count} queries`, 'MB', [afterRss], started),
        figure('knowledge-query', `${name}: RSS after ${count} queries, the process's own (RssAnon)`, 'MB', [
          afterParts.anon,
        ]),
        figure('knowledge-query', `${name}: RSS after ${count} queries, mapped files (RssFile)`, 'MB', [
          afterParts.file,
        ]),
        figure('knowledge-query', `${name}: seeding, text generated and cut in process`, 's', [seeding.cutSeconds]),
        figure('knowledge-query', `${name}: seeding, log written + projections:rebuild`, 's', [seeding.logSeconds]),
        figure('knowledge-query', `${name}: seeding, embedded by the server through the double`, 's', [
          seeding.embedSeconds,
        ]),
      ];
    },
  );
}
