import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: root });

/** The boundary messages ESLint gives `code` as if it were the file `file` of the project. */
async function breaches(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\n`, { filePath: path.join(root, file) });
  return result!.messages.filter((m) => m.ruleId === 'architecture/boundaries').map((m) => m.message);
}

describe('the architecture boundaries of npm run lint', () => {
  it.each([
    ['src/domain/conversation/x.ts', "import { runSql } from '../../db/run-sql.js';"],
    ['src/domain/x.ts', "import type { EntityManager } from '@mikro-orm/knex';"],
    ['src/domain/shared/x.ts', "export { projectors } from '../../../projections/projectors.js';"],
    ['projections/x.projector.ts', "import { HttpProblem } from '../src/http/problem.js';"],
    ['projections/x.projector.ts', "import type { LlamaClient } from '../src/llm/llama-client.js';"],
    ['projections/x.projector.ts', "import { createChatSessions } from '../src/chat/chat-sessions.js';"],
    ['projections/x.projector.ts', "import type { EntityManager } from '@mikro-orm/knex';"],
    ['projections/x.projector.ts', "import { runSql } from '../src/db/run-sql.js';"],
    ['projections/x.projector.ts', "import Database from 'better-sqlite3';"],
    ['projections/x.projector.ts', "import pg from 'pg';"],
    ['projections/message-tree.ts', "import { dialectOf } from '../src/db/dialect.js';"],
    ['projections/read-model-writes.ts', "import { raw } from '@mikro-orm/core';"],
    ['src/http/routes/x.routes.ts', "import { projectors } from '../../../projections/projectors.js';"],
    ['src/http/x.ts', "import { runSql } from '../db/run-sql.js';"],
    ['src/llm/x.ts', "import { readStream } from '../event-store/read-stream.js';"],
    ['src/llm/x.ts', "import type { EntityManager } from '@mikro-orm/knex';"],
    ['src/event-store/x.ts', "const { projectors } = await import('../../projections/projectors.js');"],
    ['src/db/x.ts', "import { readAll } from '../event-store/read-all.js';"],
    ['src/db/x.ts', "import { rebuildProjections } from '../../projections/rebuild.js';"],
  ])('fail %s importing across a boundary: %s', async (file, code) => {
    expect(await breaches(file, code)).toHaveLength(1);
  });

  it.each([
    ['src/domain/conversation/x.ts', "import { assertNever } from '../shared/assert-never.js';"],
    ['projections/x.projector.ts', "import type { StoredEvent } from '../src/event-store/stored-event.js';"],
    ['projections/x.projector.ts', "import { increment, type ReadModelWrites } from './read-model-writes.js';"],
    ['projections/x-writes.ts', "import type { EntityManager } from '@mikro-orm/knex';"],
    ['projections/read-model-sql.ts', "import { runSql } from '../src/db/run-sql.js';"],
    ['src/http/x.ts', "import type { Database } from '../db/connect-database.js';"],
    ['src/http/routes/x.routes.ts', "import { listProjects } from '../../queries/project.queries.js';"],
    ['src/llm/x.ts', "import type { CompletionTimings } from '../domain/conversation/conversation.events.js';"],
    ['src/startup/x.ts', "import { projectors } from '../../projections/projectors.js';"],
  ])('let %s import what its layer may: %s', async (file, code) => {
    expect(await breaches(file, code)).toEqual([]);
  });

  it('names the projectors layer by its name', async () => {
    expect(await breaches('projections/x.projector.ts', "import { runSql } from '../src/db/run-sql.js';")).toEqual([
      "projectors may not import '../src/db/run-sql.js': projectors write through the ReadModelWrites they are given, never on a connection of their own",
    ]);
  });

  it('names the layer, the import and the reason', async () => {
    expect(await breaches('src/llm/x.ts', "import { runSql } from '../db/run-sql.js';")).toEqual([
      "src/llm may not import '../db/run-sql.js': the llama.cpp client knows no database",
    ]);
  });
});
