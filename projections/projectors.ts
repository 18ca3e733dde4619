import { conversationProjector } from './conversation.projector.js';
import { knowledgeProjector } from './knowledge.projector.js';
import { messageProjector } from './message.projector.js';
import { projectProjector } from './project.projector.js';
import type { Projector } from './projector.js';
import { searchProjector } from './search.projector.js';
import { usageProjector } from './usage.projector.js';

/** The projects, conversations and messages the API shows: what time travel (`as_of`) folds in memory. */
export const resourceProjectors: readonly Projector[] = [projectProjector, conversationProjector, messageProjector];

/** Every read model the API answers from. Order does not matter: projectors share no tables. */
export const projectors: readonly Projector[] = [
  ...resourceProjectors,
  searchProjector,
  usageProjector,
  knowledgeProjector,
];
