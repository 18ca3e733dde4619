import { describe, expect, it } from 'vitest';
import type { ConversationCommand } from '../../src/domain/conversation/conversation.commands.js';
import { conversationDecider } from '../../src/domain/conversation/conversation.decider.js';
import type { ConversationEvent } from '../../src/domain/conversation/conversation.events.js';
import type { ProjectDefaults } from '../../src/domain/conversation/generation.js';
import { projectDecider } from '../../src/domain/project/project.decider.js';
import type { ProjectEvent } from '../../src/domain/project/project.events.js';
import { deciderSpec, fold } from '../support/decider-spec.js';

const projects = deciderSpec(projectDecider);
const conversations = deciderSpec(conversationDecider);
const project_id = 'p-1';
const conversation_id = 'c-1';

const projectCreated: ProjectEvent = {
  type: 'ProjectCreated',
  data: { project_id, name: 'Research', description: null, metadata: {}, settings: { temperature: 0.7, top_k: 40 } },
};
const createProject = (settings: object) =>
  ({
    type: 'CreateProject',
    data: { project_id, name: 'Research', description: null, metadata: {}, settings, id_taken_by: null },
  }) as const;

describe('project settings', () => {
  it('a create with settings records them in ProjectCreated', () => {
    projects
      .given([])
      .when(createProject({ temperature: 0.7, top_k: 40 }))
      .then([projectCreated]);
  });

  it('a create without settings records ProjectCreated as it was recorded before settings existed', () => {
    projects
      .given([])
      .when(createProject({}))
      .then([{ type: 'ProjectCreated', data: { project_id, name: 'Research', description: null, metadata: {} } }]);
  });

  it('a retried create with the same settings appends nothing; with other settings it is a conflict', () => {
    projects
      .given([projectCreated])
      .when(createProject({ top_k: 40, temperature: 0.7 }))
      .thenNothing();
    projects
      .given([projectCreated])
      .when(createProject({ temperature: 0.2 }))
      .thenThrows('conflict', /different body/);
  });

  it('an update records ProjectSettingsChanged with only the fields it changes, nulls as clears', () => {
    projects
      .given([projectCreated])
      .when({
        type: 'UpdateProject',
        data: { project_id, settings: { temperature: 0.7, top_k: null, min_p: null, seed: 42 } },
      })
      .then([{ type: 'ProjectSettingsChanged', data: { project_id, settings: { top_k: null, seed: 42 } } }]);
  });

  it('an update setting what is set and clearing what is unset appends nothing', () => {
    projects
      .given([projectCreated])
      .when({ type: 'UpdateProject', data: { project_id, settings: { temperature: 0.7, stop: null } } })
      .thenNothing();
  });

  it('a rename and a change of settings in one update record both events', () => {
    projects
      .given([projectCreated])
      .when({ type: 'UpdateProject', data: { project_id, name: 'Reading', settings: { reasoning_effort: 'high' } } })
      .then([
        { type: 'ProjectUpdated', data: { project_id, name: 'Reading' } },
        { type: 'ProjectSettingsChanged', data: { project_id, settings: { reasoning_effort: 'high' } } },
      ]);
  });

  it('a deleted project refuses a change of settings', () => {
    projects
      .given([projectCreated, { type: 'ProjectDeleted', data: { project_id } }])
      .when({ type: 'UpdateProject', data: { project_id, settings: { seed: 1 } } })
      .thenThrows('not_found');
  });

  it('folding applies each change: values set, nulls cleared; the created body keeps the first settings', () => {
    const state = fold(projectDecider, [
      projectCreated,
      { type: 'ProjectSettingsChanged', data: { project_id, settings: { top_k: null, stop: ['###'] } } },
    ]);
    expect(state).toMatchObject({
      settings: { temperature: 0.7, stop: ['###'] },
      created: { settings: { temperature: 0.7, top_k: 40 } },
    });
  });
});

const created: ConversationEvent = {
  type: 'ConversationCreated',
  data: { conversation_id, project_id, title: 'Chat', metadata: {} },
};
const overridden: ConversationEvent = {
  type: 'ConversationSettingsChanged',
  data: { conversation_id, settings: { temperature: 0.2, system_prompt: 'Answer in French.' } },
};
const question: ConversationEvent = {
  type: 'UserMessagePosted',
  data: { conversation_id, message_id: 'm-1', parent_message_id: null, content: 'Why?', metadata: {} },
};
const answered: ConversationEvent[] = [
  question,
  {
    type: 'AssistantResponseStarted',
    data: { conversation_id, message_id: 'm-2', parent_message_id: 'm-1', metadata: {} },
  },
  { type: 'MessageCancelled', data: { conversation_id, message_id: 'm-2', partial_content: '' } },
];

const defaults = (settings: ProjectDefaults['settings'], metadata: ProjectDefaults['metadata'] = {}) => ({
  settings,
  metadata,
});

const ask = (fields: {
  options?: Extract<ConversationCommand, { type: 'AskQuestion' }>['data']['options'];
  project_defaults?: ProjectDefaults | null;
  served_models?: string[] | null;
}): ConversationCommand => ({
  type: 'AskQuestion',
  data: {
    conversation_id,
    user_message_id: 'u-1',
    assistant_message_id: 'a-1',
    content: 'Why?',
    metadata: {},
    assistant_metadata: { session_id: 's-1' },
    max_content_length: 1000,
    project_status: 'active',
    options: fields.options ?? {},
    project_defaults: fields.project_defaults ?? null,
    ...(fields.served_models === undefined ? {} : { served_models: fields.served_models }),
  },
});

/** The `generation` the answer's start records, after the history `given`. */
const generationOf = (given: ConversationEvent[], command: ConversationCommand) => {
  const events = conversationDecider.decide(command, fold(conversationDecider, given));
  const started = events.find((e) => e.type === 'AssistantResponseStarted');
  return started?.type === 'AssistantResponseStarted' ? started.data.metadata.generation : undefined;
};

describe('conversation settings', () => {
  it('an update records ConversationSettingsChanged with only the fields it changes', () => {
    conversations
      .given([created, overridden])
      .when({
        type: 'UpdateConversation',
        data: { conversation_id, settings: { temperature: 0.2, system_prompt: null, max_tokens: 256 } },
      })
      .then([
        {
          type: 'ConversationSettingsChanged',
          data: { conversation_id, settings: { system_prompt: null, max_tokens: 256 } },
        },
      ]);
  });

  it('an update that changes no setting appends nothing', () => {
    conversations
      .given([created, overridden])
      .when({ type: 'UpdateConversation', data: { conversation_id, settings: { temperature: 0.2, seed: null } } })
      .thenNothing();
  });

  it('a create with settings records them in ConversationCreated; a retry compares them too', () => {
    const create = (settings: object): ConversationCommand => ({
      type: 'CreateConversation',
      data: {
        conversation_id,
        project_id: null,
        project_status: null,
        title: null,
        metadata: {},
        settings,
        id_taken_by: null,
      },
    });
    const withSettings: ConversationEvent = {
      type: 'ConversationCreated',
      data: { conversation_id, project_id: null, title: null, metadata: {}, settings: { seed: 7 } },
    };
    conversations
      .given([])
      .when(create({ seed: 7 }))
      .then([withSettings]);
    conversations
      .given([withSettings])
      .when(create({ seed: 7 }))
      .thenNothing();
    conversations.given([withSettings]).when(create({})).thenThrows('conflict');
  });
});

describe('what an answer is generated with', () => {
  const project = defaults({ temperature: 0.7, top_k: 40, model: 'gpt-oss-20b', system_prompt: 'Be brief.' });

  it("the request's options win over the conversation's settings, which win over the project's", () => {
    expect(
      generationOf([created, overridden, question], ask({ options: { top_k: 10 }, project_defaults: project })),
    ).toStrictEqual({ temperature: 0.2, top_k: 10, model: 'gpt-oss-20b', system_prompt_source: 'conversation' });
  });

  it('refuses a model llama.cpp does not serve, saying where the name came from; takes one it serves', () => {
    const refused = (command: ConversationCommand) => () =>
      conversationDecider.decide(command, fold(conversationDecider, [created]));
    const served = ['gpt-oss-20b', 'gpt-oss-20b.gguf'];
    expect(refused(ask({ options: { model: 'gpt-oss-120b' }, served_models: served }))).toThrow(
      /body\/options\/model: model "gpt-oss-120b" \(from the request\) is not served by llama.cpp, which serves "gpt-oss-20b", "gpt-oss-20b.gguf"/,
    );
    expect(refused(ask({ project_defaults: defaults({ model: 'gone' }), served_models: served }))).toThrow(
      /"gone" \(from the settings\)/,
    );
    expect(generationOf([created], ask({ options: { model: 'gpt-oss-20b' }, served_models: served }))).toMatchObject({
      model: 'gpt-oss-20b',
    });
    // Not known (llama.cpp did not answer): not refused here; llama.cpp's own answer decides.
    expect(generationOf([created], ask({ options: { model: 'gpt-oss-120b' }, served_models: null }))).toMatchObject({
      model: 'gpt-oss-120b',
    });
  });

  it('records only the fields set somewhere; nothing set records only that there is no system prompt', () => {
    expect(generationOf([created], ask({}))).toStrictEqual({ system_prompt_source: null });
  });

  it("the project's system prompt setting is used when the conversation sets none", () => {
    expect(generationOf([created], ask({ project_defaults: project }))).toMatchObject({
      system_prompt_source: 'project',
    });
  });

  it("the project's metadata.system_prompt is used when no setting names a system prompt", () => {
    const legacy = defaults({}, { system_prompt: 'Be kind.' });
    expect(generationOf([created], ask({ project_defaults: legacy }))).toStrictEqual({
      system_prompt_source: 'project_metadata',
    });
  });

  it("a blank metadata.system_prompt is none, and a project's setting wins over its metadata", () => {
    expect(generationOf([created], ask({ project_defaults: defaults({}, { system_prompt: '  ' }) }))).toStrictEqual({
      system_prompt_source: null,
    });
    const both = defaults({ system_prompt: 'Setting' }, { system_prompt: 'Metadata' });
    expect(generationOf([created], ask({ project_defaults: both }))).toMatchObject({ system_prompt_source: 'project' });
  });

  it('the generation sits next to the metadata the request gave the answer', () => {
    const events = conversationDecider.decide(
      ask({ options: { reasoning_effort: 'low' } }),
      fold(conversationDecider, [created]),
    );
    expect(events.at(-1)).toStrictEqual({
      type: 'AssistantResponseStarted',
      data: {
        conversation_id,
        message_id: 'a-1',
        parent_message_id: 'u-1',
        metadata: { session_id: 's-1', generation: { reasoning_effort: 'low', system_prompt_source: null } },
      },
    });
  });

  it('a regenerated answer is generated with the settings as they are now', () => {
    const command: ConversationCommand = {
      type: 'RegenerateResponse',
      data: {
        conversation_id,
        message_id: 'm-2',
        new_message_id: 'm-3',
        assistant_metadata: { regenerated_from: 'm-2' },
        options: { seed: 3 },
        project_defaults: project,
      },
    };
    expect(generationOf([created, ...answered, overridden], command)).toStrictEqual({
      temperature: 0.2,
      top_k: 40,
      model: 'gpt-oss-20b',
      seed: 3,
      system_prompt_source: 'conversation',
    });
  });
});

describe('settings of an imported conversation', () => {
  const importing = (settings: object): ConversationCommand => ({
    type: 'ImportConversation',
    data: {
      conversation_id,
      project_id: null,
      project_status: null,
      title: 'Imported',
      metadata: {},
      created_at: '2024-06-10T06:13:20.000Z',
      updated_at: '2024-06-10T06:23:20.000Z',
      current_leaf_id: null,
      source: { kind: 'export', conversation_id: 'c-0' },
      settings,
      messages: [],
    },
  });

  it('come in ConversationImported, and its fold has them', () => {
    const events = conversationDecider.decide(importing({ min_p: 0.05 }), fold(conversationDecider, []));
    expect(events[0]).toMatchObject({ type: 'ConversationImported', data: { settings: { min_p: 0.05 } } });
    expect(fold(conversationDecider, events)).toMatchObject({ settings: { min_p: 0.05 } });
  });

  it('none leave ConversationImported as it was recorded before settings existed', () => {
    const events = conversationDecider.decide(importing({}), fold(conversationDecider, []));
    expect(events[0]!.data).not.toHaveProperty('settings');
  });
});
