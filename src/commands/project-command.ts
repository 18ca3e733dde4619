import type { CreateProject, ProjectCommand } from '../domain/project/project.commands.js';
import { projectDecider } from '../domain/project/project.decider.js';
import type { EventStore } from '../event-store/append-to-stream.js';
import { handleCommand, type CommandOptions } from './handle-command.js';
import { idTakenBy, type IdChosenBy } from './id-taken-by.js';

/** A command on the stream of the project it names. */
export const runProjectCommand = (store: EventStore, command: ProjectCommand, options: CommandOptions) =>
  handleCommand(store, projectDecider, { id: command.data.project_id, type: 'project' }, command, options);

export type CreateProjectInput = Omit<CreateProject['data'], 'id_taken_by'> & { id_chosen_by: IdChosenBy };

/** Creates a project, deciding with what else its id names. */
export function createProject(store: EventStore, input: CreateProjectInput, options: CommandOptions) {
  const { id_chosen_by, ...data } = input;
  return handleCommand(
    store,
    projectDecider,
    { id: data.project_id, type: 'project' },
    async (em): Promise<CreateProject> => ({
      type: 'CreateProject',
      data: { ...data, id_taken_by: await idTakenBy(em, data.project_id, id_chosen_by) },
    }),
    options,
  );
}
