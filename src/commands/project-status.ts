import type { EntityManager } from '@mikro-orm/knex';
import type { ProjectStatus } from '../domain/conversation/conversation.commands.js';
import type { ProjectDefaults } from '../domain/conversation/generation.js';
import { projectDecider } from '../domain/project/project.decider.js';
import { foldStream } from './handle-command.js';

/** Where a project stands according to its own stream, and what its conversations' answers default to. */
export async function projectStanding(
  em: EntityManager,
  projectId: string,
): Promise<{ status: ProjectStatus; defaults: ProjectDefaults | null }> {
  const { state, foreign } = await foldStream(em, projectDecider, { id: projectId, type: 'project' });
  // The id of a conversation is not a project.
  if (foreign || state.status === 'missing' || state.status === 'purged') return { status: 'missing', defaults: null };
  return { status: state.status, defaults: { settings: state.settings, metadata: state.metadata } };
}

/** Where a project stands according to its own stream, for commands that refer to it. */
export async function projectStatus(em: EntityManager, projectId: string): Promise<ProjectStatus> {
  return (await projectStanding(em, projectId)).status;
}

/** The status of the project a command names, or null when it names none (null) or leaves it as it is (undefined). */
export async function projectStatusOf(
  em: EntityManager,
  projectId: string | null | undefined,
): Promise<ProjectStatus | null> {
  return typeof projectId === 'string' ? projectStatus(em, projectId) : null;
}
