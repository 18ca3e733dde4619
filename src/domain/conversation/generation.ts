import type { JsonObject } from '../shared/decider.js';
import type { GenerationOptions, GenerationSettings } from '../shared/generation-settings.js';

/** What a conversation's answers default to from its project, as the command layer found the project. */
export type ProjectDefaults = { settings: GenerationSettings; metadata: JsonObject };

/** Where an answer's system prompt came from; the project's `metadata.system_prompt` is how it was set before settings. */
export type SystemPromptSource = 'conversation' | 'project' | 'project_metadata';

/**
 * What an answer is generated with, recorded in its metadata as `generation`: each field set at some level (the
 * request's options over the conversation's settings over the project's), and where the system prompt came from
 * (its text is not copied: it can be long). A field set nowhere is left to llama.cpp's own default.
 */
export type Generation = GenerationOptions & { system_prompt_source: SystemPromptSource | null };

const present = (settings: GenerationSettings) =>
  Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined));

export function generationFor(input: {
  options: GenerationOptions;
  conversation: GenerationSettings;
  project: ProjectDefaults | null;
}): Generation {
  const { options, conversation, project } = input;
  const { system_prompt: _fromProject, ...projectFields } = project?.settings ?? {};
  const { system_prompt: _fromConversation, ...conversationFields } = conversation;
  return {
    ...present(projectFields),
    ...present(conversationFields),
    ...present(options),
    system_prompt_source: systemPromptSource(conversation, project),
  };
}

/** The conversation's system prompt over the project's setting over its `metadata.system_prompt`; else none. */
export function systemPromptSource(
  conversation: GenerationSettings,
  project: ProjectDefaults | null,
): SystemPromptSource | null {
  if (conversation.system_prompt !== undefined) return 'conversation';
  if (project?.settings.system_prompt !== undefined) return 'project';
  if (project && metadataSystemPrompt(project.metadata) !== null) return 'project_metadata';
  return null;
}

/** A project's `metadata.system_prompt`, when it is a string with more than spaces in it. */
export function metadataSystemPrompt(metadata: JsonObject): string | null {
  const prompt = metadata.system_prompt;
  return typeof prompt === 'string' && prompt.trim() !== '' ? prompt : null;
}

/** The text of the system prompt `source` names, from the settings and metadata it names. */
export function systemPromptText(
  source: SystemPromptSource | null,
  found: { conversation: GenerationSettings; project: ProjectDefaults | null },
): string | null {
  switch (source) {
    case 'conversation':
      return found.conversation.system_prompt ?? null;
    case 'project':
      return found.project?.settings.system_prompt ?? null;
    case 'project_metadata':
      return found.project ? metadataSystemPrompt(found.project.metadata) : null;
    case null:
      return null;
  }
}
