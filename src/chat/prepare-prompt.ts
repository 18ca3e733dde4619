import type { EntityManager } from '@mikro-orm/knex';
import { ConversationView } from '../../projections/conversation.entity.js';
import { ProjectView } from '../../projections/project.entity.js';
import type { ChatOptions } from '../llm/chat-types.js';
import type { LlamaClient } from '../llm/llama-client.js';
import { pathMessages } from '../queries/message-path.js';
import { fitPrompt, TOKENS_PER_MESSAGE, type FittedPrompt, type PromptTurn } from './fit-prompt.js';

export type PreparedPrompt = { prompt: FittedPrompt; n_ctx: number; model_name: string | null };

/** Token counts of finished messages never change, so they are counted once per process. */
export type TokenCounts = Map<string, number>;

const MAX_REMEMBERED_COUNTS = 50_000;

/**
 * The branch root -> question as chat messages, preceded by the project's system prompt, trimmed
 * from the oldest turn to fit llama.cpp's per-slot context with room left for the answer.
 */
export async function preparePrompt(
  deps: { em: EntityManager; llm: LlamaClient; tokenCounts: TokenCounts },
  input: { conversation_id: string; question_id: string; options: ChatOptions },
): Promise<PreparedPrompt> {
  const { em, llm, tokenCounts } = deps;
  const props = await llm.props();
  const reserve = input.options.max_tokens ?? Math.min(1024, Math.floor(props.n_ctx / 4));
  const budget = props.n_ctx - reserve;
  const path = (await pathMessages(em, input.conversation_id, input.question_id)).filter((m) => m.content !== '');
  const turns = path.map((m) => ({ id: m.id, role: m.role as PromptTurn['role'], content: m.content }));
  const question = turns.pop();
  if (!question || question.id !== input.question_id) throw new Error(`Question ${input.question_id} not found`);
  const count = async (id: string, text: string) => {
    const known = tokenCounts.get(id);
    if (known !== undefined) return known;
    const tokens = await llm.countTokens(text);
    if (tokenCounts.size >= MAX_REMEMBERED_COUNTS) tokenCounts.delete(tokenCounts.keys().next().value!);
    tokenCounts.set(id, tokens);
    return tokens;
  };
  const systemPrompt = await systemPromptOf(em, input.conversation_id);
  const system = systemPrompt ? { content: systemPrompt, tokens: await llm.countTokens(systemPrompt) } : null;
  const asked = { ...question, tokens: await count(question.id, question.content) };
  // Count from the newest turn back, only as far as the budget can reach.
  let used = asked.tokens + (system?.tokens ?? 0);
  const history: PromptTurn[] = [];
  for (let i = turns.length - 1; i >= 0 && used <= budget; i--) {
    const turn = turns[i]!;
    const tokens = await count(turn.id, turn.content);
    used += tokens + TOKENS_PER_MESSAGE;
    history.unshift({ ...turn, tokens });
  }
  const fitted = fitPrompt({ system, history, question: asked, budget });
  const uncounted = turns.slice(0, turns.length - history.length).map((t) => t.id);
  return {
    prompt: fitted.fits ? { ...fitted, dropped: [...uncounted, ...fitted.dropped] } : fitted,
    n_ctx: props.n_ctx,
    model_name: props.model_name,
  };
}

async function systemPromptOf(em: EntityManager, conversationId: string): Promise<string | null> {
  const conversation = await em.findOne(ConversationView, conversationId, { disableIdentityMap: true });
  if (!conversation?.project_id) return null;
  const project = await em.findOne(ProjectView, conversation.project_id, { disableIdentityMap: true });
  const prompt = project?.metadata.system_prompt;
  return typeof prompt === 'string' && prompt.trim() !== '' ? prompt : null;
}
