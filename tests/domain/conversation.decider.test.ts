import { describe, expect, it } from 'vitest';
import type { ConversationCommand } from '../../src/domain/conversation/conversation.commands.js';
import { conversationDecider } from '../../src/domain/conversation/conversation.decider.js';
import type { ConversationEvent } from '../../src/domain/conversation/conversation.events.js';
import { wantsGeneratedTitle } from '../../src/domain/conversation/wants-generated-title.js';
import { deciderSpec, fold } from '../support/decider-spec.js';

const spec = deciderSpec(conversationDecider);
const conversation_id = 'c-1';

const created: ConversationEvent = {
  type: 'ConversationCreated',
  data: { conversation_id, project_id: 'p-1', title: 'Chat', metadata: { pinned: false } },
};
const deleted: ConversationEvent = { type: 'ConversationDeleted', data: { conversation_id } };
const restored: ConversationEvent = { type: 'ConversationRestored', data: { conversation_id } };

const userPosted = (message_id: string, parent_message_id: string | null, content = 'Hello?'): ConversationEvent => ({
  type: 'UserMessagePosted',
  data: { conversation_id, message_id, parent_message_id, content, metadata: {} },
});
const assistantStarted = (message_id: string, parent_message_id: string): ConversationEvent => ({
  type: 'AssistantResponseStarted',
  data: { conversation_id, message_id, parent_message_id, metadata: {} },
});

const create = (
  data: Partial<Extract<ConversationCommand, { type: 'CreateConversation' }>['data']> = {},
): ConversationCommand => ({
  type: 'CreateConversation',
  data: {
    conversation_id,
    project_id: 'p-1',
    project_status: 'active',
    title: 'Chat',
    metadata: { pinned: false },
    settings: {},
    id_taken_by: null,
    ...data,
  },
});
const update = (data: Omit<Extract<ConversationCommand, { type: 'UpdateConversation' }>['data'], 'conversation_id'>) =>
  ({ type: 'UpdateConversation', data: { conversation_id, ...data } }) satisfies ConversationCommand;
const post = (message_id: string, parent?: { parent_message_id: string | null }) =>
  ({
    type: 'PostUserMessage',
    data: { conversation_id, message_id, content: 'Hello?', metadata: {}, ...parent },
  }) satisfies ConversationCommand;
const start = (message_id: string, parent_message_id: string) =>
  ({
    type: 'StartAssistantResponse',
    data: { conversation_id, message_id, parent_message_id, metadata: { model: 'gpt-oss' } },
  }) satisfies ConversationCommand;

const completion = {
  conversation_id,
  message_id: 'm-2',
  content: 'Hi!',
  token_count: 3,
  model_name: 'gpt-oss-20b',
  completion_time_ms: 120,
  finish_reason: 'stop' as const,
  timings: { prompt_n: 5, predicted_n: 3, ttft_ms: 40 },
};
const failure = { conversation_id, message_id: 'm-2', error: 'boom', error_type: 'llm_error', partial_content: 'H' };
const cancellation = { conversation_id, message_id: 'm-2', partial_content: 'Hi' };
const complete = (message_id = 'm-2') =>
  ({ type: 'CompleteMessage', data: { ...completion, message_id } }) satisfies ConversationCommand;
const fail = (message_id = 'm-2') =>
  ({ type: 'FailMessage', data: { ...failure, message_id } }) satisfies ConversationCommand;
const cancel = (message_id = 'm-2') =>
  ({ type: 'CancelMessage', data: { ...cancellation, message_id } }) satisfies ConversationCommand;
const react = (message_id: string, reaction: 'thumbs_up' | 'thumbs_down' | null) =>
  ({ type: 'SetReaction', data: { conversation_id, message_id, reaction } }) satisfies ConversationCommand;

/** A conversation with a user question m-1 and an assistant answer m-2 still streaming. */
const streaming: ConversationEvent[] = [created, userPosted('m-1', null), assistantStarted('m-2', 'm-1')];
const answered: ConversationEvent[] = [...streaming, { type: 'MessageCompleted', data: completion }];

describe('conversation decider', () => {
  describe('CreateConversation', () => {
    it('creating in an active project records ConversationCreated without the project status', () => {
      spec.given([]).when(create()).then([created]);
    });

    it('creating without a project needs no project status', () => {
      spec
        .given([])
        .when(create({ project_id: null, project_status: null, title: null }))
        .then([
          {
            type: 'ConversationCreated',
            data: { conversation_id, project_id: null, title: null, metadata: { pinned: false } },
          },
        ]);
    });

    it('creating in a deleted project is invalid on /project_id', () => {
      spec
        .given([])
        .when(create({ project_status: 'deleted' }))
        .thenThrows('invalid', /p-1/, '/project_id');
    });

    it('creating in a missing project is invalid on /project_id', () => {
      spec
        .given([])
        .when(create({ project_status: 'missing' }))
        .thenThrows('invalid', /p-1/, '/project_id');
    });

    it('creating in a project whose status was not looked up is invalid on /project_id', () => {
      spec
        .given([])
        .when(create({ project_status: null }))
        .thenThrows('invalid', /p-1/, '/project_id');
    });

    it('a retried create with the same id and body appends nothing', () => {
      spec.given([created]).when(create()).thenNothing();
    });

    it('a retried create with the same body appends nothing even after the conversation was renamed', () => {
      spec
        .given([created, { type: 'ConversationRenamed', data: { conversation_id, title: 'Other' } }])
        .when(create())
        .thenNothing();
    });

    it('a create with an existing id but another title is a conflict', () => {
      spec
        .given([created])
        .when(create({ title: 'Other' }))
        .thenThrows('conflict', /c-1 already exists/);
    });

    it('a create with an existing id but another project is a conflict', () => {
      spec
        .given([created])
        .when(create({ project_id: 'p-2' }))
        .thenThrows('conflict', /c-1/);
    });
  });

  describe('CreateConversation with an id that names something else', () => {
    for (const owner of ['project', 'message', 'chat session'] as const) {
      it(`an id that already belongs to a ${owner} is a conflict saying so`, () => {
        spec
          .given([])
          .when(create({ id_taken_by: owner }))
          .thenThrows('conflict', new RegExp(`^Id c-1 already belongs to a ${owner}$`));
      });
    }

    it('a retried create on its own stream is answered as before: what else the id names is not asked', () => {
      spec
        .given([created])
        .when(create({ id_taken_by: 'conversation' }))
        .thenNothing();
    });
  });

  describe('UpdateConversation', () => {
    it('a new title records ConversationRenamed', () => {
      spec
        .given([created])
        .when(update({ title: 'Renamed' }))
        .then([{ type: 'ConversationRenamed', data: { conversation_id, title: 'Renamed' } }]);
    });

    it('changing title, project and metadata at once records Renamed, Moved, MetadataChanged in that order', () => {
      spec
        .given([created])
        .when(update({ metadata: { pinned: true }, project_id: 'p-2', project_status: 'active', title: null }))
        .then([
          { type: 'ConversationRenamed', data: { conversation_id, title: null } },
          { type: 'ConversationMoved', data: { conversation_id, from_project_id: 'p-1', to_project_id: 'p-2' } },
          { type: 'ConversationMetadataChanged', data: { conversation_id, metadata: { pinned: true } } },
        ]);
    });

    it('moving to no project records ConversationMoved to null without a project status', () => {
      spec
        .given([created])
        .when(update({ project_id: null }))
        .then([{ type: 'ConversationMoved', data: { conversation_id, from_project_id: 'p-1', to_project_id: null } }]);
    });

    it('moving out of no project records ConversationMoved from null', () => {
      spec
        .given([
          created,
          { type: 'ConversationMoved', data: { conversation_id, from_project_id: 'p-1', to_project_id: null } },
        ])
        .when(update({ project_id: 'p-2', project_status: 'active' }))
        .then([{ type: 'ConversationMoved', data: { conversation_id, from_project_id: null, to_project_id: 'p-2' } }]);
    });

    it('moving to a deleted project is invalid on /project_id, even with other changes', () => {
      spec
        .given([created])
        .when(update({ title: 'Renamed', project_id: 'p-2', project_status: 'deleted' }))
        .thenThrows('invalid', /p-2/, '/project_id');
    });

    it('moving to a missing project is invalid on /project_id', () => {
      spec
        .given([created])
        .when(update({ project_id: 'p-2', project_status: 'missing' }))
        .thenThrows('invalid', /p-2/, '/project_id');
    });

    it('an update repeating the current title, project and metadata appends nothing', () => {
      spec
        .given([created])
        .when(update({ title: 'Chat', project_id: 'p-1', project_status: 'active', metadata: { pinned: false } }))
        .thenNothing();
    });

    it('staying in the current project does not check its status, so nothing is appended', () => {
      spec
        .given([created])
        .when(update({ project_id: 'p-1', project_status: 'deleted' }))
        .thenNothing();
    });

    it('updating a conversation that was never created is not_found', () => {
      spec
        .given([])
        .when(update({ title: 'Renamed' }))
        .thenThrows('not_found', /c-1 not found/);
    });

    it('updating a deleted conversation is not_found', () => {
      spec
        .given([created, deleted])
        .when(update({ title: 'Renamed' }))
        .thenThrows('not_found', /c-1 not found/);
    });
  });

  describe('DeleteConversation and RestoreConversation', () => {
    it('deleting an active conversation records ConversationDeleted', () => {
      spec.given([created]).when({ type: 'DeleteConversation', data: { conversation_id } }).then([deleted]);
    });

    it('deleting a deleted conversation appends nothing', () => {
      spec.given([created, deleted]).when({ type: 'DeleteConversation', data: { conversation_id } }).thenNothing();
    });

    it('deleting a conversation that was never created is not_found', () => {
      spec.given([]).when({ type: 'DeleteConversation', data: { conversation_id } }).thenThrows('not_found', /c-1/);
    });

    it('restoring a deleted conversation records ConversationRestored', () => {
      spec.given([created, deleted]).when({ type: 'RestoreConversation', data: { conversation_id } }).then([restored]);
    });

    it('restoring an active conversation appends nothing', () => {
      spec.given([created]).when({ type: 'RestoreConversation', data: { conversation_id } }).thenNothing();
    });

    it('restoring a conversation restored already appends nothing', () => {
      spec
        .given([created, deleted, restored])
        .when({ type: 'RestoreConversation', data: { conversation_id } })
        .thenNothing();
    });

    it('restoring a conversation that was never created is not_found', () => {
      spec.given([]).when({ type: 'RestoreConversation', data: { conversation_id } }).thenThrows('not_found', /c-1/);
    });
  });

  describe('PurgeConversation', () => {
    const purge = { type: 'PurgeConversation' as const, data: { conversation_id } };
    const purged: ConversationEvent = { type: 'ConversationPurged', data: { conversation_id } };

    it('purging an answered conversation records only a content-free tombstone', () => {
      spec.given(answered).when(purge).then([purged]);
    });

    it('a soft-deleted conversation can be purged too', () => {
      spec.given([created, deleted]).when(purge).then([purged]);
    });

    it('purging while an answer is being generated is a conflict', () => {
      spec
        .given(streaming)
        .when(purge)
        .thenThrows('conflict', /being generated/);
    });

    it('purging what does not exist, or was purged, is not found', () => {
      spec.given([]).when(purge).thenThrows('not_found');
      spec.given([purged]).when(purge).thenThrows('not_found');
    });

    it('after a purge every command is refused, and the id is never created again', () => {
      spec
        .given([purged])
        .when(update({ title: 'Back?' }))
        .thenThrows('not_found');
      spec.given([purged]).when(post('m-9')).thenThrows('not_found');
      spec.given([purged]).when({ type: 'RestoreConversation', data: { conversation_id } }).thenThrows('not_found');
      spec
        .given([purged])
        .when(create())
        .thenThrows('conflict', /purged/);
    });
  });

  describe('PostUserMessage', () => {
    it('the first message of a conversation is a root', () => {
      spec
        .given([created])
        .when(post('m-1'))
        .then([userPosted('m-1', null)]);
    });

    it('without a parent, a message replies to the last message posted', () => {
      spec
        .given(answered)
        .when(post('m-3'))
        .then([userPosted('m-3', 'm-2')]);
    });

    it('without a parent, a message replies to the newest root rather than the deepest message', () => {
      spec
        .given([...answered, userPosted('m-3', null)])
        .when(post('m-4'))
        .then([userPosted('m-4', 'm-3')]);
    });

    it('an explicit null parent starts a new root even when the conversation has messages', () => {
      spec
        .given(answered)
        .when(post('m-3', { parent_message_id: null }))
        .then([userPosted('m-3', null)]);
    });

    it('an explicit parent other than the leaf branches from it', () => {
      spec
        .given(answered)
        .when(post('m-3', { parent_message_id: 'm-1' }))
        .then([userPosted('m-3', 'm-1')]);
    });

    it('an explicit parent that is not in the conversation is invalid on /parent_message_id', () => {
      spec
        .given(answered)
        .when(post('m-3', { parent_message_id: 'm-9' }))
        .thenThrows('invalid', /m-9/, '/parent_message_id');
    });

    it('posting with the id of an existing message is a conflict', () => {
      spec
        .given(answered)
        .when(post('m-1'))
        .thenThrows('conflict', /m-1 already exists/);
    });

    it('posting to a conversation that was never created is not_found', () => {
      spec
        .given([])
        .when(post('m-1'))
        .thenThrows('not_found', /c-1 not found/);
    });

    it('posting to a deleted conversation is not_found', () => {
      spec
        .given([...answered, deleted])
        .when(post('m-3'))
        .thenThrows('not_found', /c-1 not found/);
    });

    it('posting to a restored conversation replies to its last message', () => {
      spec
        .given([...answered, deleted, restored])
        .when(post('m-3'))
        .then([userPosted('m-3', 'm-2')]);
    });
  });

  describe('StartAssistantResponse', () => {
    it('answering a user message records AssistantResponseStarted', () => {
      spec
        .given([created, userPosted('m-1', null)])
        .when(start('m-2', 'm-1'))
        .then([
          {
            type: 'AssistantResponseStarted',
            data: { conversation_id, message_id: 'm-2', parent_message_id: 'm-1', metadata: { model: 'gpt-oss' } },
          },
        ]);
    });

    it('answering an assistant message is invalid', () => {
      spec
        .given(answered)
        .when(start('m-3', 'm-2'))
        .thenThrows('invalid', /m-2 is not a user message/);
    });

    it('answering a message that is not in the conversation is invalid', () => {
      spec.given(answered).when(start('m-3', 'm-9')).thenThrows('invalid', /m-9/);
    });

    it('starting a response with the id of an existing message is a conflict', () => {
      spec
        .given(answered)
        .when(start('m-1', 'm-1'))
        .thenThrows('conflict', /m-1 already exists/);
    });

    it('starting a response in a deleted conversation is not_found', () => {
      spec
        .given([created, userPosted('m-1', null), deleted])
        .when(start('m-2', 'm-1'))
        .thenThrows('not_found', /c-1 not found/);
    });
  });

  describe('CompleteMessage, FailMessage and CancelMessage', () => {
    it('completing a streaming answer records MessageCompleted with the whole completion', () => {
      spec
        .given(streaming)
        .when(complete())
        .then([{ type: 'MessageCompleted', data: completion }]);
    });

    it('failing a streaming answer records MessageFailed', () => {
      spec
        .given(streaming)
        .when(fail())
        .then([{ type: 'MessageFailed', data: failure }]);
    });

    it('cancelling a streaming answer records MessageCancelled', () => {
      spec
        .given(streaming)
        .when(cancel())
        .then([{ type: 'MessageCancelled', data: cancellation }]);
    });

    it('completing an answer already completed is a conflict', () => {
      spec
        .given(answered)
        .when(complete())
        .thenThrows('conflict', /already complete/);
    });

    it('failing an answer already completed is a conflict', () => {
      spec
        .given(answered)
        .when(fail())
        .thenThrows('conflict', /already complete/);
    });

    it('cancelling an answer already completed is a conflict', () => {
      spec
        .given(answered)
        .when(cancel())
        .thenThrows('conflict', /already complete/);
    });

    it('completing an answer already cancelled is a conflict', () => {
      spec
        .given([...streaming, { type: 'MessageCancelled', data: cancellation }])
        .when(complete())
        .thenThrows('conflict', /already cancelled/);
    });

    it('cancelling an answer already failed is a conflict', () => {
      spec
        .given([...streaming, { type: 'MessageFailed', data: failure }])
        .when(cancel())
        .thenThrows('conflict', /already failed/);
    });

    it('completing a user message is a conflict, as it is never streaming', () => {
      spec
        .given(streaming)
        .when(complete('m-1'))
        .thenThrows('conflict', /already complete/);
    });

    it('an answer completing after its conversation was deleted is still recorded', () => {
      spec
        .given([...streaming, deleted])
        .when(complete())
        .then([{ type: 'MessageCompleted', data: completion }]);
    });

    it('an answer failing after its conversation was deleted is still recorded', () => {
      spec
        .given([...streaming, deleted])
        .when(fail())
        .then([{ type: 'MessageFailed', data: failure }]);
    });

    it('an answer cancelled after its conversation was deleted is still recorded', () => {
      spec
        .given([...streaming, deleted])
        .when(cancel())
        .then([{ type: 'MessageCancelled', data: cancellation }]);
    });

    it('completing a message that is not in the conversation is not_found', () => {
      spec
        .given(streaming)
        .when(complete('m-9'))
        .thenThrows('not_found', /m-9 not found/);
    });

    it('failing a message that is not in the conversation is not_found', () => {
      spec
        .given(streaming)
        .when(fail('m-9'))
        .thenThrows('not_found', /m-9 not found/);
    });

    it('cancelling a message that is not in the conversation is not_found', () => {
      spec
        .given(streaming)
        .when(cancel('m-9'))
        .thenThrows('not_found', /m-9 not found/);
    });

    it('completing a message of a conversation that was never created is not_found', () => {
      spec
        .given([])
        .when(complete())
        .thenThrows('not_found', /c-1 not found/);
    });
  });

  describe('SetReaction', () => {
    it('reacting to a message records MessageReactionChanged', () => {
      spec
        .given(answered)
        .when(react('m-2', 'thumbs_up'))
        .then([
          { type: 'MessageReactionChanged', data: { conversation_id, message_id: 'm-2', reaction: 'thumbs_up' } },
        ]);
    });

    const reacted: ConversationEvent[] = [
      ...answered,
      { type: 'MessageReactionChanged', data: { conversation_id, message_id: 'm-2', reaction: 'thumbs_up' } },
    ];

    it('setting the same reaction again appends nothing', () => {
      spec.given(reacted).when(react('m-2', 'thumbs_up')).thenNothing();
    });

    it('switching to the other reaction records MessageReactionChanged', () => {
      spec
        .given(reacted)
        .when(react('m-2', 'thumbs_down'))
        .then([
          { type: 'MessageReactionChanged', data: { conversation_id, message_id: 'm-2', reaction: 'thumbs_down' } },
        ]);
    });

    it('clearing a reaction with null records MessageReactionChanged to null', () => {
      spec
        .given(reacted)
        .when(react('m-2', null))
        .then([{ type: 'MessageReactionChanged', data: { conversation_id, message_id: 'm-2', reaction: null } }]);
    });

    it('clearing when there is no reaction appends nothing', () => {
      spec.given(answered).when(react('m-2', null)).thenNothing();
    });

    it('reacting to a message that is not in the conversation is not_found', () => {
      spec
        .given(answered)
        .when(react('m-9', 'thumbs_up'))
        .thenThrows('not_found', /m-9 not found/);
    });

    it('reacting in a deleted conversation is not_found', () => {
      spec
        .given([...answered, deleted])
        .when(react('m-2', 'thumbs_up'))
        .thenThrows('not_found', /c-1 not found/);
    });
  });

  describe('evolve', () => {
    it('the initial state is missing', () => {
      expect(conversationDecider.initialState()).toStrictEqual({ status: 'missing' });
    });

    it('folding a full history yields the current fields, the created body, every message and the leaf', () => {
      const state = fold(conversationDecider, [
        ...answered,
        { type: 'ConversationRenamed', data: { conversation_id, title: 'Renamed' } },
        { type: 'ConversationMoved', data: { conversation_id, from_project_id: 'p-1', to_project_id: null } },
        { type: 'ConversationMetadataChanged', data: { conversation_id, metadata: { pinned: true } } },
        { type: 'MessageReactionChanged', data: { conversation_id, message_id: 'm-2', reaction: 'thumbs_down' } },
        userPosted('m-3', 'm-1'),
        assistantStarted('m-4', 'm-3'),
        { type: 'MessageFailed', data: { ...failure, message_id: 'm-4' } },
        userPosted('m-5', 'm-1'),
        assistantStarted('m-6', 'm-5'),
        { type: 'MessageCancelled', data: { ...cancellation, message_id: 'm-6' } },
        deleted,
      ]);
      expect(state).toStrictEqual({
        status: 'deleted',
        id: 'c-1',
        project_id: null,
        title: 'Renamed',
        title_source: 'person',
        metadata: { pinned: true },
        settings: {},
        created: { project_id: 'p-1', title: 'Chat', metadata: { pinned: false }, settings: {} },
        messages: new Map([
          ['m-1', { role: 'user', status: 'complete', parent_message_id: null, reaction: null }],
          ['m-2', { role: 'assistant', status: 'complete', parent_message_id: 'm-1', reaction: 'thumbs_down' }],
          ['m-3', { role: 'user', status: 'complete', parent_message_id: 'm-1', reaction: null }],
          ['m-4', { role: 'assistant', status: 'failed', parent_message_id: 'm-3', reaction: null }],
          ['m-5', { role: 'user', status: 'complete', parent_message_id: 'm-1', reaction: null }],
          ['m-6', { role: 'assistant', status: 'cancelled', parent_message_id: 'm-5', reaction: null }],
        ]),
        leaf_message_id: 'm-6',
      });
    });

    it('a later fold of a longer history does not change the message index of an earlier fold', () => {
      const first = fold(conversationDecider, streaming);
      const second = fold(conversationDecider, answered);
      expect(first.status === 'active' && first.messages.get('m-2')?.status).toBe('streaming');
      expect(second.status === 'active' && second.messages.get('m-2')?.status).toBe('complete');
    });

    it('events before ConversationCreated leave a missing conversation missing', () => {
      expect(fold(conversationDecider, [userPosted('m-1', null), deleted, restored])).toStrictEqual({
        status: 'missing',
      });
    });
  });
});

describe('chat commands', () => {
  const ask = (fields: Partial<Extract<ConversationCommand, { type: 'AskQuestion' }>['data']> = {}) =>
    ({
      type: 'AskQuestion',
      data: {
        conversation_id,
        user_message_id: 'u-9',
        assistant_message_id: 'a-9',
        content: 'Why is the sky blue?',
        metadata: {},
        assistant_metadata: { session_id: 's-1' },
        max_content_length: 1000,
        project_status: null,
        options: {},
        project_defaults: null,
        ...fields,
      },
    }) satisfies ConversationCommand;
  const completed: ConversationEvent = { type: 'MessageCompleted', data: { ...completion, message_id: 'm-2' } };
  const regenerated = { conversation_id, assistant_metadata: {}, options: {}, project_defaults: null };

  it('asking stores the question under the current leaf and starts its answer, in one decision', () => {
    spec
      .given([created, userPosted('m-1', null), assistantStarted('m-2', 'm-1'), completed])
      .when(ask())
      .then([
        userPosted('u-9', 'm-2', 'Why is the sky blue?'),
        {
          type: 'AssistantResponseStarted',
          data: {
            conversation_id,
            message_id: 'a-9',
            parent_message_id: 'u-9',
            metadata: { session_id: 's-1', generation: { system_prompt_source: null } },
          },
        },
      ]);
  });

  it('the first question of an untitled conversation names it after its first 80 characters', () => {
    const untitled: ConversationEvent = { ...created, data: { ...created.data, title: null } } as ConversationEvent;
    const long = `  ${'word '.repeat(30)}`;
    const events = conversationDecider.decide(ask({ content: long }), fold(conversationDecider, [untitled]));
    expect(events.map((e) => e.type)).toEqual(['UserMessagePosted', 'ConversationRenamed', 'AssistantResponseStarted']);
    const renamed = events[1] as Extract<ConversationEvent, { type: 'ConversationRenamed' }>;
    expect(renamed.data.title).toBe('word '.repeat(16).trim());
    expect(renamed.data.source).toBe('question');
    expect([...(renamed.data.title ?? '')].length).toBeLessThanOrEqual(80);
  });

  it('a titled conversation keeps its title when asked a question', () => {
    const events = conversationDecider.decide(ask(), fold(conversationDecider, [created]));
    expect(events.map((e) => e.type)).toEqual(['UserMessagePosted', 'AssistantResponseStarted']);
  });

  describe('titles by the model', () => {
    const untitled = { ...created, data: { ...created.data, title: null } } as ConversationEvent;
    const generated = (title: string, unless_named: boolean): ConversationCommand => ({
      type: 'ApplyGeneratedTitle',
      data: { conversation_id, title, unless_named },
    });
    const renamedBy = (title: string, source?: 'question' | 'model'): ConversationEvent => ({
      type: 'ConversationRenamed',
      data: { conversation_id, title, ...(source ? { source } : {}) },
    });
    const firstAnswer = [userPosted('m-1', null), renamedBy('Hello?', 'question'), assistantStarted('m-2', 'm-1')];

    it("a generated title replaces the one taken from the first question, recorded as the model's", () => {
      spec
        .given([untitled, ...firstAnswer, completed])
        .when(generated('Greetings', true))
        .then([renamedBy('Greetings', 'model')]);
    });

    it('a generated title never replaces one a person gave when asked to keep it', () => {
      spec.given([created]).when(generated('Greetings', true)).thenNothing();
      spec
        .given([untitled, ...firstAnswer, renamedBy('Mine')])
        .when(generated('Greetings', true))
        .thenNothing();
    });

    it('a generated title asked for by a person replaces any title', () => {
      spec
        .given([created])
        .when(generated('Greetings', false))
        .then([renamedBy('Greetings', 'model')]);
    });

    it('the same title again records nothing, and a deleted conversation is not found', () => {
      spec
        .given([untitled, renamedBy('Greetings', 'model')])
        .when(generated('Greetings', false))
        .thenNothing();
      spec.given([created, deleted]).when(generated('Greetings', false)).thenThrows('not_found');
    });

    it("AUTO_TITLE wants a title after the first complete answer only, and never over a person's title", () => {
      const wants = (history: ConversationEvent[], id: string) =>
        wantsGeneratedTitle(fold(conversationDecider, history), id);
      expect(wants([untitled, ...firstAnswer, completed], 'm-2')).toBe(true);
      expect(wants([untitled, ...firstAnswer], 'm-2')).toBe(false);
      expect(wants([created, userPosted('m-1', null), assistantStarted('m-2', 'm-1'), completed], 'm-2')).toBe(false);
      expect(wants([untitled, ...firstAnswer, completed, renamedBy('T', 'model')], 'm-2')).toBe(false);
      const second = [
        untitled,
        ...firstAnswer,
        completed,
        assistantStarted('m-3', 'm-1'),
        { type: 'MessageCompleted', data: { ...completion, message_id: 'm-3' } },
      ] as ConversationEvent[];
      expect(wants(second, 'm-3')).toBe(false);
      const afterFailure = [
        untitled,
        ...firstAnswer,
        { type: 'MessageFailed', data: { ...failure, message_id: 'm-2' } },
        assistantStarted('m-3', 'm-1'),
        { type: 'MessageCompleted', data: { ...completion, message_id: 'm-3' } },
      ] as ConversationEvent[];
      expect(wants(afterFailure, 'm-3')).toBe(true);
    });
  });

  it('refuses a second question while an answer is still being generated', () => {
    spec
      .given([created, userPosted('m-1', null), assistantStarted('m-2', 'm-1')])
      .when(ask())
      .thenThrows('conflict', /already has an answer being generated/);
  });

  it('regenerating answers the same question again, leaving the old answer as a sibling', () => {
    spec
      .given([created, userPosted('m-1', null), assistantStarted('m-2', 'm-1'), completed])
      .when({
        type: 'RegenerateResponse',
        data: { ...regenerated, message_id: 'm-2', new_message_id: 'm-3' },
      })
      .then([
        {
          type: 'AssistantResponseStarted',
          data: {
            conversation_id,
            message_id: 'm-3',
            parent_message_id: 'm-1',
            metadata: { generation: { system_prompt_source: null } },
          },
        },
      ]);
  });

  it('only an answer can be regenerated', () => {
    spec
      .given([created, userPosted('m-1', null)])
      .when({
        type: 'RegenerateResponse',
        data: { ...regenerated, message_id: 'm-1', new_message_id: 'm-3' },
      })
      .thenThrows('invalid', /^Message m-1 is not an answer that can be regenerated$/, undefined, {
        in: 'params',
        pointer: '/id',
        message: 'is not an assistant message',
      });
  });

  describe('MAX_MESSAGE_LENGTH and a hidden conversation', () => {
    const tooLong = {
      in: 'body',
      pointer: '/message',
      message: 'must be at most 5 characters (MAX_MESSAGE_LENGTH)',
    } as const;

    it('a question longer than max_content_length characters is refused naming body/message and the limit', () => {
      spec
        .given([created])
        .when(ask({ content: '123456', max_content_length: 5 }))
        .thenThrows(
          'invalid',
          /^body\/message: must be at most 5 characters \(MAX_MESSAGE_LENGTH\)$/,
          undefined,
          tooLong,
        );
    });

    it('the length is counted in characters, not UTF-16 units: exactly at the limit is asked', () => {
      const events = conversationDecider.decide(
        ask({ content: '😀😀😀😀😀', max_content_length: 5 }),
        fold(conversationDecider, [created]),
      );
      expect(events.map((e) => e.type)).toEqual(['UserMessagePosted', 'AssistantResponseStarted']);
    });

    it('too long a question is refused before the conversation is looked at, even one that does not exist', () => {
      spec
        .given([])
        .when(ask({ content: '123456', max_content_length: 5 }))
        .thenThrows('invalid', /MAX_MESSAGE_LENGTH/);
    });

    it('a conversation in a deleted project is not found for a question; in an active one or none it is asked', () => {
      spec
        .given([created])
        .when(ask({ project_status: 'deleted' }))
        .thenThrows('not_found', /Conversation c-1 not found/);
      for (const project_status of ['active', null] as const) {
        const events = conversationDecider.decide(ask({ project_status }), fold(conversationDecider, [created]));
        expect(events.map((e) => e.type)).toEqual(['UserMessagePosted', 'AssistantResponseStarted']);
      }
    });

    it('a deleted conversation is not found for a question', () => {
      spec
        .given([created, deleted])
        .when(ask())
        .thenThrows('not_found', /Conversation c-1 not found/);
    });
  });

  describe('ForkConversation', () => {
    const fork = (message_id: string, project_status: 'active' | 'deleted' | null = null) =>
      ({ type: 'ForkConversation', data: { conversation_id, message_id, project_status } }) as const;
    const answered = [created, userPosted('m-1', null), assistantStarted('m-2', 'm-1')];
    const done: ConversationEvent = { type: 'MessageCompleted', data: { ...completion, message_id: 'm-2' } };

    it('forking a branch that has ended changes nothing of the source', () => {
      spec
        .given([...answered, done])
        .when(fork('m-2'))
        .thenNothing();
    });

    it('forking while a message of the branch is being generated is a conflict naming it', () => {
      spec
        .given(answered)
        .when(fork('m-2'))
        .thenThrows('conflict', /^Message m-2 is still being generated; fork once it has ended$/);
    });

    it('forking at the question of an answer still streaming is fine: the answer is not on that branch', () => {
      spec.given(answered).when(fork('m-1')).thenNothing();
    });

    it('forking at a message the conversation does not hold is not found, naming both', () => {
      spec
        .given([...answered, done])
        .when(fork('m-9'))
        .thenThrows('not_found', /^Message m-9 not found in conversation c-1$/);
    });

    it('a missing, deleted, or hidden (deleted project) conversation is not found', () => {
      spec
        .given([])
        .when(fork('m-1'))
        .thenThrows('not_found', /^Conversation c-1 not found$/);
      spec
        .given([...answered, done, deleted])
        .when(fork('m-1'))
        .thenThrows('not_found', /^Conversation c-1 not found$/);
      spec
        .given([...answered, done])
        .when(fork('m-1', 'deleted'))
        .thenThrows('not_found', /^Conversation c-1 not found$/);
    });
  });

  it('selecting a leaf moves the default parent of the next question there', () => {
    const history = [created, userPosted('m-1', null), assistantStarted('m-2', 'm-1'), completed];
    spec
      .given(history)
      .when({ type: 'SelectCurrentLeaf', data: { conversation_id, message_id: 'm-1' } })
      .then([{ type: 'CurrentLeafSelected', data: { conversation_id, message_id: 'm-1' } }]);
    const state = fold(conversationDecider, [
      ...history,
      { type: 'CurrentLeafSelected', data: { conversation_id, message_id: 'm-1' } },
    ]);
    const [posted] = conversationDecider.decide(post('m-4'), state);
    expect(posted).toEqual(userPosted('m-4', 'm-1'));
  });

  it('selecting a message of another conversation is refused naming current_leaf_id', () => {
    spec
      .given([created])
      .when({ type: 'SelectCurrentLeaf', data: { conversation_id, message_id: 'nope' } })
      .thenThrows('invalid', /not in this conversation/, '/current_leaf_id');
  });

  it('checkpoints record the text and reasoning produced so far of a streaming answer, and nothing once it ended', () => {
    const streaming = [created, userPosted('m-1', null), assistantStarted('m-2', 'm-1')];
    spec
      .given(streaming)
      .when({ type: 'CheckpointResponse', data: { conversation_id, message_id: 'm-2', delta: 'Because' } })
      .then([{ type: 'AssistantResponseProgressed', data: { conversation_id, message_id: 'm-2', delta: 'Because' } }]);
    spec
      .given(streaming)
      .when({ type: 'CheckpointResponse', data: { conversation_id, message_id: 'm-2', delta: '' } })
      .thenNothing();
    const thinking = { conversation_id, message_id: 'm-2', delta: '', reasoning_delta: 'The user' };
    spec
      .given(streaming)
      .when({ type: 'CheckpointResponse', data: thinking })
      .then([{ type: 'AssistantResponseProgressed', data: thinking }]);
    spec
      .given(streaming)
      .when({ type: 'CheckpointResponse', data: { ...thinking, reasoning_delta: '' } })
      .thenNothing();
    spec
      .given([...streaming, completed])
      .when({ type: 'CheckpointResponse', data: { conversation_id, message_id: 'm-2', delta: 'late' } })
      .thenThrows('conflict');
  });
});
