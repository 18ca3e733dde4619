import type { EntityManager } from '@mikro-orm/knex';
import type {
  AskQuestion,
  ConversationCommand,
  CreateConversation,
  ForkConversation,
  RegenerateResponse,
  UpdateConversation,
} from '../domain/conversation/conversation.commands.js';
import { conversationDecider } from '../domain/conversation/conversation.decider.js';
import type { ConversationState } from '../domain/conversation/conversation.state.js';
import type { EventStore } from '../event-store/append-to-stream.js';
import { decideOnStream, handleCommand, remember, type CommandInput, type CommandOptions } from './handle-command.js';
import { idTakenBy, type IdChosenBy } from './id-taken-by.js';
import { projectStanding, projectStatusOf } from './project-status.js';

/** A question as a caller asks it: the command layer adds where the conversation's project stands, and its defaults. */
export type AskQuestionRequest = {
  type: 'AskQuestion';
  data: Omit<AskQuestion['data'], 'project_status' | 'project_defaults'>;
};
/** A regeneration as a caller asks it: the command layer adds the defaults of the conversation's project. */
export type RegenerateRequest = {
  type: 'RegenerateResponse';
  data: Omit<RegenerateResponse['data'], 'project_defaults'>;
};

/**
 * A command on a conversation as callers give it: those whose decision needs context from elsewhere are made
 * here (createConversation, updateConversation, forkConversation) or completed here (AskQuestion, RegenerateResponse).
 */
export type ConversationRequest =
  | Exclude<
      ConversationCommand,
      AskQuestion | RegenerateResponse | CreateConversation | UpdateConversation | ForkConversation
    >
  | AskQuestionRequest
  | RegenerateRequest;

/** A command on the stream of the conversation it names. */
export const runConversationCommand = (store: EventStore, request: ConversationRequest, options: CommandOptions) =>
  onConversation(store, request.data.conversation_id, withContext(request), options);

/**
 * Decides a command without appending it, so a refusal comes before anything is set going (a chat takes no slot
 * for a question it cannot ask). Decided again when it is run: nothing it found is trusted then.
 */
export async function checkConversationCommand(
  store: EventStore,
  request: ConversationRequest,
  options: Pick<CommandOptions, 'stateCache'>,
): Promise<void> {
  const stream = { id: request.data.conversation_id, type: 'conversation' as const };
  const decision = await decideOnStream(store, conversationDecider, stream, withContext(request), options);
  if (!decision.foreign) remember(options, stream, decision.version, decision.state);
}

/** The command of a request, with the context its decision needs loaded next to the stream. */
function withContext(request: ConversationRequest): CommandInput<ConversationCommand, ConversationState> {
  switch (request.type) {
    case 'AskQuestion':
      return async (em, state) => {
        const project = await ownProject(em, state);
        return {
          type: 'AskQuestion',
          data: {
            ...request.data,
            project_status: project?.status ?? null,
            project_defaults: project?.defaults ?? null,
          },
        };
      };
    case 'RegenerateResponse':
      return async (em, state) => ({
        type: 'RegenerateResponse',
        data: { ...request.data, project_defaults: (await ownProject(em, state))?.defaults ?? null },
      });
    default:
      return request;
  }
}

const ownProjectId = (state: ConversationState) =>
  state.status === 'active' || state.status === 'deleted' ? state.project_id : null;

/** Where the project of the conversation (as folded) stands; null when it is in none or does not exist. */
export const ownProjectStatus = (em: EntityManager, state: ConversationState) =>
  projectStatusOf(em, ownProjectId(state));

/** The project of the conversation (as folded), with its defaults; null when it is in none. */
const ownProject = async (em: EntityManager, state: ConversationState) => {
  const projectId = ownProjectId(state);
  return projectId === null ? null : projectStanding(em, projectId);
};

/** A command on a conversation's stream, made there with the context it needs. */
export const onConversation = (
  store: EventStore,
  id: string,
  command: CommandInput<ConversationCommand, ConversationState>,
  options: CommandOptions,
) => handleCommand(store, conversationDecider, { id, type: 'conversation' }, command, options);

export type CreateConversationInput = Omit<CreateConversation['data'], 'project_status' | 'id_taken_by'> & {
  id_chosen_by: IdChosenBy;
};

/** Creates a conversation, deciding with where its project stands and what else its id names. */
export function createConversation(store: EventStore, input: CreateConversationInput, options: CommandOptions) {
  const { id_chosen_by, ...data } = input;
  const command = async (em: EntityManager): Promise<CreateConversation> => ({
    type: 'CreateConversation',
    data: {
      ...data,
      project_status: await projectStatusOf(em, data.project_id),
      id_taken_by: await idTakenBy(em, data.conversation_id, id_chosen_by),
    },
  });
  return onConversation(store, data.conversation_id, command, options);
}

/** Renames, moves or changes a conversation, deciding a move with where the target project stands. */
export function updateConversation(
  store: EventStore,
  data: Omit<UpdateConversation['data'], 'project_status'>,
  options: CommandOptions,
) {
  const command = async (em: EntityManager): Promise<UpdateConversation> => ({
    type: 'UpdateConversation',
    data: { ...data, project_status: await projectStatusOf(em, data.project_id) },
  });
  return onConversation(store, data.conversation_id, command, options);
}
