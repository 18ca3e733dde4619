import { parseArgs } from 'node:util';
import { projectors } from '../../projections/projectors.js';
import { rebuildProjections } from '../../projections/rebuild.js';
import { loadConfig, loadDotEnv } from '../config/config.js';
import { openDatabase } from '../startup/open-database.js';

const usage = 'usage: npm run projections:rebuild [-- <projector>...] [--batch-size N]';

loadDotEnv();
const { positionals, values } = parseArgs({ allowPositionals: true, options: { 'batch-size': { type: 'string' } } });
const unknown = positionals.filter((name) => !projectors.some((p) => p.name === name));
if (unknown.length > 0) {
  console.error(
    `Unknown projector ${unknown.join(', ')}; known: ${projectors.map((p) => p.name).join(', ')}\n${usage}`,
  );
  process.exit(2);
}
const batchSize = Number(values['batch-size'] ?? 2000);
if (!Number.isInteger(batchSize) || batchSize < 1) {
  console.error(`--batch-size must be a positive integer\n${usage}`);
  process.exit(2);
}
const selected = positionals.length > 0 ? projectors.filter((p) => positionals.includes(p.name)) : projectors;
const config = loadConfig();
const db = await openDatabase(config.databaseUrl);
try {
  console.log(`Rebuilding ${selected.map((p) => p.name).join(', ')} from the event log`);
  const started = performance.now();
  const { events } = await rebuildProjections(db.em(), selected, {
    batchSize,
    onProgress: ({ done, position, eventsPerSecond }) =>
      console.log(`  ${done} events (position ${position}), ${eventsPerSecond} events/s`),
  });
  const seconds = (performance.now() - started) / 1000;
  console.log(`Done: ${events} events in ${seconds.toFixed(2)} s`);
} finally {
  await db.close();
}
