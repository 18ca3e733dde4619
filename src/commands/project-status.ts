import type { ProjectStatus } from '../domain/conversation/conversation.commands.js';
import { projectDecider } from '../domain/project/project.decider.js';
import type { ProjectEvent } from '../domain/project/project.events.js';
import type { EntityManager } from '@mikro-orm/knex';
import { readStream } from '../event-store/read-stream.js';
import type { StoredEvent } from '../event-store/stored-event.js';

/** Where a project stands according to its own stream, for commands that refer to it. */
export async function projectStatus(em: EntityManager, projectId: string): Promise<ProjectStatus> {
  const history = (await readStream(em, projectId)) as StoredEvent<ProjectEvent>[];
  // The id of a conversation is not a project.
  if (history.some((e) => e.stream_type !== 'project')) return 'missing';
  const { status } = history.reduce(projectDecider.evolve, projectDecider.initialState());
  return status === 'purged' ? 'missing' : status;
}
