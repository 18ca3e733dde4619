import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversationProjector } from '../../projections/conversation.projector.js';
import { ConversationView } from '../../projections/conversation.entity.js';
import { MessageView } from '../../projections/message.entity.js';
import { messageProjector } from '../../projections/message.projector.js';
import { ProjectView } from '../../projections/project.entity.js';
import { projectProjector } from '../../projections/project.projector.js';
import { projectors } from '../../projections/projectors.js';
import type { Database } from '../../src/db/connect-database.js';
import { openDatabase } from '../../src/startup/open-database.js';
import type { ConversationEvent } from '../../src/domain/conversation/conversation.events.js';
import { uuidv7 } from '../../src/ids.js';
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

/** Event times: second `n` of a fixed minute, so every event of a specification has its own time. */
const t = (n: number) => new Date(Date.UTC(2025, 0, 15, 10, 0, n)).toISOString();

describe('project projector', () => {
  it('ProjectCreated inserts an active project at version 1, created and updated at the event time', async () => {
    const id = uuidv7();
    const then = await spec.given(
      projectProjector,
      spec.event(t(1), {
        type: 'ProjectCreated',
        data: { project_id: id, name: 'Research', description: 'Papers', metadata: { color: 'blue' } },
      }),
    );
    expect(await then.row(ProjectView, id)).toStrictEqual({
      id,
      name: 'Research',
      description: 'Papers',
      metadata: { color: 'blue' },
      settings: {},
      created_at: t(1),
      updated_at: t(1),
      deleted_at: null,
      version: 1,
    });
  });

  it('ProjectUpdated sets only the fields it carries and replaces metadata instead of merging it', async () => {
    const id = uuidv7();
    const then = await spec.given(
      projectProjector,
      spec.event(t(1), {
        type: 'ProjectCreated',
        data: {
          project_id: id,
          name: 'Research',
          description: 'Papers',
          metadata: { color: 'blue', nested: { a: 1 } },
        },
      }),
      spec.event(t(2), { type: 'ProjectUpdated', data: { project_id: id, name: 'Reading' } }),
    );
    expect(await then.row(ProjectView, id)).toMatchObject({
      name: 'Reading',
      description: 'Papers',
      metadata: { color: 'blue', nested: { a: 1 } },
      created_at: t(1),
      updated_at: t(2),
      version: 2,
    });

    await spec.given(
      projectProjector,
      spec.event(t(3), {
        type: 'ProjectUpdated',
        data: { project_id: id, description: null, metadata: { nested: { b: 2 } } },
      }),
    );
    expect(await then.row(ProjectView, id)).toStrictEqual({
      id,
      name: 'Reading',
      description: null,
      metadata: { nested: { b: 2 } },
      settings: {},
      created_at: t(1),
      updated_at: t(3),
      deleted_at: null,
      version: 3,
    });
  });

  it('ProjectDeleted sets deleted_at to the event time, ProjectRestored clears it; both move version', async () => {
    const id = uuidv7();
    const then = await spec.given(
      projectProjector,
      spec.event(t(1), {
        type: 'ProjectCreated',
        data: { project_id: id, name: 'P', description: null, metadata: {} },
      }),
      spec.event(t(2), { type: 'ProjectDeleted', data: { project_id: id } }),
    );
    expect(await then.row(ProjectView, id)).toMatchObject({
      deleted_at: t(2),
      updated_at: t(2),
      created_at: t(1),
      version: 2,
    });

    await spec.given(projectProjector, spec.event(t(3), { type: 'ProjectRestored', data: { project_id: id } }));
    expect(await then.row(ProjectView, id)).toStrictEqual({
      id,
      name: 'P',
      description: null,
      metadata: {},
      settings: {},
      created_at: t(1),
      updated_at: t(3),
      deleted_at: null,
      version: 3,
    });
  });

  it('ignores conversation and message events: they create no project row', async () => {
    const conversationId = uuidv7();
    const then = await spec.given(
      projectProjector,
      spec.event(t(1), {
        type: 'ConversationCreated',
        data: { conversation_id: conversationId, project_id: null, title: null, metadata: {} },
      }),
      spec.event(t(2), {
        type: 'UserMessagePosted',
        data: {
          conversation_id: conversationId,
          message_id: uuidv7(),
          parent_message_id: null,
          content: 'x',
          metadata: {},
        },
      }),
    );
    expect(await then.row(ProjectView, conversationId)).toBeNull();
    expect(await then.row(ConversationView, conversationId)).toBeNull();
  });
});

describe('conversation projector', () => {
  const created = (id: string, projectId: string | null, at: string) =>
    spec.event(at, {
      type: 'ConversationCreated',
      data: { conversation_id: id, project_id: projectId, title: 'First', metadata: { pinned: true, tags: ['a'] } },
    });

  it('ConversationCreated inserts a conversation with no messages whose activity_at is its creation time', async () => {
    const id = uuidv7();
    const projectId = uuidv7();
    const then = await spec.given(conversationProjector, created(id, projectId, t(1)));
    expect(await then.row(ConversationView, id)).toStrictEqual({
      id,
      project_id: projectId,
      title: 'First',
      metadata: { pinned: true, tags: ['a'] },
      settings: {},
      created_at: t(1),
      updated_at: t(1),
      deleted_at: null,
      last_message_at: null,
      activity_at: t(1),
      message_count: 0,
      current_leaf_id: null,
      version: 1,
    });
  });

  it('ConversationRenamed sets the title, also to null, moving version and updated_at', async () => {
    const id = uuidv7();
    const then = await spec.given(
      conversationProjector,
      created(id, null, t(1)),
      spec.event(t(2), { type: 'ConversationRenamed', data: { conversation_id: id, title: 'Second' } }),
    );
    expect(await then.row(ConversationView, id)).toMatchObject({ title: 'Second', updated_at: t(2), version: 2 });

    await spec.given(
      conversationProjector,
      spec.event(t(3), { type: 'ConversationRenamed', data: { conversation_id: id, title: null } }),
    );
    expect(await then.row(ConversationView, id)).toMatchObject({
      title: null,
      created_at: t(1),
      updated_at: t(3),
      activity_at: t(1),
      version: 3,
    });
  });

  it('ConversationMoved sets project_id to the target project or to none, moving version and updated_at', async () => {
    const id = uuidv7();
    const from = uuidv7();
    const to = uuidv7();
    const then = await spec.given(
      conversationProjector,
      created(id, from, t(1)),
      spec.event(t(2), {
        type: 'ConversationMoved',
        data: { conversation_id: id, from_project_id: from, to_project_id: to },
      }),
    );
    expect(await then.row(ConversationView, id)).toMatchObject({ project_id: to, updated_at: t(2), version: 2 });

    await spec.given(
      conversationProjector,
      spec.event(t(3), {
        type: 'ConversationMoved',
        data: { conversation_id: id, from_project_id: to, to_project_id: null },
      }),
    );
    expect(await then.row(ConversationView, id)).toMatchObject({ project_id: null, updated_at: t(3), version: 3 });
  });

  it('ConversationMetadataChanged replaces the metadata instead of merging it', async () => {
    const id = uuidv7();
    const then = await spec.given(
      conversationProjector,
      created(id, null, t(1)),
      spec.event(t(2), {
        type: 'ConversationMetadataChanged',
        data: { conversation_id: id, metadata: { tags: ['b'], model: { temperature: 0.5 } } },
      }),
    );
    expect(await then.row(ConversationView, id)).toMatchObject({
      metadata: { tags: ['b'], model: { temperature: 0.5 } },
      updated_at: t(2),
      version: 2,
    });
    expect((await then.row(ConversationView, id))?.metadata).toStrictEqual({
      tags: ['b'],
      model: { temperature: 0.5 },
    });
  });

  it('ConversationDeleted sets deleted_at to the event time and ConversationRestored clears it', async () => {
    const id = uuidv7();
    const then = await spec.given(
      conversationProjector,
      created(id, null, t(1)),
      spec.event(t(2), { type: 'ConversationDeleted', data: { conversation_id: id } }),
    );
    expect(await then.row(ConversationView, id)).toMatchObject({ deleted_at: t(2), updated_at: t(2), version: 2 });

    await spec.given(
      conversationProjector,
      spec.event(t(3), { type: 'ConversationRestored', data: { conversation_id: id } }),
    );
    expect(await then.row(ConversationView, id)).toMatchObject({
      deleted_at: null,
      created_at: t(1),
      updated_at: t(3),
      activity_at: t(1),
      version: 3,
    });
  });

  it('a user or assistant message adds 1 to message_count and sets last_message_at, activity_at', async () => {
    const id = uuidv7();
    const userId = uuidv7();
    const assistantId = uuidv7();
    const then = await spec.given(
      conversationProjector,
      created(id, null, t(1)),
      spec.event(t(2), {
        type: 'UserMessagePosted',
        data: { conversation_id: id, message_id: userId, parent_message_id: null, content: 'Hi', metadata: {} },
      }),
    );
    expect(await then.row(ConversationView, id)).toMatchObject({
      message_count: 1,
      last_message_at: t(2),
      activity_at: t(2),
      updated_at: t(2),
      version: 2,
    });

    await spec.given(
      conversationProjector,
      spec.event(t(3), {
        type: 'AssistantResponseStarted',
        data: { conversation_id: id, message_id: assistantId, parent_message_id: userId, metadata: {} },
      }),
    );
    expect(await then.row(ConversationView, id)).toStrictEqual({
      id,
      project_id: null,
      title: 'First',
      metadata: { pinned: true, tags: ['a'] },
      settings: {},
      created_at: t(1),
      updated_at: t(3),
      deleted_at: null,
      last_message_at: t(3),
      activity_at: t(3),
      message_count: 2,
      current_leaf_id: assistantId,
      version: 3,
    });
  });

  it('completing, failing, cancelling and reacting to messages move only version, not counts or times', async () => {
    const id = uuidv7();
    const userId = uuidv7();
    const [a1, a2, a3] = [uuidv7(), uuidv7(), uuidv7()];
    const start = (messageId: string, at: string) =>
      spec.event(at, {
        type: 'AssistantResponseStarted',
        data: { conversation_id: id, message_id: messageId, parent_message_id: userId, metadata: {} },
      });
    const then = await spec.given(
      conversationProjector,
      created(id, null, t(1)),
      spec.event(t(2), {
        type: 'UserMessagePosted',
        data: { conversation_id: id, message_id: userId, parent_message_id: null, content: 'Hi', metadata: {} },
      }),
      start(a1, t(3)),
      start(a2, t(4)),
      start(a3, t(5)),
    );
    const before = await then.row(ConversationView, id);
    expect(before).toMatchObject({ message_count: 4, last_message_at: t(5), version: 5 });

    await spec.given(
      conversationProjector,
      spec.event(t(6), {
        type: 'MessageCompleted',
        data: {
          conversation_id: id,
          message_id: a1,
          content: 'Hello',
          token_count: 2,
          model_name: 'm',
          completion_time_ms: 10,
          finish_reason: 'stop',
          timings: {},
        },
      }),
      spec.event(t(7), {
        type: 'MessageFailed',
        data: { conversation_id: id, message_id: a2, error: 'boom', error_type: 'llm_error', partial_content: '' },
      }),
      spec.event(t(8), {
        type: 'MessageCancelled',
        data: { conversation_id: id, message_id: a3, partial_content: 'Hel' },
      }),
      spec.event(t(9), {
        type: 'MessageReactionChanged',
        data: { conversation_id: id, message_id: a1, reaction: 'thumbs_up' },
      }),
    );
    expect(await then.row(ConversationView, id)).toStrictEqual({ ...before, version: 9 });
  });

  it('moves version to the stream version of every event of its stream, one event per transaction', async () => {
    const id = uuidv7();
    const userId = uuidv7();
    const assistantId = uuidv7();
    const events: ConversationEvent[] = [
      { type: 'ConversationCreated', data: { conversation_id: id, project_id: null, title: null, metadata: {} } },
      { type: 'ConversationRenamed', data: { conversation_id: id, title: 'T' } },
      { type: 'ConversationMoved', data: { conversation_id: id, from_project_id: null, to_project_id: uuidv7() } },
      { type: 'ConversationMetadataChanged', data: { conversation_id: id, metadata: { k: 1 } } },
      {
        type: 'UserMessagePosted',
        data: { conversation_id: id, message_id: userId, parent_message_id: null, content: 'Q', metadata: {} },
      },
      {
        type: 'AssistantResponseStarted',
        data: { conversation_id: id, message_id: assistantId, parent_message_id: userId, metadata: {} },
      },
      { type: 'MessageCancelled', data: { conversation_id: id, message_id: assistantId, partial_content: '' } },
      { type: 'MessageReactionChanged', data: { conversation_id: id, message_id: userId, reaction: 'thumbs_down' } },
      { type: 'ConversationDeleted', data: { conversation_id: id } },
      { type: 'ConversationRestored', data: { conversation_id: id } },
    ];
    for (const [i, event] of events.entries()) {
      const stored = spec.event(t(i + 1), event);
      const then = await spec.given(conversationProjector, stored);
      expect({ type: event.type, version: (await then.row(ConversationView, id))?.version }).toEqual({
        type: event.type,
        version: stored.stream_version,
      });
    }
    expect((await spec.then.row(ConversationView, id))?.version).toBe(events.length);
  });
});

describe('message projector', () => {
  /** A conversation with one user message `userId` posted at t(1); answers the stored events. */
  function conversationWithQuestion(id: string, userId: string) {
    return [
      spec.event(t(0), {
        type: 'ConversationCreated',
        data: { conversation_id: id, project_id: null, title: null, metadata: {} },
      }),
      spec.event(t(1), {
        type: 'UserMessagePosted',
        data: {
          conversation_id: id,
          message_id: userId,
          parent_message_id: null,
          content: 'Why?',
          metadata: { lang: 'en' },
        },
      }),
    ];
  }

  const started = (id: string, messageId: string, parentId: string, at: string) =>
    spec.event(at, {
      type: 'AssistantResponseStarted',
      data: { conversation_id: id, message_id: messageId, parent_message_id: parentId, metadata: { temperature: 0.7 } },
    });

  it('UserMessagePosted inserts a complete user message whose seq is the stream version of its event', async () => {
    const id = uuidv7();
    const userId = uuidv7();
    const events = conversationWithQuestion(id, userId);
    const then = await spec.given(messageProjector, ...events);
    expect(await then.row(MessageView, userId)).toStrictEqual({
      id: userId,
      conversation_id: id,
      seq: 2,
      role: 'user',
      content: 'Why?',
      reasoning: null,
      status: 'complete',
      finish_reason: null,
      reaction: null,
      parent_message_id: null,
      token_count: null,
      model_name: null,
      completion_time_ms: null,
      metadata: { lang: 'en' },
      depth: 0,
      anchor_id: null,
      created_at: t(1),
      updated_at: t(1),
    });
    expect(await then.row(MessageView, id)).toBeNull();
  });

  it('a user message keeps the parent it replies to', async () => {
    const id = uuidv7();
    const [first, second] = [uuidv7(), uuidv7()];
    const then = await spec.given(
      messageProjector,
      ...conversationWithQuestion(id, first),
      spec.event(t(2), {
        type: 'UserMessagePosted',
        data: { conversation_id: id, message_id: second, parent_message_id: first, content: 'And?', metadata: {} },
      }),
    );
    expect(await then.row(MessageView, second)).toMatchObject({ parent_message_id: first, seq: 3, content: 'And?' });
  });

  it('places each message one below its parent, anchored to the nearest ancestor at a depth divisible by 64', async () => {
    const id = uuidv7();
    const ids = Array.from({ length: 131 }, () => uuidv7());
    const then = await spec.given(
      messageProjector,
      ...conversationWithQuestion(id, ids[0]!),
      ...ids.slice(1).map((messageId, i) =>
        spec.event(t(2 + i), {
          type: 'UserMessagePosted',
          data: { conversation_id: id, message_id: messageId, parent_message_id: ids[i]!, content: 'On', metadata: {} },
        }),
      ),
    );
    const place = async (depth: number) => {
      const row = (await then.row(MessageView, ids[depth]!)) as { depth: number; anchor_id: string | null };
      return { depth: row.depth, anchor_id: row.anchor_id };
    };
    expect(await place(0)).toEqual({ depth: 0, anchor_id: null });
    expect(await place(1)).toEqual({ depth: 1, anchor_id: ids[0] });
    expect(await place(64)).toEqual({ depth: 64, anchor_id: ids[0] });
    expect(await place(65)).toEqual({ depth: 65, anchor_id: ids[64] });
    expect(await place(128)).toEqual({ depth: 128, anchor_id: ids[64] });
    expect(await place(130)).toEqual({ depth: 130, anchor_id: ids[128] });
  });

  it('AssistantResponseStarted inserts a streaming assistant message with empty content', async () => {
    const id = uuidv7();
    const userId = uuidv7();
    const assistantId = uuidv7();
    const then = await spec.given(
      messageProjector,
      ...conversationWithQuestion(id, userId),
      started(id, assistantId, userId, t(2)),
    );
    expect(await then.row(MessageView, assistantId)).toStrictEqual({
      id: assistantId,
      conversation_id: id,
      seq: 3,
      role: 'assistant',
      content: '',
      reasoning: null,
      status: 'streaming',
      finish_reason: null,
      reaction: null,
      parent_message_id: userId,
      token_count: null,
      model_name: null,
      completion_time_ms: null,
      metadata: { temperature: 0.7 },
      depth: 1,
      anchor_id: userId,
      created_at: t(2),
      updated_at: t(2),
    });
  });

  it('MessageCompleted sets content, token_count, model_name, completion_time_ms, finish_reason, timings', async () => {
    const id = uuidv7();
    const userId = uuidv7();
    const assistantId = uuidv7();
    const timings = { prompt_n: 5, prompt_ms: 1.5, predicted_n: 7, predicted_ms: 30.25, ttft_ms: 12 };
    const then = await spec.given(
      messageProjector,
      ...conversationWithQuestion(id, userId),
      started(id, assistantId, userId, t(2)),
    );
    await spec.given(
      messageProjector,
      spec.event(t(3), {
        type: 'MessageCompleted',
        data: {
          conversation_id: id,
          message_id: assistantId,
          content: 'Because.',
          token_count: 7,
          model_name: 'tiny-model.gguf',
          completion_time_ms: 42,
          finish_reason: 'length',
          timings,
        },
      }),
    );
    expect(await then.row(MessageView, assistantId)).toStrictEqual({
      id: assistantId,
      conversation_id: id,
      seq: 3,
      role: 'assistant',
      content: 'Because.',
      reasoning: null,
      status: 'complete',
      finish_reason: 'length',
      reaction: null,
      parent_message_id: userId,
      token_count: 7,
      model_name: 'tiny-model.gguf',
      completion_time_ms: 42,
      metadata: { temperature: 0.7, timings },
      depth: 1,
      anchor_id: userId,
      created_at: t(2),
      updated_at: t(3),
    });
  });

  it('checkpoints append reasoning_delta to a reasoning that starts null; checkpoints without one leave it null', async () => {
    const id = uuidv7();
    const userId = uuidv7();
    const assistantId = uuidv7();
    const progressed = (at: string, data: { delta: string; reasoning_delta?: string }) =>
      spec.event(at, {
        type: 'AssistantResponseProgressed',
        data: { conversation_id: id, message_id: assistantId, ...data },
      });
    const then = await spec.given(
      messageProjector,
      ...conversationWithQuestion(id, userId),
      started(id, assistantId, userId, t(2)),
      progressed(t(3), { delta: '' }),
    );
    expect(await then.row(MessageView, assistantId)).toMatchObject({ content: '', reasoning: null });
    await spec.given(
      messageProjector,
      progressed(t(4), { delta: '', reasoning_delta: 'Think' }),
      progressed(t(5), { delta: 'Be', reasoning_delta: 'ing.' }),
      progressed(t(6), { delta: 'cause.' }),
    );
    expect(await then.row(MessageView, assistantId)).toMatchObject({
      content: 'Because.',
      reasoning: 'Thinking.',
      updated_at: t(6),
    });
  });

  it('MessageCompleted with reasoning stores it; cut by length before any answer text, it flags cut_while_reasoning', async () => {
    const id = uuidv7();
    const userId = uuidv7();
    const assistantId = uuidv7();
    const then = await spec.given(
      messageProjector,
      ...conversationWithQuestion(id, userId),
      started(id, assistantId, userId, t(2)),
      spec.event(t(3), {
        type: 'MessageCompleted',
        data: {
          conversation_id: id,
          message_id: assistantId,
          content: '',
          reasoning: 'The user wants',
          token_count: 5,
          model_name: null,
          completion_time_ms: 9,
          finish_reason: 'length',
          timings: { ttft_ms: 2, reasoning_ms: 7 },
        },
      }),
    );
    expect(await then.row(MessageView, assistantId)).toMatchObject({
      content: '',
      reasoning: 'The user wants',
      finish_reason: 'length',
      metadata: { temperature: 0.7, timings: { ttft_ms: 2, reasoning_ms: 7 }, cut_while_reasoning: true },
    });
  });

  it('MessageFailed and MessageCancelled keep their partial_reasoning as the reasoning', async () => {
    const id = uuidv7();
    const userId = uuidv7();
    const failedId = uuidv7();
    const cancelledId = uuidv7();
    const then = await spec.given(
      messageProjector,
      ...conversationWithQuestion(id, userId),
      started(id, failedId, userId, t(2)),
      spec.event(t(3), {
        type: 'MessageFailed',
        data: {
          conversation_id: id,
          message_id: failedId,
          error: 'gone',
          error_type: 'llm_error',
          partial_content: '',
          partial_reasoning: 'Hmm',
        },
      }),
      started(id, cancelledId, userId, t(4)),
      spec.event(t(5), {
        type: 'MessageCancelled',
        data: { conversation_id: id, message_id: cancelledId, partial_content: 'A', partial_reasoning: 'So' },
      }),
    );
    expect(await then.row(MessageView, failedId)).toMatchObject({ status: 'failed', reasoning: 'Hmm' });
    expect(await then.row(MessageView, cancelledId)).toMatchObject({ status: 'cancelled', reasoning: 'So' });
  });

  it('MessageFailed keeps partial content as content, puts error, error_type in metadata, status failed', async () => {
    const id = uuidv7();
    const userId = uuidv7();
    const assistantId = uuidv7();
    const then = await spec.given(
      messageProjector,
      ...conversationWithQuestion(id, userId),
      started(id, assistantId, userId, t(2)),
      spec.event(t(3), {
        type: 'MessageFailed',
        data: {
          conversation_id: id,
          message_id: assistantId,
          error: 'connection reset',
          error_type: 'llm_unreachable',
          partial_content: 'Becau',
        },
      }),
    );
    expect(await then.row(MessageView, assistantId)).toMatchObject({
      content: 'Becau',
      status: 'failed',
      finish_reason: null,
      token_count: null,
      metadata: { temperature: 0.7, error: 'connection reset', error_type: 'llm_unreachable' },
      created_at: t(2),
      updated_at: t(3),
    });
  });

  it('MessageCancelled keeps the partial content, sets status and finish_reason cancelled, leaves metadata as it was', async () => {
    const id = uuidv7();
    const userId = uuidv7();
    const assistantId = uuidv7();
    const then = await spec.given(
      messageProjector,
      ...conversationWithQuestion(id, userId),
      started(id, assistantId, userId, t(2)),
      spec.event(t(3), {
        type: 'MessageCancelled',
        data: { conversation_id: id, message_id: assistantId, partial_content: 'Be' },
      }),
    );
    expect(await then.row(MessageView, assistantId)).toMatchObject({
      content: 'Be',
      status: 'cancelled',
      finish_reason: 'cancelled',
      metadata: { temperature: 0.7 },
      created_at: t(2),
      updated_at: t(3),
    });
    expect((await then.row(MessageView, assistantId))?.metadata).toStrictEqual({ temperature: 0.7 });
  });

  it('MessageReactionChanged sets the reaction and a null reaction clears it, each moving updated_at', async () => {
    const id = uuidv7();
    const userId = uuidv7();
    const then = await spec.given(
      messageProjector,
      ...conversationWithQuestion(id, userId),
      spec.event(t(2), {
        type: 'MessageReactionChanged',
        data: { conversation_id: id, message_id: userId, reaction: 'thumbs_up' },
      }),
    );
    expect(await then.row(MessageView, userId)).toMatchObject({
      reaction: 'thumbs_up',
      updated_at: t(2),
      created_at: t(1),
    });

    await spec.given(
      messageProjector,
      spec.event(t(3), {
        type: 'MessageReactionChanged',
        data: { conversation_id: id, message_id: userId, reaction: null },
      }),
    );
    expect(await then.row(MessageView, userId)).toMatchObject({
      reaction: null,
      status: 'complete',
      content: 'Why?',
      updated_at: t(3),
    });
  });

  it('projects a message lifecycle alike in one transaction or in one transaction per event', async () => {
    const lifecycle = (id: string, userId: string, assistantId: string) => [
      ...conversationWithQuestion(id, userId),
      started(id, assistantId, userId, t(2)),
      spec.event(t(3), {
        type: 'MessageCompleted',
        data: {
          conversation_id: id,
          message_id: assistantId,
          content: 'Done',
          token_count: null,
          model_name: null,
          completion_time_ms: null,
          finish_reason: 'stop',
          timings: { ttft_ms: 3 },
        },
      }),
      spec.event(t(4), {
        type: 'MessageReactionChanged',
        data: { conversation_id: id, message_id: assistantId, reaction: 'thumbs_down' },
      }),
    ];
    const [batchId, batchUser, batchAssistant] = [uuidv7(), uuidv7(), uuidv7()];
    await spec.given(projectors, ...lifecycle(batchId, batchUser, batchAssistant));
    const [oneId, oneUser, oneAssistant] = [uuidv7(), uuidv7(), uuidv7()];
    for (const event of lifecycle(oneId, oneUser, oneAssistant)) await spec.given(projectors, event);

    const batched = await spec.then.row(MessageView, batchAssistant);
    const oneByOne = await spec.then.row(MessageView, oneAssistant);
    expect(oneByOne).toStrictEqual({
      ...batched,
      id: oneAssistant,
      conversation_id: oneId,
      parent_message_id: oneUser,
      anchor_id: oneUser,
    });
    const batchedConversation = await spec.then.row(ConversationView, batchId);
    expect(await spec.then.row(ConversationView, oneId)).toStrictEqual({
      ...batchedConversation,
      id: oneId,
      current_leaf_id: oneAssistant,
    });
  });
});

describe('checkpoints', () => {
  it('advance to the position of the last event applied, for the projectors applied only', async () => {
    const messageBefore = await spec.then.checkpoint('message');
    const id = uuidv7();
    const events = [
      spec.event(t(1), {
        type: 'ProjectCreated',
        data: { project_id: id, name: 'C', description: null, metadata: {} },
      }),
      spec.event(t(2), { type: 'ProjectDeleted', data: { project_id: id } }),
    ];
    const then = await spec.given([projectProjector, conversationProjector], ...events);
    const last = events.at(-1)!.position;
    expect(await then.checkpoint('project')).toBe(last);
    expect(await then.checkpoint('conversation')).toBe(last);
    expect(await then.checkpoint('message')).toBe(messageBefore);
    expect(messageBefore).toBeLessThan(last);
  });

  it('never move back when a batch ends at an earlier position', async () => {
    const id = uuidv7();
    const current = spec.event(t(1), {
      type: 'ProjectCreated',
      data: { project_id: id, name: 'Late', description: null, metadata: {} },
    });
    const then = await spec.given(projectProjector, current);
    expect(await then.checkpoint('project')).toBe(current.position);

    const earlier = { ...spec.event(t(2), { type: 'ProjectDeleted', data: { project_id: id } }), position: 1 };
    await spec.given(projectProjector, earlier);
    expect(await then.checkpoint('project')).toBe(current.position);
  });

  it('stay where they are when no event is applied', async () => {
    const before = await Promise.all(projectors.map((p) => spec.then.checkpoint(p.name)));
    await spec.given(projectors);
    expect(await Promise.all(projectors.map((p) => spec.then.checkpoint(p.name)))).toEqual(before);
  });
});
