import type { ChatGptMessage, ChatGptNode } from './chatgpt-format.js';

/**
 * The reasoning ChatGPT showed before an answer: the `thoughts` and `reasoning_recap` nodes between the answer and
 * the message it replies to (its nearest kept ancestor), oldest first; null when there are none. Each thought is its
 * summary in bold, then its text; a recap ("Thought for 12s") is its line.
 */
export function reasoningBefore(
  key: string,
  nodes: Map<string, ChatGptNode>,
  kept: Map<string, string>,
): string | null {
  const parts: string[] = [];
  // nearestKeptAncestors has refused cycles already: this walk ends.
  for (let at = nodes.get(key)?.parent ?? null; at !== null && !kept.has(at); at = nodes.get(at)?.parent ?? null) {
    const message = nodes.get(at)?.message;
    const text = message ? reasoningOf(message) : null;
    if (text !== null) parts.push(text);
  }
  return parts.length === 0 ? null : parts.reverse().join('\n\n');
}

function reasoningOf(message: ChatGptMessage): string | null {
  if (message.author.role !== 'assistant') return null;
  const content = message.content as Record<string, unknown>;
  switch (content.content_type) {
    case 'thoughts': {
      const thoughts = Array.isArray(content.thoughts) ? content.thoughts : [];
      const texts = thoughts.map(thoughtText).filter((text) => text !== '');
      return texts.length === 0 ? null : texts.join('\n\n');
    }
    case 'reasoning_recap':
      return typeof content.content === 'string' && content.content.trim() !== '' ? content.content : null;
    default:
      return null;
  }
}

function thoughtText(thought: unknown): string {
  if (typeof thought !== 'object' || thought === null) return '';
  const { summary, content } = thought as { summary?: unknown; content?: unknown };
  const title = textOf(summary);
  const body = textOf(content);
  return [title === '' ? '' : `**${title}**`, body].filter((part) => part !== '').join('\n\n');
}

/** A string, or a list of `{text}` pieces (both are seen in exports). */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  if (!Array.isArray(value)) return '';
  return value
    .map((piece: unknown) =>
      typeof piece === 'object' && piece !== null && typeof (piece as { text?: unknown }).text === 'string'
        ? (piece as { text: string }).text
        : '',
    )
    .join('')
    .trim();
}
