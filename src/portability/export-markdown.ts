import type { MessageRow } from '../../projections/message.entity.js';
import type { ConversationWithMessages } from './export-document.js';

/**
 * The branch a conversation shows (root -> current leaf) as Markdown to read: title, a few facts, then each message
 * under a heading naming its role, time and model. Other branches are left out: the JSON export holds them.
 */
export function conversationMarkdown({ conversation, messages }: ConversationWithMessages, exportedAt: string): string {
  const branch = branchOf(messages, conversation.current_leaf_id ?? null);
  const facts = [
    `- Conversation: \`${conversation.id}\``,
    ...(conversation.project_id ? [`- Project: \`${conversation.project_id}\``] : []),
    `- Created: ${readableTime(conversation.created_at)}`,
    `- Messages: ${branch.length} on this branch, ${messages.length} in all`,
    `- Exported: ${readableTime(exportedAt)}`,
  ];
  const parts = [`# ${oneLine(conversation.title ?? '') || 'Untitled conversation'}`, facts.join('\n')];
  for (const message of branch) parts.push(messageMarkdown(message));
  return `${parts.join('\n\n')}\n`;
}

function messageMarkdown(message: MessageRow): string {
  const role = message.role === 'user' ? 'User' : 'Assistant';
  const model = message.model_name ? ` (${oneLine(message.model_name)})` : '';
  const notes = [statusNote(message), reactionNote(message)].filter((note) => note !== '');
  return [
    '---',
    `## ${role}${model} · ${readableTime(message.created_at)}`,
    ...(message.reasoning ? [reasoningBlock(message.reasoning)] : []),
    message.content === '' ? '_(no text)_' : message.content,
    ...sourcesList(message),
    ...notes,
  ].join('\n\n');
}

/** The sources an answer was given (metadata.sources), as it cites them: [n] document, pages, heading. */
function sourcesList(message: MessageRow): string[] {
  const sources = Array.isArray(message.metadata.sources) ? message.metadata.sources : [];
  const lines = sources.flatMap((source) => {
    if (typeof source !== 'object' || source === null || Array.isArray(source)) return [];
    const { n, document_name, pages, heading } = source as Record<string, unknown>;
    if (typeof n !== 'number' || typeof document_name !== 'string') return [];
    const where = [
      Array.isArray(pages) && pages.length > 0 ? `p. ${pages.join(', ')}` : '',
      Array.isArray(heading) && heading.length > 0 ? oneLine(heading.join(' > ')) : '',
    ].filter((part) => part !== '');
    return [`- [${n}] ${oneLine(document_name)}${where.length > 0 ? ` (${where.join('; ')})` : ''}`];
  });
  return lines.length > 0 ? [`Sources:\n\n${lines.join('\n')}`] : [];
}

function statusNote(message: MessageRow): string {
  switch (message.status) {
    case 'streaming':
      return '> Still being generated when this was exported.';
    case 'cancelled':
      return '> Stopped before the end.';
    case 'failed': {
      const cause = message.metadata.error_type;
      return `> Failed${typeof cause === 'string' ? ` (${oneLine(cause)})` : ''}.`;
    }
    default:
      if (message.finish_reason !== 'length') return '';
      return message.metadata.cut_while_reasoning === true
        ? '> Cut off at the length limit while reasoning: the answer never began.'
        : '> Cut off at the length limit.';
  }
}

/** The thinking before an answer, folded away; a closing tag inside it cannot end the block early. */
function reasoningBlock(reasoning: string): string {
  const text = reasoning.replace(/<\/details/gi, '&lt;/details');
  return `<details>\n<summary>Reasoning</summary>\n\n${text}\n\n</details>`;
}

function reactionNote(message: MessageRow): string {
  if (message.reaction === 'thumbs_up') return '_Reaction: 👍_';
  if (message.reaction === 'thumbs_down') return '_Reaction: 👎_';
  return '';
}

/** The messages from the root down to `leafId`, by their parents. */
function branchOf(messages: readonly MessageRow[], leafId: string | null): MessageRow[] {
  const byId = new Map(messages.map((message) => [message.id, message]));
  const branch: MessageRow[] = [];
  for (let at = leafId === null ? undefined : byId.get(leafId); at; at = byId.get(at.parent_message_id ?? '')) {
    branch.push(at);
  }
  return branch.reverse();
}

/** 2025-01-15T10:00:05.123Z -> 2025-01-15 10:00:05 UTC */
const readableTime = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();
