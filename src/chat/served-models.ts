import type { ConversationRequest } from '../commands/conversation-command.js';
import type { LlamaClient, ServedModels } from '../llm/llama-client.js';

/** What llama.cpp serves, as the last look at it said (cached a few seconds); null when it did not answer. */
export const servedNow = (llm: LlamaClient): Promise<ServedModels | null> => llm.served().catch(() => null);

/** The names a model can be asked by: its id, its aliases and its file's name. */
export function servedNames(served: ServedModels): string[] {
  return served.models.flatMap((model) => [
    model.id,
    ...model.aliases,
    ...(model.file ? [model.file.split(/[\\/]/).pop()!] : []),
  ]);
}

/**
 * The start of an answer with the models llama.cpp serves, so its decider refuses one it does not; unchanged when
 * llama.cpp did not say (the answer then fails as llama.cpp does).
 */
export function withServedModels(start: ConversationRequest, served: ServedModels | null): ConversationRequest {
  if (!served) return start;
  switch (start.type) {
    case 'AskQuestion':
      return { ...start, data: { ...start.data, served_models: servedNames(served) } };
    case 'RegenerateResponse':
      return { ...start, data: { ...start.data, served_models: servedNames(served) } };
    default:
      return start;
  }
}

/**
 * The model to ask for: the one the settings name; for a router without one, its first loaded model (else its
 * first), since a router refuses a chat that names none. A server started with -m needs no name.
 */
export function modelToAsk(named: string | undefined, served: ServedModels | null): string | undefined {
  if (named !== undefined || !served?.router) return named;
  return (served.models.find((model) => model.status === 'loaded') ?? served.models[0])?.id;
}
