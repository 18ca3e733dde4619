import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Figure } from './support/figure.js';
import { machine } from './support/machine.js';
import { table } from './support/report.js';
import type { BenchContext, Scenario } from './support/scenario.js';
import { tokenRelay } from './scenarios/token-relay.js';
import { firstToken } from './scenarios/first-token.js';
import { manyStreams } from './scenarios/many-streams.js';
import { commands } from './scenarios/commands.js';
import { longHistory } from './scenarios/long-history.js';
import { rebuild } from './scenarios/rebuild.js';
import { start } from './scenarios/start.js';
import { exportGap } from './scenarios/export-gap.js';
import { knowledgeIngest } from './scenarios/knowledge-ingest.js';
import { knowledgeQuery } from './scenarios/knowledge-query.js';
import { knowledgeFirstToken } from './scenarios/knowledge-first-token.js';

/** In the order of the table. */
const scenarios: Scenario[] = [
  tokenRelay,
  firstToken,
  manyStreams,
  commands,
  longHistory,
  rebuild,
  start,
  exportGap,
  knowledgeIngest,
  knowledgeQuery,
  knowledgeFirstToken,
];

const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, runs: { type: 'string' } },
});
const only = values.only?.split(',');
const unknown = only?.filter((name) => !scenarios.some((s) => s.name === name)) ?? [];
if (unknown.length > 0) {
  console.error(`Unknown scenario ${unknown.join(', ')}; known: ${scenarios.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
const ctx: BenchContext = {
  quick: values.quick,
  runs: values.runs ? Number(values.runs) : values.quick ? 1 : 3,
  log: (line) => console.error(line),
};

const figures: Figure[] = [];
for (const scenario of scenarios.filter((s) => !only || only.includes(s.name))) {
  ctx.log(`> ${scenario.name}`);
  figures.push(...(await scenario.run(ctx)));
}
const file = join(import.meta.dirname, ctx.quick ? 'results.quick.json' : 'results.json');
// Figures of scenarios not run this time are kept from the last run that measured them.
const ran = new Set(figures.map((f) => f.scenario));
const earlier: Figure[] = existsSync(file)
  ? (JSON.parse(readFileSync(file, 'utf8')) as { figures: Figure[] }).figures.filter((f) => !ran.has(f.scenario))
  : [];
const order = scenarios.map((s) => s.name);
const all = [...earlier, ...figures].sort((x, y) => order.indexOf(x.scenario) - order.indexOf(y.scenario));
const results = {
  machine: machine(),
  database: process.env.BENCH_DATABASE_URL ? 'postgresql' : 'sqlite',
  quick: ctx.quick,
  runs: ctx.runs,
  figures: all,
};
console.log(table(figures));
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
process.exit(0);
