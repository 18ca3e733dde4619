import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { copyEventLog, NonEmptyTargetError } from '../operations/copy-event-log.js';
import { parseDatabaseUrl } from '../db/database-url.js';
import type { Database } from '../db/connect-database.js';
import { openDatabase } from '../startup/open-database.js';

const usage =
  'usage: npm run db:copy -- --from <database-url> --to <database-url> [--append] [--batch-size N]\n' +
  '  database-url: sqlite:<path> or postgresql://user@host:port/name';

type Arguments = { from: string; to: string; append: boolean; batchSize: number };

function fail(code: 1 | 2, message: string): never {
  console.error(code === 2 ? `${message}\n${usage}` : message);
  process.exit(code);
}

function parseArguments(): Arguments {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        append: { type: 'boolean', default: false },
        'batch-size': { type: 'string', default: '5000' },
      },
    }));
  } catch (error) {
    fail(2, (error as Error).message);
  }
  const { from, to, append } = values;
  if (!from || !to) fail(2, 'both --from and --to are required');
  for (const url of [from, to]) {
    try {
      parseDatabaseUrl(url);
    } catch (error) {
      fail(2, (error as Error).message);
    }
  }
  const batchSize = Number(values['batch-size']);
  if (!Number.isInteger(batchSize) || batchSize < 1) fail(2, '--batch-size must be a positive integer');
  return { from, to, append, batchSize };
}

function checkSource(from: string, to: string): void {
  if (from === to) fail(1, 'Refusing to copy a database onto itself: --from and --to are the same');
  const source = parseDatabaseUrl(from);
  if (source.kind === 'sqlite' && !existsSync(source.file)) fail(1, `Source database ${source.file} does not exist`);
}

async function migrate({ from, to, append, batchSize }: Arguments, source: Database, target: Database) {
  console.log(`Copying the event log from ${from} to ${to}${append ? ' (appending)' : ''}`);
  const started = performance.now();
  const result = await copyEventLog(source, target, {
    batchSize,
    append,
    onProgress: ({ copied, position, eventsPerSecond }) =>
      console.log(`  ${copied} events copied (position ${position}), ${eventsPerSecond} events/s`),
    onRebuildProgress: ({ done, eventsPerSecond }) =>
      console.log(`  ${done} events replayed into the read models, ${eventsPerSecond} events/s`),
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  if (result.copied === 0) console.log(`Nothing to copy: the target already holds every event up to ${result.after}`);
  const { files, vectors } = result.knowledge;
  if (files + vectors > 0) console.log(`Copied ${files} document files and ${vectors} chunk vectors`);
  if (result.rebuilt) console.log('Rebuilt every read model on the target');
  console.log(`Done: ${result.copied} events copied in ${seconds} s (last position ${result.lastPosition})`);
}

const args = parseArguments();
checkSource(args.from, args.to);
const source = await openDatabase(args.from);
try {
  const target = await openDatabase(args.to);
  try {
    await migrate(args, source, target);
  } catch (error) {
    if (!(error instanceof NonEmptyTargetError)) throw error;
    process.exitCode = 1;
    console.error(`Refusing to copy: ${error.message}. Pass --append to copy only the events after it.`);
  } finally {
    await target.close();
  }
} finally {
  await source.close();
}
