import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Figure } from './support/figure.js';
import { machine } from './support/machine.js';
import { table } from './support/report.js';
import type { BenchContext, Scenario } from './support/scenario.js';
import { commands } from './scenarios/commands.js';
import { start } from './scenarios/start.js';

/** In the order of the table. */
const scenarios: Scenario[] = [commands, start];

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
const results = {
  machine: machine(),
  database: process.env.BENCH_DATABASE_URL ? 'postgresql' : 'sqlite',
  quick: ctx.quick,
  runs: ctx.runs,
  figures,
};
console.log(table(figures));
const dir = join(import.meta.dirname);
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, ctx.quick ? 'results.quick.json' : 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
process.exit(0);
