import { createHash } from 'node:crypto';
import { wrap } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectionCheckpoint } from '../../projections/checkpoint.entity.js';
import { ConversationView } from '../../projections/conversation.entity.js';
import { DocumentTextView, DocumentView, KnowledgeChunkView } from '../../projections/knowledge.entity.js';
import { MessageView } from '../../projections/message.entity.js';
import { messageProjector } from '../../projections/message.projector.js';
import { projectInlineWith } from '../../projections/project-inline.js';
import { ProjectView } from '../../projections/project.entity.js';
import { projectors } from '../../projections/projectors.js';
import { emptyReadModels, rebuildProjections } from '../../projections/rebuild.js';
import { SearchDocumentView } from '../../projections/search.entity.js';
import { UsageMessageView } from '../../projections/usage.entity.js';
import { handleCommand } from '../../src/commands/handle-command.js';
import { importConversations } from '../../src/commands/import-conversations.js';
import { addDocument, runDocumentCommand, type AddDocumentInput } from '../../src/commands/document-command.js';
import { purgeConversation, purgeDocument, purgeProject } from '../../src/commands/purge.js';
import { createStreamStateCache } from '../../src/commands/stream-state-cache.js';
import { projectStatus } from '../../src/commands/project-status.js';
import type { Database } from '../../src/db/connect-database.js';
import { openDatabase } from '../../src/startup/open-database.js';
import type { ConversationCommand, ImportConversation } from '../../src/domain/conversation/conversation.commands.js';
import { conversationDecider } from '../../src/domain/conversation/conversation.decider.js';
import type {
  CompletionTimings,
  ImportedMessage,
  Reaction,
} from '../../src/domain/conversation/conversation.events.js';
import { domainEventTypes, type DomainEventType } from '../../src/domain/domain-event.js';
import type { DocumentCommand } from '../../src/domain/document/document.commands.js';
import type { ProjectCommand } from '../../src/domain/project/project.commands.js';
import { projectDecider } from '../../src/domain/project/project.decider.js';
import type { Json, JsonObject } from '../../src/domain/shared/decider.js';
import type {
  GenerationOptions,
  GenerationSettings,
  SettingsChange,
} from '../../src/domain/shared/generation-settings.js';
import { DomainError } from '../../src/domain/shared/domain-error.js';
import type { EventStore } from '../../src/event-store/append-to-stream.js';
import { createEventBus } from '../../src/event-store/event-bus.js';
import { EventRecord } from '../../src/event-store/event.entity.js';
import type { StoredEvent } from '../../src/event-store/stored-event.js';
import { uuidv7 } from '../../src/ids.js';
import { freshDatabase, type TestDatabase } from '../support/test-database.js';

/*
 * Replaying the log must rebuild exactly the read models that inline projection built.
 *
 * Isolation between runs: the file has its own fresh database, and every run starts by emptying
 * the log and the read models (and resetting the checkpoints). A rebuild replays the WHOLE log, so
 * keeping earlier runs' events would make each run replay all runs before it (quadratic time),
 * and emptying lets the snapshots compare whole tables: a projector writing a stray row is caught
 * too. Ids are fresh UUIDv7s all the same, so no run can depend on leftovers of another.
 */

let database: TestDatabase;
let db: Database;

beforeAll(async () => {
  database = await freshDatabase();
  db = await openDatabase(database.url);
});

afterAll(async () => {
  await db?.close();
  await database?.drop();
});

// ---------------------------------------------------------------- generated commands

/** An index into what exists at run time (taken modulo its length), so most commands hit something real. */
type Pick = number;
type Status = 'active' | 'deleted';
/**
 * Where a conversation goes: no project, an active one (none while there is none), a deleted one
 * or one that never existed (both refused).
 */
type ProjectRef = { to: 'none' } | { to: Status; pick: Pick } | { to: 'unknown' };
type ParentRef = { kind: 'default' } | { kind: 'root' } | { kind: 'existing'; pick: Pick };

type Step =
  | {
      kind: 'createProject';
      retry: boolean;
      pick: Pick;
      name: string;
      description: string | null;
      metadata: JsonObject;
      settings: GenerationSettings;
    }
  | {
      kind: 'updateProject';
      pick: Pick;
      changes: { name?: string; description?: string | null; metadata?: JsonObject; settings?: SettingsChange };
    }
  | { kind: 'deleteProject' | 'restoreProject'; pick: Pick }
  | {
      kind: 'createConversation';
      retry: boolean;
      pick: Pick;
      project: ProjectRef;
      title: string | null;
      metadata: JsonObject;
      settings: GenerationSettings;
    }
  | {
      kind: 'updateConversation';
      pick: Pick;
      title?: string | null;
      project?: ProjectRef;
      metadata?: JsonObject;
      settings?: SettingsChange;
    }
  | { kind: 'deleteConversation' | 'restoreConversation'; pick: Pick }
  | { kind: 'postUserMessage'; pick: Pick; parent: ParentRef; content: string; metadata: JsonObject }
  | { kind: 'startResponse'; pick: Pick; parent: Pick; anyParent: boolean; metadata: JsonObject }
  | {
      kind: 'completeResponse';
      pick: Pick;
      message: Pick;
      content: string;
      token_count: number | null;
      model_name: string | null;
      completion_time_ms: number | null;
      finish_reason: 'stop' | 'length';
      timings: CompletionTimings;
      /** Absent: an answer recorded before reasoning was kept. */
      reasoning?: string | null;
    }
  | {
      kind: 'failResponse';
      pick: Pick;
      message: Pick;
      error: string;
      error_type: string;
      partial_content: string;
      partial_reasoning?: string | null;
    }
  | { kind: 'cancelResponse'; pick: Pick; message: Pick; partial_content: string; partial_reasoning?: string | null }
  | { kind: 'setReaction'; pick: Pick; message: Pick; reaction: Reaction | null }
  | {
      kind: 'askQuestion';
      pick: Pick;
      parent: ParentRef;
      content: string;
      metadata: JsonObject;
      options: GenerationOptions;
    }
  | { kind: 'regenerate'; pick: Pick; message: Pick }
  | { kind: 'checkpoint'; pick: Pick; message: Pick; delta: string; reasoning_delta?: string }
  | { kind: 'selectLeaf'; pick: Pick; message: Pick }
  | { kind: 'purgeConversation' | 'purgeProject' | 'purgeDocument'; pick: Pick }
  | { kind: 'attachSources'; pick: Pick; message: Pick; names: string[] }
  | { kind: 'addDocument'; pick: Pick; name: string; text: string; paged: boolean }
  | { kind: 'cutDocument'; pick: Pick; pieces: number }
  | { kind: 'embedChunks'; pick: Pick; count: number; model: string }
  | { kind: 'reindexDocument' | 'deleteDocument' | 'restoreDocument'; pick: Pick }
  | {
      kind: 'importConversation';
      pick: Pick;
      project: ProjectRef;
      title: string | null;
      metadata: JsonObject;
      settings: GenerationSettings;
      /** Each replies to an earlier one or is a root; when straying, the last one replies to itself (refused). */
      messages: ImportedStep[];
      leaf: Pick;
    };

/** An imported message but for its ids and times: `parent` picks an earlier message, null makes a root. */
type ImportedStep = Omit<
  ImportedMessage,
  'message_id' | 'parent_message_id' | 'created_at' | 'updated_at' | 'completion_time_ms'
> & { parent: Pick | null };

/**
 * Each step also moves the fake clock by `advanceMs` (0 included: equal times happen in real logs);
 * a `stray` step picks its target among everything known instead of where it would likely succeed.
 */
type TimedStep = Step & { advanceMs: number; stray: boolean };

const pick = fc.nat(1000);
const text = fc.string({ maxLength: 12 });
const content = fc.string({ unit: 'grapheme', maxLength: 16 });
/** A thinking model's reasoning, or null for one that did not think. */
const reasoning = fc.option(content, { nil: null });
const key = fc.constantFrom('a', 'b', 'color', 'tags', 'nested');
const leaf: fc.Arbitrary<Json> = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 6 }),
);
const value: fc.Arbitrary<Json> = fc.oneof(
  { weight: 3, arbitrary: leaf },
  { weight: 1, arbitrary: fc.dictionary(key, leaf, { maxKeys: 2, noNullPrototype: true }) },
  { weight: 1, arbitrary: fc.array(leaf, { maxLength: 2 }) },
);
const metadata: fc.Arbitrary<JsonObject> = fc.dictionary(key, value, { maxKeys: 3, noNullPrototype: true });
/** A few values of each kind of setting, so that setting one again, or clearing one unset, happens too. */
type SomeSettings = 'model' | 'reasoning_effort' | 'system_prompt' | 'temperature' | 'top_k' | 'seed' | 'stop';
const settingValues: { [K in SomeSettings]: fc.Arbitrary<NonNullable<GenerationSettings[K]>> } = {
  model: fc.constantFrom('gpt-oss-20b', 'gpt-oss-120b'),
  reasoning_effort: fc.constantFrom('low', 'medium', 'high'),
  system_prompt: fc.constantFrom('', 'Be brief.'),
  temperature: fc.constantFrom(0, 0.7, 2),
  top_k: fc.constantFrom(0, 40),
  seed: fc.constantFrom(-1, 42),
  stop: fc.constantFrom(['###'], ['a', 'b']),
};
const generationSettings: fc.Arbitrary<GenerationSettings> = fc.record(settingValues, { requiredKeys: [] });
const generationOptions: fc.Arbitrary<GenerationOptions> = fc.record(
  { temperature: settingValues.temperature, reasoning_effort: settingValues.reasoning_effort },
  { requiredKeys: [] },
);
const settingsChange: fc.Arbitrary<SettingsChange> = fc.record(
  Object.fromEntries(
    Object.entries(settingValues).map(([name, values]) => [
      name,
      fc.option(values as fc.Arbitrary<unknown>, { nil: null }),
    ]),
  ) as { [K in SomeSettings]: fc.Arbitrary<GenerationSettings[K] | null> },
  { requiredKeys: [] },
);
const projectRef: fc.Arbitrary<ProjectRef> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ to: 'none' as const }) },
  { weight: 4, arbitrary: pick.map((p) => ({ to: 'active' as const, pick: p })) },
  pick.map((p) => ({ to: 'deleted' as const, pick: p })),
  fc.constant({ to: 'unknown' as const }),
);
const parentRef: fc.Arbitrary<ParentRef> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ kind: 'default' as const }) },
  fc.constant({ kind: 'root' as const }),
  { weight: 2, arbitrary: pick.map((p) => ({ kind: 'existing' as const, pick: p })) },
);
const timings: fc.Arbitrary<CompletionTimings> = fc.record(
  {
    prompt_n: fc.nat(500),
    prompt_ms: fc.nat(4000).map((n) => n / 4),
    predicted_n: fc.nat(500),
    predicted_ms: fc.nat(4000).map((n) => n / 4),
    ttft_ms: fc.nat(2000),
  },
  { requiredKeys: [] },
);

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('createProject' as const),
      retry: fc.nat(3).map((n) => n === 0),
      pick,
      name: text,
      description: fc.option(text, { nil: null }),
      metadata,
      settings: generationSettings,
    }),
  },
  fc.record({
    kind: fc.constant('updateProject' as const),
    pick,
    changes: fc.record(
      { name: text, description: fc.option(text, { nil: null }), metadata, settings: settingsChange },
      { requiredKeys: [] },
    ),
  }),
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constantFrom('deleteProject' as const, 'restoreProject' as const), pick }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('createConversation' as const),
      retry: fc.nat(3).map((n) => n === 0),
      pick,
      project: projectRef,
      title: fc.option(text, { nil: null }),
      metadata,
      settings: generationSettings,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        kind: fc.constant('updateConversation' as const),
        pick,
        title: fc.option(text, { nil: null }),
        project: projectRef,
        metadata,
        settings: settingsChange,
      },
      { requiredKeys: ['kind', 'pick'] },
    ),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constantFrom('deleteConversation' as const, 'restoreConversation' as const),
      pick,
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('postUserMessage' as const), pick, parent: parentRef, content, metadata }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('startResponse' as const),
      pick,
      parent: pick,
      anyParent: fc.boolean(),
      metadata,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        kind: fc.constant('completeResponse' as const),
        pick,
        message: pick,
        content,
        token_count: fc.option(fc.nat(4000), { nil: null }),
        model_name: fc.option(text, { nil: null }),
        completion_time_ms: fc.option(fc.nat(60_000), { nil: null }),
        finish_reason: fc.constantFrom('stop' as const, 'length' as const),
        timings,
        reasoning,
      },
      {
        requiredKeys: [
          'kind',
          'pick',
          'message',
          'content',
          'token_count',
          'model_name',
          'completion_time_ms',
          'finish_reason',
          'timings',
        ],
      },
    ),
  },
  fc.record(
    {
      kind: fc.constant('failResponse' as const),
      pick,
      message: pick,
      error: text,
      error_type: fc.constantFrom('llm_unreachable', 'llm_error', 'timeout'),
      partial_content: content,
      partial_reasoning: reasoning,
    },
    { requiredKeys: ['kind', 'pick', 'message', 'error', 'error_type', 'partial_content'] },
  ),
  {
    weight: 2,
    arbitrary: fc.record(
      {
        kind: fc.constant('cancelResponse' as const),
        pick,
        message: pick,
        partial_content: content,
        partial_reasoning: reasoning,
      },
      { requiredKeys: ['kind', 'pick', 'message', 'partial_content'] },
    ),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('setReaction' as const),
      pick,
      message: pick,
      reaction: fc.constantFrom<Reaction | null>('thumbs_up', 'thumbs_down', null),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('askQuestion' as const),
      pick,
      parent: parentRef,
      content,
      metadata,
      options: generationOptions,
    }),
  },
  fc.record({ kind: fc.constant('regenerate' as const), pick, message: pick }),
  {
    weight: 2,
    arbitrary: fc.record(
      { kind: fc.constant('checkpoint' as const), pick, message: pick, delta: content, reasoning_delta: content },
      { requiredKeys: ['kind', 'pick', 'message', 'delta'] },
    ),
  },
  fc.record({ kind: fc.constant('selectLeaf' as const), pick, message: pick }),
  fc.record({
    kind: fc.constantFrom('purgeConversation' as const, 'purgeProject' as const, 'purgeDocument' as const),
    pick,
  }),
  fc.record({
    kind: fc.constant('attachSources' as const),
    pick,
    message: pick,
    names: fc.array(text, { maxLength: 3 }),
  }),
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('addDocument' as const),
      pick,
      name: text,
      text: fc.oneof(fc.constant(''), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 })),
      paged: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('cutDocument' as const), pick, pieces: fc.integer({ min: 0, max: 3 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('embedChunks' as const),
      pick,
      count: fc.integer({ min: 1, max: 3 }),
      model: fc.constantFrom('embed-a', 'embed-b'),
    }),
  },
  fc.record({
    kind: fc.constantFrom('reindexDocument' as const, 'deleteDocument' as const, 'restoreDocument' as const),
    pick,
  }),
  fc.record({
    kind: fc.constant('importConversation' as const),
    pick,
    project: projectRef,
    title: fc.option(text, { nil: null }),
    metadata,
    settings: generationSettings,
    messages: fc.array(
      fc.record({
        parent: fc.option(pick, { nil: null }),
        role: fc.constantFrom('user' as const, 'assistant' as const),
        status: fc.constantFrom('complete' as const, 'failed' as const, 'cancelled' as const),
        content,
        reaction: fc.constantFrom<Reaction | null>('thumbs_up', 'thumbs_down', null),
        token_count: fc.option(fc.nat(4000), { nil: null }),
        model_name: fc.option(text, { nil: null }),
        finish_reason: fc.constantFrom('stop' as const, 'length' as const, 'cancelled' as const, null),
        metadata,
      }),
      { maxLength: 4 },
    ),
    leaf: pick,
  }),
);

const timedStep: fc.Arbitrary<TimedStep> = fc
  .tuple(step, fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 90_000 })), fc.nat(4))
  .map(([s, advanceMs, dice]) => ({ ...s, advanceMs, stray: dice === 0 }));

const scenario = fc.record({
  steps: fc.array(timedStep, { maxLength: 40, size: 'max' }),
  batchSize: fc.integer({ min: 1, max: 7 }),
  /** Far from wall time, so a projector reading the real clock cannot go unnoticed. */
  startsAt: fc.integer({ min: Date.UTC(2001, 0, 1), max: Date.UTC(2015, 0, 1) }),
  /** One entity manager for the whole run (identity map carried across appends), or one per command. */
  sharedEm: fc.boolean(),
  /** Commands decided from cached stream states (reading only new events), or from whole streams. */
  cached: fc.boolean(),
});

/** A step written by hand: first target, a second later, not straying. */
const scripted = (kind: Step['kind'], fields: object = {}): TimedStep =>
  ({ kind, pick: 0, advanceMs: 1000, stray: false, ...fields }) as TimedStep;
const noMetadata = { metadata: {}, settings: {} };
const importedStep = (fields: Partial<ImportedStep>): ImportedStep => ({
  parent: null,
  role: 'user',
  status: 'complete',
  content: '',
  reaction: null,
  token_count: null,
  model_name: null,
  finish_reason: null,
  metadata: {},
  ...fields,
});

/**
 * A hand-written run reaching every kind of event, an append of three events at once, branches,
 * a refused move to a deleted project, a move to no project, settings set and cleared, checkpoints (of text and of
 * reasoning), reasoning kept by a complete and a failed answer, a regenerated answer, a selected leaf: 33 events,
 * 1 refused command; then a project purged with its conversation, and a conversation purged alone: 35 events left in
 * the log; then a conversation of three messages imported: 39.
 */
const everyKindOfEvent: TimedStep[] = [
  scripted('createProject', {
    retry: false,
    name: 'P',
    description: null,
    metadata: { color: 'red' },
    settings: { temperature: 0.7, system_prompt: 'Be brief.' },
  }),
  scripted('createProject', { retry: false, name: 'Q', description: 'second', ...noMetadata }),
  scripted('updateProject', {
    changes: { name: 'P2', metadata: { tags: ['x'] }, settings: { temperature: null, top_k: 40 } },
  }),
  scripted('createConversation', { retry: false, project: { to: 'active', pick: 0 }, title: 'C', ...noMetadata }),
  scripted('updateConversation', {
    title: 'C2',
    project: { to: 'active', pick: 1 },
    metadata: { pinned: true },
    settings: { reasoning_effort: 'high', seed: 42 },
  }),
  scripted('postUserMessage', { parent: { kind: 'default' }, content: 'Question?', metadata: { lang: 'en' } }),
  scripted('startResponse', { parent: 0, anyParent: false, metadata: { temperature: 0.2 } }),
  scripted('completeResponse', {
    message: 0,
    content: 'Answer.',
    token_count: 3,
    model_name: 'tiny.gguf',
    completion_time_ms: 12,
    finish_reason: 'stop',
    timings: { prompt_n: 2, predicted_ms: 10.5, reasoning_ms: 4 },
    reasoning: 'The user asks.',
  }),
  scripted('setReaction', { message: 1, reaction: 'thumbs_up' }),
  scripted('setReaction', { message: 1, reaction: null }),
  scripted('postUserMessage', { parent: { kind: 'root' }, content: 'Again?', ...noMetadata }),
  scripted('startResponse', { parent: 1, anyParent: false, ...noMetadata }),
  scripted('failResponse', {
    message: 0,
    error: 'reset',
    error_type: 'llm_error',
    partial_content: 'Ag',
    partial_reasoning: 'Hm',
  }),
  scripted('postUserMessage', { parent: { kind: 'existing', pick: 1 }, content: 'Third', ...noMetadata }),
  scripted('startResponse', { parent: 2, anyParent: false, ...noMetadata }),
  scripted('cancelResponse', { message: 0, partial_content: '' }),
  scripted('deleteConversation'),
  scripted('restoreConversation'),
  scripted('deleteProject'),
  scripted('updateConversation', { project: { to: 'deleted', pick: 0 } }),
  scripted('restoreProject'),
  scripted('updateConversation', { project: { to: 'none' } }),
  scripted('askQuestion', {
    parent: { kind: 'default' },
    content: 'Fourth?',
    metadata: {},
    options: { temperature: 0 },
  }),
  scripted('checkpoint', { message: 0, delta: '', reasoning_delta: 'Think ' }),
  scripted('checkpoint', { message: 0, delta: 'Partial ', reasoning_delta: 'more' }),
  scripted('checkpoint', { message: 0, delta: 'answer' }),
  scripted('completeResponse', {
    message: 0,
    content: 'Partial answer.',
    token_count: 4,
    model_name: 'tiny.gguf',
    completion_time_ms: 20,
    finish_reason: 'length',
    timings: {},
  }),
  scripted('regenerate', { message: 0 }),
  scripted('attachSources', { message: 0, names: ['guide.md'] }),
  scripted('selectLeaf', { message: 1 }),
  // Documents: one read and one not, cut, embedded, cut again, deleted and restored, then one purged.
  scripted('addDocument', { name: 'guide.md', text: 'Install it. Then use it.', paged: false }),
  scripted('addDocument', { name: 'scan.pdf', text: '', paged: true }),
  scripted('cutDocument', { pieces: 2 }),
  scripted('embedChunks', { count: 1, model: 'embed-a' }),
  scripted('embedChunks', { count: 2, model: 'embed-a' }),
  scripted('reindexDocument'),
  scripted('cutDocument', { pieces: 1 }),
  scripted('deleteDocument'),
  scripted('restoreDocument'),
  scripted('purgeDocument', { pick: 1 }),
  // Purges: a project with a conversation in it (erased with it), then a conversation alone.
  scripted('createConversation', { retry: false, project: { to: 'active', pick: 1 }, title: 'D', ...noMetadata }),
  scripted('postUserMessage', { pick: 1, parent: { kind: 'default' }, content: 'Private?', ...noMetadata }),
  scripted('purgeProject', { pick: 1 }),
  scripted('createConversation', { retry: false, project: { to: 'none' }, title: 'E', ...noMetadata }),
  scripted('purgeConversation'),
  // A whole conversation at once, into a project: a question, a failed answer and a complete one to it.
  scripted('importConversation', {
    project: { to: 'active', pick: 0 },
    title: 'Imported',
    metadata: { color: 'blue' },
    settings: { model: 'gpt-oss-20b' },
    messages: [
      importedStep({ parent: null, role: 'user', content: 'Old question' }),
      importedStep({ parent: 0, role: 'assistant', status: 'failed', content: 'Par', metadata: { error: 'x' } }),
      importedStep({ parent: 0, role: 'assistant', content: 'Old answer', reaction: 'thumbs_up', token_count: 3 }),
    ],
    leaf: 2,
  }),
];

// ---------------------------------------------------------------- running them through the command layer

type Message = { id: string; role: 'user' | 'assistant'; streaming: boolean };

/**
 * What exists so far in this run, learnt from the events the command layer appended. It only
 * steers the picks towards targets a command can succeed on; the decider still judges every command.
 */
class Known {
  projects = new Map<string, Status>();
  conversations = new Map<string, Status>();
  messages = new Map<string, Message[]>();
  documents = new Map<string, { status: Status; text: string | null; chunks: string[] }>();

  learn(events: readonly StoredEvent[]): void {
    for (const event of events) {
      switch (event.type) {
        case 'DocumentAdded':
          this.documents.set(event.data.document_id, { status: 'active', text: null, chunks: [] });
          break;
        case 'DocumentTextExtracted':
          this.documents.get(event.data.document_id)!.text = event.data.text;
          break;
        case 'DocumentChunked':
          this.documents.get(event.data.document_id)!.chunks = event.data.chunks.map((c) => c.chunk_id);
          break;
        case 'DocumentReindexRequested':
          this.documents.get(event.data.document_id)!.chunks = [];
          break;
        case 'DocumentDeleted':
        case 'DocumentRestored':
          this.documents.get(event.data.document_id)!.status = event.type === 'DocumentDeleted' ? 'deleted' : 'active';
          break;
        case 'DocumentPurged':
          this.documents.delete(event.data.document_id);
          break;
        case 'ProjectCreated':
        case 'ProjectRestored':
          this.projects.set(event.data.project_id, 'active');
          break;
        case 'ProjectDeleted':
          this.projects.set(event.data.project_id, 'deleted');
          break;
        case 'ConversationCreated':
        case 'ConversationImported':
        case 'ConversationRestored':
          this.conversations.set(event.data.conversation_id, 'active');
          break;
        case 'MessageImported': {
          const message = { id: event.data.message_id, role: event.data.role, streaming: false };
          this.messages.set(event.data.conversation_id, [...this.messagesOf(event.data.conversation_id), message]);
          break;
        }
        case 'ConversationDeleted':
          this.conversations.set(event.data.conversation_id, 'deleted');
          break;
        case 'ConversationPurged':
          this.conversations.delete(event.data.conversation_id);
          this.messages.delete(event.data.conversation_id);
          break;
        case 'ProjectPurged':
          this.projects.delete(event.data.project_id);
          break;
        case 'UserMessagePosted':
        case 'AssistantResponseStarted': {
          const user = event.type === 'UserMessagePosted';
          const message = { id: event.data.message_id, role: user ? 'user' : 'assistant', streaming: !user } as const;
          this.messages.set(event.data.conversation_id, [...this.messagesOf(event.data.conversation_id), message]);
          break;
        }
        case 'MessageCompleted':
        case 'MessageFailed':
        case 'MessageCancelled': {
          const message = this.messagesOf(event.data.conversation_id).find((m) => m.id === event.data.message_id);
          if (message) message.streaming = false;
          break;
        }
        default:
          break;
      }
    }
  }

  messagesOf(conversationId: string): Message[] {
    return this.messages.get(conversationId) ?? [];
  }
}

/** The element at `index` modulo the length; a new id when there is none yet (the decider refuses it). */
const at = (list: readonly string[], index: Pick): string => list[index % Math.max(list.length, 1)] ?? uuidv7();

const having = (map: Map<string, Status>, status?: Status): string[] =>
  [...map].filter(([, s]) => !status || s === status).map(([id]) => id);

/**
 * Picks among the likely targets, or among everything known when `stray` (or when nothing is likely),
 * so that refused commands keep happening too.
 */
const choose = (likely: readonly string[], all: readonly string[], index: Pick, stray: boolean): string =>
  at(stray || likely.length === 0 ? all : likely, index);

async function resolveProject(em: EntityManager, known: Known, ref: ProjectRef) {
  const active = having(known.projects, 'active');
  // No active project yet: go without one rather than fail, as creating conversations opens most commands.
  const projectId =
    ref.to === 'none' || (ref.to === 'active' && active.length === 0)
      ? null
      : ref.to === 'unknown'
        ? uuidv7()
        : at(having(known.projects, ref.to), ref.pick);
  return { project_id: projectId, project_status: projectId === null ? null : await projectStatus(em, projectId) };
}

/** The decider's input for a step, resolved against what exists; mirrors what the HTTP routes do. */
async function toCommand(
  em: EntityManager,
  known: Known,
  s: TimedStep,
): Promise<
  | { project: ProjectCommand }
  | { conversation: ConversationCommand }
  | { document: DocumentCommand }
  | { add: AddDocumentInput }
  | { purge: 'project' | 'conversation' | 'document'; id: string }
  | { import: ImportConversation }
> {
  const projects = having(known.projects);
  const project = (status: Status) => choose(having(known.projects, status), projects, s.pick, s.stray);
  const conversations = having(known.conversations);
  const active = having(known.conversations, 'active');
  /** A conversation among `likely` ones, and one of its messages that `fits` (any message when straying). */
  const conversationAndMessage = (likely: readonly string[], index: Pick, fits: (m: Message) => boolean) => {
    const conversation_id = choose(likely, conversations, s.pick, s.stray);
    const messages = known.messagesOf(conversation_id);
    const ids = (list: readonly Message[]) => list.map((m) => m.id);
    return { conversation_id, message_id: choose(ids(messages.filter(fits)), ids(messages), index, s.stray) };
  };
  const withMessages = (fits: (m: Message) => boolean, among: readonly string[]) =>
    among.filter((id) => known.messagesOf(id).some(fits));
  const streaming = (m: Message) => m.streaming;
  const documents = [...known.documents.keys()];
  switch (s.kind) {
    case 'createProject': {
      const project_id = s.retry ? at(projects, s.pick) : uuidv7();
      const { name, description, metadata, settings } = s;
      const data = { project_id, name, description, metadata, settings, id_taken_by: null };
      return { project: { type: 'CreateProject', data } };
    }
    case 'updateProject':
      return { project: { type: 'UpdateProject', data: { project_id: project('active'), ...s.changes } } };
    case 'deleteProject':
      return { project: { type: 'DeleteProject', data: { project_id: project('active') } } };
    case 'restoreProject':
      return { project: { type: 'RestoreProject', data: { project_id: project('deleted') } } };
    case 'createConversation': {
      const conversation_id = s.retry ? at(conversations, s.pick) : uuidv7();
      const target = await resolveProject(em, known, s.project);
      return {
        conversation: {
          type: 'CreateConversation',
          data: {
            conversation_id,
            ...target,
            title: s.title,
            metadata: s.metadata,
            settings: s.settings,
            id_taken_by: null,
          },
        },
      };
    }
    case 'updateConversation': {
      const conversation_id = choose(active, conversations, s.pick, s.stray);
      const data: Extract<ConversationCommand, { type: 'UpdateConversation' }>['data'] = { conversation_id };
      if (s.title !== undefined) data.title = s.title;
      if (s.metadata !== undefined) data.metadata = s.metadata;
      if (s.settings !== undefined) data.settings = s.settings;
      if (s.project !== undefined) Object.assign(data, await resolveProject(em, known, s.project));
      return { conversation: { type: 'UpdateConversation', data } };
    }
    case 'deleteConversation':
      return {
        conversation: {
          type: 'DeleteConversation',
          data: { conversation_id: choose(active, conversations, s.pick, s.stray) },
        },
      };
    case 'restoreConversation': {
      const conversation_id = choose(having(known.conversations, 'deleted'), conversations, s.pick, s.stray);
      return { conversation: { type: 'RestoreConversation', data: { conversation_id } } };
    }
    case 'postUserMessage': {
      const conversation_id = choose(active, conversations, s.pick, s.stray);
      const messages = known.messagesOf(conversation_id).map((m) => m.id);
      const parent =
        s.parent.kind === 'default'
          ? {}
          : { parent_message_id: s.parent.kind === 'root' ? null : at(messages, s.parent.pick) };
      return {
        conversation: {
          type: 'PostUserMessage',
          data: { conversation_id, message_id: uuidv7(), content: s.content, metadata: s.metadata, ...parent },
        },
      };
    }
    case 'startResponse': {
      const fits = (m: Message) => s.anyParent || m.role === 'user';
      const { conversation_id, message_id } = conversationAndMessage(withMessages(fits, active), s.parent, fits);
      return {
        conversation: {
          type: 'StartAssistantResponse',
          data: { conversation_id, message_id: uuidv7(), parent_message_id: message_id, metadata: s.metadata },
        },
      };
    }
    case 'completeResponse': {
      const { kind: _kind, pick: _pick, message, stray: _stray, advanceMs: _advanceMs, ...result } = s;
      const target = conversationAndMessage(withMessages(streaming, conversations), message, streaming);
      return { conversation: { type: 'CompleteMessage', data: { ...target, ...result } } };
    }
    case 'failResponse': {
      const { error, error_type, partial_content } = s;
      const target = conversationAndMessage(withMessages(streaming, conversations), s.message, streaming);
      const kept = s.partial_reasoning === undefined ? {} : { partial_reasoning: s.partial_reasoning };
      return {
        conversation: { type: 'FailMessage', data: { ...target, error, error_type, partial_content, ...kept } },
      };
    }
    case 'cancelResponse': {
      const target = conversationAndMessage(withMessages(streaming, conversations), s.message, streaming);
      const kept = s.partial_reasoning === undefined ? {} : { partial_reasoning: s.partial_reasoning };
      return {
        conversation: { type: 'CancelMessage', data: { ...target, partial_content: s.partial_content, ...kept } },
      };
    }
    case 'setReaction': {
      const target = conversationAndMessage(
        withMessages(() => true, active),
        s.message,
        () => true,
      );
      return { conversation: { type: 'SetReaction', data: { ...target, reaction: s.reaction } } };
    }
    case 'askQuestion': {
      const conversation_id = choose(active, conversations, s.pick, s.stray);
      const messages = known.messagesOf(conversation_id).map((m) => m.id);
      const parent =
        s.parent.kind === 'default'
          ? {}
          : { parent_message_id: s.parent.kind === 'root' ? null : at(messages, s.parent.pick) };
      const ids = { user_message_id: uuidv7(), assistant_message_id: uuidv7() };
      // As the chat route asks it, with no length limit and (as before) no look at the conversation's project.
      const fields = {
        content: s.content,
        metadata: s.metadata,
        assistant_metadata: {},
        max_content_length: Number.MAX_SAFE_INTEGER,
        project_status: null,
        options: s.options,
        project_defaults: null,
      };
      return { conversation: { type: 'AskQuestion', data: { conversation_id, ...ids, ...parent, ...fields } } };
    }
    case 'regenerate': {
      const answer = (m: Message) => m.role === 'assistant';
      const target = conversationAndMessage(withMessages(answer, active), s.message, answer);
      const data = { ...target, new_message_id: uuidv7(), assistant_metadata: {}, options: {}, project_defaults: null };
      return { conversation: { type: 'RegenerateResponse', data } };
    }
    case 'checkpoint': {
      const target = conversationAndMessage(withMessages(streaming, conversations), s.message, streaming);
      const thought = s.reasoning_delta === undefined ? {} : { reasoning_delta: s.reasoning_delta };
      return { conversation: { type: 'CheckpointResponse', data: { ...target, delta: s.delta, ...thought } } };
    }
    case 'selectLeaf': {
      const target = conversationAndMessage(
        withMessages(() => true, active),
        s.message,
        () => true,
      );
      return { conversation: { type: 'SelectCurrentLeaf', data: target } };
    }
    case 'purgeConversation': {
      const idle = conversations.filter((id) => !known.messagesOf(id).some(streaming));
      return { purge: 'conversation', id: choose(idle, conversations, s.pick, s.stray) };
    }
    case 'purgeProject':
      return { purge: 'project', id: choose(projects, projects, s.pick, s.stray) };
    case 'purgeDocument':
      return { purge: 'document', id: choose(documents, documents, s.pick, s.stray) };
    case 'attachSources': {
      const target = conversationAndMessage(withMessages(streaming, conversations), s.message, streaming);
      const sources = s.names.map((name, i) => ({
        n: i + 1,
        document_id: uuidv7(),
        document_name: name,
        chunk_id: uuidv7(),
        pages: [i + 1],
        heading: [name],
        score: 1 / (i + 1),
        snippet: `${name}…`,
      }));
      const retrieval = { mode: 'full_text' as const, reason: 'embedding_disabled' as const, reranked: false };
      return { conversation: { type: 'AttachSources', data: { ...target, sources, retrieval } } };
    }
    case 'addDocument': {
      const project_id = project('active');
      const read =
        s.text === ''
          ? { kind: 'unreadable' as const, reason: 'the file holds no text' }
          : {
              kind: 'text' as const,
              text: s.text,
              pages: s.paged ? [{ page: 1, start: 0, end: s.text.length }] : null,
              sections: [{ heading: s.paged ? [] : [s.name], start: 0, end: s.text.length }],
            };
      const bytes = new TextEncoder().encode(s.text);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const data = { document_id: uuidv7(), project_id, name: s.name, mime_type: 'text/plain', size: bytes.length };
      return { add: { ...data, sha256, read, bytes } };
    }
    case 'cutDocument': {
      const readable = documents.filter((id) => known.documents.get(id)!.text !== null);
      const document_id = choose(readable, documents, s.pick, s.stray);
      const text = known.documents.get(document_id)?.text ?? 'x';
      const size = Math.max(1, Math.ceil(text.length / Math.max(1, s.pieces)));
      const chunks = Array.from({ length: s.pieces }, (_, i) => ({
        chunk_id: uuidv7(),
        start: Math.min(i * size, text.length),
        end: Math.min((i + 1) * size, text.length),
        tokens: i + 1,
        pages: s.pieces > 1 ? [i + 1] : [],
        heading: i === 0 ? [] : ['H'],
      }));
      const chunking = { chunk_tokens: 40, overlap_tokens: 8, max_tokens: 512, tokenizer: 'estimate' };
      return { document: { type: 'RecordChunks', data: { document_id, chunking, chunks } } };
    }
    case 'embedChunks': {
      const cut = documents.filter((id) => known.documents.get(id)!.chunks.length > 0);
      const document_id = choose(cut, documents, s.pick, s.stray);
      const chunk_ids = (known.documents.get(document_id)?.chunks ?? [uuidv7()]).slice(0, s.count);
      return { document: { type: 'RecordEmbeddedChunks', data: { document_id, model: s.model, chunk_ids } } };
    }
    case 'reindexDocument':
    case 'deleteDocument':
    case 'restoreDocument': {
      const type =
        s.kind === 'reindexDocument'
          ? 'ReindexDocument'
          : s.kind === 'deleteDocument'
            ? 'DeleteDocument'
            : 'RestoreDocument';
      return { document: { type, data: { document_id: choose(documents, documents, s.pick, s.stray) } } };
    }
    case 'importConversation':
      return { import: { type: 'ImportConversation', data: await importOf(em, known, s) } };
  }
}

/** A tree of messages made at once, its times before the step's: the shape an import or a fork hands the decider. */
async function importOf(
  em: EntityManager,
  known: Known,
  s: Extract<TimedStep, { kind: 'importConversation' }>,
): Promise<ImportConversation['data']> {
  const ids = s.messages.map(() => uuidv7());
  const time = (i: number) => new Date(Date.UTC(2000, 0, 1, 0, 0, i)).toISOString();
  const messages = s.messages.map(({ parent, ...fields }, i): ImportedMessage => {
    const parentIndex = s.stray && i === s.messages.length - 1 ? i : parent === null || i === 0 ? null : parent % i;
    return {
      ...fields,
      message_id: ids[i]!,
      parent_message_id: parentIndex === null ? null : ids[parentIndex]!,
      completion_time_ms: fields.token_count,
      created_at: time(i),
      updated_at: time(i + 1),
    };
  });
  return {
    conversation_id: uuidv7(),
    ...(await resolveProject(em, known, s.project)),
    title: s.title,
    metadata: s.metadata,
    created_at: time(0),
    updated_at: time(s.messages.length + 1),
    current_leaf_id: ids.length === 0 ? null : ids[s.leaf % ids.length]!,
    source: { kind: 'export', conversation_id: uuidv7() },
    settings: s.settings,
    messages,
  };
}

const projectInline = projectInlineWith(projectors);
const options = { metadata: { request_id: 'replay-property' } };

/** Every added file's content address: a document purge names the file it may erase. */
const shas = new Map<string, string>();
const shaOf = (documentId: string) => shas.get(documentId) ?? '0'.repeat(64);

/** Runs the steps through handleCommand with inline projection; refused commands are skipped. */
async function runSteps(
  steps: readonly TimedStep[],
  clock: { startsAt: number; sharedEm: boolean; cached?: boolean },
): Promise<{ appended: StoredEvent[]; refused: number; types: Set<DomainEventType> }> {
  let time = clock.startsAt;
  const runOptions = { ...options, ...(clock.cached ? { stateCache: createStreamStateCache() } : {}) };
  const known = new Known();
  // Every type appended on the way, those of streams a later step purged too.
  const types = new Set<DomainEventType>();
  const learn = (events: StoredEvent[]) => {
    for (const event of events) types.add(event.type);
    known.learn(events);
  };
  const shared = db.em();
  const appended: StoredEvent[] = [];
  let refused = 0;
  for (const s of steps) {
    time += s.advanceMs;
    const now = time;
    const em = clock.sharedEm ? shared : db.em();
    const store: EventStore = { em, projectInline, bus: createEventBus(), now: () => new Date(now) };
    const command = await toCommand(em, known, s);
    try {
      if ('add' in command) {
        shas.set(command.add.document_id, command.add.sha256);
        const added = await addDocument(store, command.add, runOptions);
        learn(added);
        appended.push(...added);
        continue;
      }
      if ('document' in command) {
        const result = await runDocumentCommand(store, command.document, runOptions);
        learn(result.appended);
        appended.push(...result.appended);
        continue;
      }
      if ('purge' in command) {
        const purge =
          command.purge === 'project'
            ? purgeProject
            : command.purge === 'conversation'
              ? purgeConversation
              : (on: EventStore, id: string, o: typeof runOptions) => purgeDocument(on, id, shaOf(id), o);
        const tombstones = await purge(store, command.id, runOptions);
        const erased = new Set(tombstones.map((e) => e.stream_id));
        appended.splice(0, appended.length, ...appended.filter((e) => !erased.has(e.stream_id)), ...tombstones);
        learn(tombstones);
        continue;
      }
      if ('import' in command) {
        const imported = await importConversations(store, [command.import], runOptions);
        learn(imported);
        appended.push(...imported);
        continue;
      }
      const result =
        'project' in command
          ? await handleCommand(
              store,
              projectDecider,
              { id: command.project.data.project_id, type: 'project' },
              command.project,
              runOptions,
            )
          : await handleCommand(
              store,
              conversationDecider,
              { id: command.conversation.data.conversation_id, type: 'conversation' },
              command.conversation,
              runOptions,
            );
      learn(result.appended);
      appended.push(...result.appended);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      refused += 1;
    }
  }
  return { appended, refused, types };
}

// ---------------------------------------------------------------- reading the read models

type Snapshot = Record<
  | 'projects'
  | 'conversations'
  | 'messages'
  | 'searchDocuments'
  | 'usageMessages'
  | 'documents'
  | 'documentTexts'
  | 'knowledgeChunks',
  Record<string, unknown>[]
>;

/** Every row and every column of the read models, ordered by id, as plain objects. */
async function snapshot(): Promise<Snapshot> {
  const em = db.em();
  const plain = (rows: object[]) => rows.map((row) => wrap(row).toPOJO() as Record<string, unknown>);
  return {
    projects: plain(await em.find(ProjectView, {}, { orderBy: { id: 'asc' } })),
    conversations: plain(await em.find(ConversationView, {}, { orderBy: { id: 'asc' } })),
    messages: plain(await em.find(MessageView, {}, { orderBy: { id: 'asc' } })),
    searchDocuments: plain(await em.find(SearchDocumentView, {}, { orderBy: { id: 'asc' } })),
    usageMessages: plain(await em.find(UsageMessageView, {}, { orderBy: { id: 'asc' } })),
    documents: plain(await em.find(DocumentView, {}, { orderBy: { id: 'asc' } })),
    documentTexts: plain(await em.find(DocumentTextView, {}, { orderBy: { id: 'asc' } })),
    knowledgeChunks: plain(await em.find(KnowledgeChunkView, {}, { orderBy: { id: 'asc' } })),
  };
}

async function checkpoints(): Promise<Record<string, number>> {
  const rows = await db.em().find(ProjectionCheckpoint, {}, { orderBy: { name: 'asc' } });
  return Object.fromEntries(rows.map((row) => [row.name, Number(row.position)]));
}

/** Empties the log and the read models and puts every checkpoint back to 0. */
async function emptyDatabase(): Promise<void> {
  await db.em().transactional(async (tx) => {
    await tx.nativeDelete(EventRecord, {});
    await tx.execute('delete from document_files');
    await emptyReadModels(tx, projectors);
    await tx.nativeUpdate(ProjectionCheckpoint, {}, { position: 0 });
  });
}

// ---------------------------------------------------------------- properties

describe('replaying the event log', () => {
  it('rebuilds every read-model row and column exactly as inline projection built it, for any commands', async () => {
    const seen = new Set<DomainEventType>();
    let accepted = 0;
    let refusedTotal = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async ({ steps, batchSize, startsAt, sharedEm, cached }) => {
        await emptyDatabase();
        const { appended, refused, types } = await runSteps(steps, { startsAt, sharedEm, cached });
        for (const type of types) seen.add(type);
        accepted += steps.length - refused;
        refusedTotal += refused;

        const inline = await snapshot();
        const lastPosition = appended.at(-1)?.position ?? 0;
        const allAt = (position: number) => Object.fromEntries(projectors.map((p) => [p.name, position]));
        expect(await checkpoints()).toEqual(allAt(lastPosition));

        const { events } = await rebuildProjections(db.em(), projectors, { batchSize });
        expect(events).toBe(appended.length);
        expect(await snapshot()).toStrictEqual(inline);
        expect(await checkpoints()).toEqual(allAt(lastPosition));
      }),
      {
        numRuns: 30,
        examples: [
          [{ steps: everyKindOfEvent, batchSize: 3, startsAt: Date.UTC(2012, 2, 3), sharedEm: true, cached: true }],
        ],
      },
    );
    // The runs must reach every kind of event (the example alone does), and the generated commands must
    // mostly hit real targets: refused ones are skipped, so a generator refused all the time would prove little.
    expect([...seen].sort()).toEqual([...domainEventTypes].sort());
    expect(accepted / (accepted + refusedTotal)).toBeGreaterThan(0.25);
  }, 120_000);

  it('deciding from cached stream states appends exactly the events that folding whole streams appends', async () => {
    const run = async (cached: boolean) => {
      await emptyDatabase();
      const { appended, refused } = await runSteps(everyKindOfEvent, {
        startsAt: Date.UTC(2010, 5, 1),
        sharedEm: false,
        cached,
      });
      // Each run makes new ids, and ids made in one millisecond sort in any order: compare the rows of each table
      // with every id blanked out, as sorted lists.
      const rows = await snapshot();
      const read = Object.fromEntries(
        Object.entries(rows).map(([table, list]) => [
          table,
          (list as unknown[])
            .map((row) =>
              JSON.stringify(row).replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'id'),
            )
            .sort(),
        ]),
      );
      const events = appended.map(({ stream_type, stream_version, type }) => ({ stream_type, stream_version, type }));
      return { refused, events, read };
    };
    const whole = await run(false);
    const cached = await run(true);
    expect(cached.refused).toBe(whole.refused);
    expect(cached.events).toEqual(whole.events);
    expect(cached.read).toEqual(whole.read);
  });

  it('rebuilding only messages reproduces them exactly and leaves projects and conversations untouched', async () => {
    await emptyDatabase();
    const { appended, refused } = await runSteps(everyKindOfEvent, { startsAt: Date.UTC(2010, 5, 1), sharedEm: false });
    expect({ appended: appended.length, refused }).toEqual({ appended: 50, refused: 1 });
    const before = await snapshot();
    const checkpointsBefore = await checkpoints();

    // Damage every read model: a rebuild of `message` must repair messages and only messages.
    const conversationId = before.conversations[0]!.id as string;
    const [firstMessage, secondMessage] = before.messages as [Record<string, unknown>, Record<string, unknown>];
    await db.em().nativeUpdate(ProjectView, {}, { name: 'damaged' });
    await db.em().nativeUpdate(ConversationView, { id: conversationId }, { message_count: 99 });
    await db
      .em()
      .nativeUpdate(MessageView, { id: firstMessage.id as string }, { content: 'damaged', status: 'failed' });
    await db.em().nativeDelete(MessageView, { id: secondMessage.id as string });
    await db.em().nativeUpdate(ProjectionCheckpoint, { name: 'message' }, { position: 0 });

    const { events } = await rebuildProjections(db.em(), [messageProjector], { batchSize: 5 });

    expect(events).toBe(appended.length);
    const after = await snapshot();
    expect(after.messages).toStrictEqual(before.messages);
    expect(after.projects).toStrictEqual(before.projects.map((row) => ({ ...row, name: 'damaged' })));
    expect(after.conversations).toStrictEqual(
      before.conversations.map((row) => (row.id === conversationId ? { ...row, message_count: 99 } : row)),
    );
    expect(await checkpoints()).toEqual(checkpointsBefore);
  });
});
