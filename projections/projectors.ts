import { conversationProjector } from './conversation.projector.js';
import { messageProjector } from './message.projector.js';
import { projectProjector } from './project.projector.js';
import type { Projector } from './projector.js';
import { searchProjector } from './search.projector.js';
import { usageProjector } from './usage.projector.js';

/** Every read model the API answers from. Order does not matter: projectors share no tables. */
export const projectors: readonly Projector[] = [
  projectProjector,
  conversationProjector,
  messageProjector,
  searchProjector,
  usageProjector,
];
