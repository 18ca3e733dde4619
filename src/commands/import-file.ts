import type { ImportConversation, ProjectStatus } from '../domain/conversation/conversation.commands.js';
import { projectDecider } from '../domain/project/project.decider.js';
import type { EventStore } from '../event-store/append-to-stream.js';
import type { StoredEvent } from '../event-store/stored-event.js';
import { handleCommand, type CommandOptions } from './handle-command.js';
import { importConversations } from './import-conversations.js';

export type ImportTarget = { project_id: string | null; project_status: ProjectStatus | null };

export type ImportFileRequest = {
  /** The project the file's conversations go into; null: none. */
  project_id: string | null;
  /** The file's conversations as commands into the target, read once the project has accepted them. */
  commandsFor: (target: ImportTarget) => ImportConversation[];
};

/**
 * Imports a file: its project first decides whether it takes conversations (before the file is read, so an empty
 * file into a deleted project is refused too), then every conversation is created, or none is.
 */
export async function importFile(
  store: EventStore,
  request: ImportFileRequest,
  options: CommandOptions,
): Promise<{ commands: ImportConversation[]; appended: StoredEvent[] }> {
  const { project_id } = request;
  if (project_id !== null) {
    // The project's stream is not written: no version to match, nothing to retry.
    const command = { type: 'ReceiveConversations' as const, data: { project_id } };
    await handleCommand(store, projectDecider, { id: project_id, type: 'project' }, command, {
      metadata: options.metadata,
    });
  }
  const commands = request.commandsFor({ project_id, project_status: project_id === null ? null : 'active' });
  return { commands, appended: await importConversations(store, commands, options) };
}
