import type { Decider } from '../shared/decider.js';
import type { ProjectCommand } from './project.commands.js';
import { decideProject } from './project.decide.js';
import type { ProjectEvent } from './project.events.js';
import { evolveProject, initialProjectState, type ProjectState } from './project.state.js';

export const projectDecider: Decider<ProjectCommand, ProjectEvent, ProjectState> = {
  decide: decideProject,
  evolve: evolveProject,
  initialState: initialProjectState,
};
