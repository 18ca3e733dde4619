import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConversationView } from '../../projections/conversation.entity.js';
import { ProjectView } from '../../projections/project.entity.js';
import { projectors } from '../../projections/projectors.js';
import type { Database } from '../../src/db/connect-database.js';
import { uuidv7 } from '../../src/ids.js';
import { openDatabase } from '../../src/startup/open-database.js';
import { projectionSpec, type ProjectionSpec } from '../support/projection-spec.js';
import { freshDatabase, type TestDatabase } from '../support/test-database.js';

let database: TestDatabase;
let db: Database;
let spec: ProjectionSpec;

beforeAll(async () => {
  database = await freshDatabase();
  db = await openDatabase(database.url);
  spec = projectionSpec(db);
});

afterAll(async () => {
  await db?.close();
  await database?.drop();
});

const t = (n: number) => new Date(Date.UTC(2025, 0, 15, 10, 0, n)).toISOString();

describe('settings in the project read model', () => {
  it('a ProjectCreated recorded before settings existed makes a project with none', async () => {
    const id = uuidv7();
    const then = await spec.given(
      projectors,
      spec.event(t(1), {
        type: 'ProjectCreated',
        data: { project_id: id, name: 'P', description: null, metadata: {} },
      }),
    );
    expect((await then.row(ProjectView, id))?.settings).toStrictEqual({});
  });

  it('ProjectSettingsChanged sets the values it carries and clears its nulls, moving version and updated_at', async () => {
    const id = uuidv7();
    const then = await spec.given(
      projectors,
      spec.event(t(1), {
        type: 'ProjectCreated',
        data: { project_id: id, name: 'P', description: null, metadata: {}, settings: { temperature: 0.7, top_k: 40 } },
      }),
      spec.event(t(2), {
        type: 'ProjectSettingsChanged',
        data: { project_id: id, settings: { top_k: null, stop: ['###'], reasoning_effort: 'high' } },
      }),
    );
    expect(await then.row(ProjectView, id)).toMatchObject({
      settings: { temperature: 0.7, stop: ['###'], reasoning_effort: 'high' },
      created_at: t(1),
      updated_at: t(2),
      version: 2,
    });
  });
});

describe('settings in the conversation read model', () => {
  it('ConversationCreated and ConversationImported bring their settings, or none when they carry none', async () => {
    const [plain, created, imported] = [uuidv7(), uuidv7(), uuidv7()];
    const conversation = { project_id: null, title: 'C', metadata: {} };
    const then = await spec.given(
      projectors,
      spec.event(t(1), { type: 'ConversationCreated', data: { conversation_id: plain, ...conversation } }),
      spec.event(t(2), {
        type: 'ConversationCreated',
        data: { conversation_id: created, ...conversation, settings: { seed: 42 } },
      }),
      spec.event(t(3), {
        type: 'ConversationImported',
        data: {
          conversation_id: imported,
          ...conversation,
          created_at: t(0),
          updated_at: t(0),
          current_leaf_id: null,
          source: { kind: 'export', conversation_id: uuidv7() },
          settings: { model: 'gpt-oss-20b' },
        },
      }),
    );
    expect((await then.row(ConversationView, plain))?.settings).toStrictEqual({});
    expect((await then.row(ConversationView, created))?.settings).toStrictEqual({ seed: 42 });
    expect((await then.row(ConversationView, imported))?.settings).toStrictEqual({ model: 'gpt-oss-20b' });
  });

  it('ConversationSettingsChanged applies its change over the settings so far, moving version and updated_at', async () => {
    const id = uuidv7();
    const then = await spec.given(
      projectors,
      spec.event(t(1), {
        type: 'ConversationCreated',
        data: { conversation_id: id, project_id: null, title: 'C', metadata: {}, settings: { seed: 42 } },
      }),
      spec.event(t(2), {
        type: 'ConversationSettingsChanged',
        data: { conversation_id: id, settings: { seed: null, system_prompt: 'Be brief.' } },
      }),
      spec.event(t(3), {
        type: 'ConversationSettingsChanged',
        data: { conversation_id: id, settings: { min_p: 0.05 } },
      }),
    );
    expect(await then.row(ConversationView, id)).toMatchObject({
      settings: { system_prompt: 'Be brief.', min_p: 0.05 },
      updated_at: t(3),
      version: 3,
    });
  });
});
