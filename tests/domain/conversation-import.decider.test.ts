import { describe, expect, it } from 'vitest';
import type { ImportConversation } from '../../src/domain/conversation/conversation.commands.js';
import { conversationDecider } from '../../src/domain/conversation/conversation.decider.js';
import type { ConversationEvent, ImportedMessage } from '../../src/domain/conversation/conversation.events.js';
import { deciderSpec, fold } from '../support/decider-spec.js';

const spec = deciderSpec(conversationDecider);
const conversation_id = 'c-1';

const message = (message_id: string, parent_message_id: string | null, fields: Partial<ImportedMessage> = {}) =>
  ({
    message_id,
    parent_message_id,
    role: 'user',
    content: `text of ${message_id}`,
    status: 'complete',
    finish_reason: null,
    reaction: null,
    token_count: null,
    model_name: null,
    completion_time_ms: null,
    metadata: {},
    created_at: '2024-06-10T06:13:30.000Z',
    updated_at: '2024-06-10T06:13:30.000Z',
    ...fields,
  }) satisfies ImportedMessage;

/** A question m-1 with two answers (m-2 failed, m-3 complete, reacted to), a follow-up m-4 on m-3: the leaf. */
const tree: ImportedMessage[] = [
  message('m-1', null),
  message('m-2', 'm-1', { role: 'assistant', status: 'failed', metadata: { error_type: 'llm_error' } }),
  message('m-3', 'm-1', {
    role: 'assistant',
    finish_reason: 'stop',
    reaction: 'thumbs_up',
    token_count: 12,
    model_name: 'gpt-oss-20b',
    completion_time_ms: 300,
    metadata: { timings: { predicted_n: 12 } },
  }),
  message('m-4', 'm-3'),
];

const importing = (data: Partial<ImportConversation['data']> = {}): ImportConversation => ({
  type: 'ImportConversation',
  data: {
    conversation_id,
    project_id: 'p-1',
    project_status: 'active',
    title: 'Imported',
    metadata: { pinned: true },
    created_at: '2024-06-10T06:13:20.000Z',
    updated_at: '2024-06-10T06:23:20.000Z',
    current_leaf_id: 'm-4',
    source: { kind: 'chatgpt', conversation_id: 'orig-1' },
    settings: {},
    messages: tree,
    ...data,
  },
});

const imported: ConversationEvent = {
  type: 'ConversationImported',
  data: {
    conversation_id,
    project_id: 'p-1',
    title: 'Imported',
    metadata: { pinned: true },
    created_at: '2024-06-10T06:13:20.000Z',
    updated_at: '2024-06-10T06:23:20.000Z',
    source: { kind: 'chatgpt', conversation_id: 'orig-1' },
    current_leaf_id: 'm-4',
  },
};
const messageEvents: ConversationEvent[] = tree.map((m) => ({
  type: 'MessageImported',
  data: { conversation_id, ...m },
}));

describe('conversation decider: ImportConversation', () => {
  it('records ConversationImported, without the project status, then one MessageImported per message in order', () => {
    spec
      .given([])
      .when(importing())
      .then([imported, ...messageEvents]);
  });

  it('imports a conversation without messages, leaf none, and one in no project', () => {
    const data = { messages: [], current_leaf_id: null, project_id: null, project_status: null };
    spec
      .given([])
      .when(importing(data))
      .then([{ type: 'ConversationImported', data: { ...imported.data, project_id: null, current_leaf_id: null } }]);
  });

  it('folds into an active conversation with the messages, their outcomes and reactions, and the leaf it names', () => {
    const state = fold(conversationDecider, [imported, ...messageEvents]);
    expect(state).toMatchObject({ status: 'active', title: 'Imported', project_id: 'p-1', leaf_message_id: 'm-4' });
    if (state.status !== 'active') throw new Error('not active');
    expect([...state.messages]).toEqual([
      ['m-1', { role: 'user', status: 'complete', parent_message_id: null, reaction: null }],
      ['m-2', { role: 'assistant', status: 'failed', parent_message_id: 'm-1', reaction: null }],
      ['m-3', { role: 'assistant', status: 'complete', parent_message_id: 'm-1', reaction: 'thumbs_up' }],
      ['m-4', { role: 'user', status: 'complete', parent_message_id: 'm-3', reaction: null }],
    ]);
  });

  it('lets an imported conversation go on as any other: a new message replies to the imported leaf', () => {
    spec
      .given([imported, ...messageEvents])
      .when({
        type: 'PostUserMessage',
        data: { conversation_id, message_id: 'm-5', content: 'More?', metadata: {} },
      })
      .then([
        {
          type: 'UserMessagePosted',
          data: { conversation_id, message_id: 'm-5', parent_message_id: 'm-4', content: 'More?', metadata: {} },
        },
      ]);
  });

  it('refuses a conversation that exists, or was purged', () => {
    spec
      .given([imported])
      .when(importing())
      .thenThrows('conflict', /already exists/);
    spec
      .given([imported, { type: 'ConversationPurged', data: { conversation_id } }])
      .when(importing())
      .thenThrows('conflict', /purged/);
  });

  it('refuses a project that is missing or deleted', () => {
    spec
      .given([])
      .when(importing({ project_status: 'deleted' }))
      .thenThrows('invalid', /Project p-1/, '/project_id');
    spec
      .given([])
      .when(importing({ project_status: 'missing' }))
      .thenThrows('invalid', /Project p-1/, '/project_id');
  });

  it('refuses a parent that is not an earlier message: unknown, later, or the message itself', () => {
    const withParent = (parent: string) => importing({ messages: [tree[0]!, message('m-2', parent)] });
    spec
      .given([])
      .when(withParent('m-9'))
      .thenThrows('invalid', /not an earlier imported message/);
    spec
      .given([])
      .when(importing({ messages: [message('m-2', 'm-1'), tree[0]!], current_leaf_id: 'm-1' }))
      .thenThrows('invalid', /m-2 replies to m-1/);
    spec
      .given([])
      .when(withParent('m-2'))
      .thenThrows('invalid', /m-2 replies to m-2/);
  });

  it('refuses a message imported twice, and one still streaming', () => {
    spec
      .given([])
      .when(importing({ messages: [tree[0]!, tree[0]!], current_leaf_id: 'm-1' }))
      .thenThrows('invalid', /imported twice/);
    const streaming = { ...message('m-1', null), status: 'streaming' } as unknown as ImportedMessage;
    spec
      .given([])
      .when(importing({ messages: [streaming], current_leaf_id: 'm-1' }))
      .thenThrows('invalid', /cannot be imported streaming/);
  });

  it('refuses a leaf that is not one of the messages, and no leaf when there are messages', () => {
    spec
      .given([])
      .when(importing({ current_leaf_id: 'm-9' }))
      .thenThrows('invalid', /current leaf/);
    spec
      .given([])
      .when(importing({ current_leaf_id: null }))
      .thenThrows('invalid', /current leaf/);
    spec
      .given([])
      .when(importing({ messages: [], current_leaf_id: 'm-1' }))
      .thenThrows('invalid', /current leaf/);
  });
});
