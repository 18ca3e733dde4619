import type { ImportConversation } from '../domain/conversation/conversation.commands.js';
import type { ImportedMessage } from '../domain/conversation/conversation.events.js';
import type { ChatGptConversation, ChatGptExport, ChatGptMessage, ChatGptNode } from './chatgpt-format.js';
import { reasoningBefore } from './chatgpt-thoughts.js';
import { MODEL_NAME_MAX_LENGTH } from './export-format.js';
import type { ImportContext } from './import-context.js';
import { ImportError, pointerTo } from './import-error.js';
import { isoFromEpochSeconds } from './timestamps.js';

/**
 * ChatGPT's conversations.json (already valid against ChatGptExport) as one import per conversation. Of its nodes,
 * the visible user and assistant text is kept: system and tool messages, hidden ones, tool calls and empty messages
 * are left out, and what replied to them replies to their nearest kept ancestor, so every branch stays. Thoughts
 * shown before an answer become that answer's reasoning. Errors point into the file.
 */
export function importsFromChatGpt(conversations: ChatGptExport, context: ImportContext): ImportConversation[] {
  return conversations.map((conversation, i) => importOf(conversation, `/${i}`, context));
}

type Kept = {
  key: string;
  order: number;
  depth: number;
  ms: number;
  message: ChatGptMessage;
  text: string;
  reasoning: string | null;
};

function importOf(conversation: ChatGptConversation, at: string, context: ImportContext): ImportConversation {
  const mapping = `${at}/mapping`;
  const nodes = new Map<string, ChatGptNode>(Object.entries(conversation.mapping));
  const texts = new Map<string, string>();
  for (const [key, node] of nodes) {
    const parent = node.parent ?? null;
    if (parent !== null && !nodes.has(parent)) {
      throw new ImportError(pointerTo(pointerTo(mapping, key), 'parent'), 'names no node of this mapping');
    }
    const text = node.message ? keptText(node.message) : null;
    if (text !== null) texts.set(key, text);
  }
  const keptAbove = nearestKeptAncestors(nodes, texts, mapping);
  const ordered = inTreeOrder(conversation, nodes, texts, keptAbove, at, context.now);
  const ids = new Map(ordered.map((kept) => [kept.key, context.newId()]));
  const messages = ordered.map((kept) =>
    importedMessage(kept, ids.get(kept.key)!, keptAbove.get(kept.key) ?? null, ids, pointerTo(mapping, kept.key)),
  );
  const created_at =
    conversation.create_time != null
      ? isoFromEpochSeconds(conversation.create_time, `${at}/create_time`)
      : (messages[0]?.created_at ?? context.now);
  const updated_at =
    conversation.update_time != null
      ? isoFromEpochSeconds(conversation.update_time, `${at}/update_time`)
      : (messages.at(-1)?.created_at ?? created_at);
  return {
    type: 'ImportConversation',
    data: {
      conversation_id: context.newId(),
      project_id: context.project_id,
      project_status: context.project_status,
      title: titleOf(conversation.title, context.maxTitleLength),
      metadata: {},
      created_at,
      updated_at,
      current_leaf_id: leafOf(conversation, nodes, texts, keptAbove, ids, messages, at),
      source: { kind: 'chatgpt', conversation_id: conversation.conversation_id ?? conversation.id ?? null },
      settings: {},
      messages,
    },
  };
}

/** The text a person saw in ChatGPT for this message, or null when it is not one to keep. */
function keptText(message: ChatGptMessage): string | null {
  const role = message.author.role;
  if (role !== 'user' && role !== 'assistant') return null;
  if (message.metadata?.is_visually_hidden_from_conversation === true || message.weight === 0) return null;
  // Addressed to a tool (code to run, a search, an image prompt), or reasoning rather than the answer.
  if (message.recipient != null && message.recipient !== 'all') return null;
  if (message.channel != null && message.channel !== 'final') return null;
  const type = message.content.content_type;
  if (type !== 'text' && type !== 'multimodal_text') return null;
  // A text's parts are pieces of one text; a multimodal message's are separate items (an image, then a question).
  const text = (message.content.parts ?? [])
    .map(partText)
    .filter((part) => part !== '')
    .join(type === 'text' ? '' : '\n\n');
  return text.trim() === '' ? null : text;
}

/** Text parts as they are, transcriptions by their text, images as a placeholder; other attachments drop out. */
function partText(part: unknown): string {
  if (typeof part === 'string') return part;
  if (typeof part !== 'object' || part === null) return '';
  const { content_type, text } = part as { content_type?: unknown; text?: unknown };
  if (typeof text === 'string') return text;
  return content_type === 'image_asset_pointer' ? '[image]' : '';
}

/**
 * For every node, its nearest ancestor that is kept (null at the top). Walks up without recursion, so a chain of
 * any length cannot exhaust the stack, and refuses a cycle of parents.
 */
function nearestKeptAncestors(
  nodes: Map<string, ChatGptNode>,
  kept: Map<string, string>,
  mapping: string,
): Map<string, string | null> {
  const above = new Map<string, string | null>();
  for (const start of nodes.keys()) {
    const path: string[] = [];
    const onPath = new Set<string>();
    for (let key: string | null = start; key !== null && !above.has(key); key = nodes.get(key)!.parent ?? null) {
      if (onPath.has(key)) {
        throw new ImportError(
          pointerTo(pointerTo(mapping, key), 'parent'),
          'makes a cycle: the node is its own ancestor',
        );
      }
      onPath.add(key);
      path.push(key);
    }
    for (const key of path.reverse()) {
      const parent = nodes.get(key)!.parent ?? null;
      above.set(key, parent === null ? null : kept.has(parent) ? parent : above.get(parent)!);
    }
  }
  return above;
}

/**
 * The kept messages parents first, oldest first. A message without a time, or dated before the one it replies to,
 * takes its parent's time: creation order and the tree then agree, as they do for messages written here.
 */
function inTreeOrder(
  conversation: ChatGptConversation,
  nodes: Map<string, ChatGptNode>,
  texts: Map<string, string>,
  keptAbove: Map<string, string | null>,
  at: string,
  now: string,
): Kept[] {
  const children = new Map<string | null, string[]>();
  for (const key of texts.keys()) {
    const parent = keptAbove.get(key) ?? null;
    const siblings = children.get(parent);
    if (siblings) siblings.push(key);
    else children.set(parent, [key]);
  }
  const order = new Map([...nodes.keys()].map((key, i) => [key, i]));
  const start =
    conversation.create_time != null
      ? Date.parse(isoFromEpochSeconds(conversation.create_time, `${at}/create_time`))
      : Date.parse(now);
  const kept: Kept[] = [];
  const pending: { key: string; depth: number; parentMs: number }[] = (children.get(null) ?? []).map((key) => ({
    key,
    depth: 0,
    parentMs: start,
  }));
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const message = nodes.get(next.key)!.message!;
    const own =
      message.create_time != null
        ? Date.parse(
            isoFromEpochSeconds(message.create_time, `${pointerTo(`${at}/mapping`, next.key)}/message/create_time`),
          )
        : next.parentMs;
    const ms = next.depth === 0 ? own : Math.max(own, next.parentMs);
    kept.push({
      key: next.key,
      order: order.get(next.key)!,
      depth: next.depth,
      ms,
      message,
      text: texts.get(next.key)!,
      reasoning: message.author.role === 'assistant' ? reasoningBefore(next.key, nodes, texts) : null,
    });
    for (const child of children.get(next.key) ?? []) pending.push({ key: child, depth: next.depth + 1, parentMs: ms });
  }
  return kept.sort((a, b) => a.ms - b.ms || a.depth - b.depth || a.order - b.order);
}

function importedMessage(
  kept: Kept,
  message_id: string,
  parentKey: string | null,
  ids: Map<string, string>,
  at: string,
): ImportedMessage {
  const { message } = kept;
  const role = message.author.role as 'user' | 'assistant';
  const finish = message.metadata?.finish_details?.type;
  const model = message.metadata?.model_slug;
  const created_at = new Date(kept.ms).toISOString();
  const edited =
    message.update_time != null ? isoFromEpochSeconds(message.update_time, `${at}/message/update_time`) : null;
  return {
    message_id,
    parent_message_id: parentKey === null ? null : ids.get(parentKey)!,
    role,
    content: kept.text,
    reasoning: kept.reasoning,
    ...(role === 'assistant' ? outcome(finish) : { status: 'complete', finish_reason: null }),
    reaction: null,
    token_count: null,
    model_name: role === 'assistant' && typeof model === 'string' ? model.slice(0, MODEL_NAME_MAX_LENGTH) : null,
    completion_time_ms: null,
    metadata: {},
    created_at,
    updated_at: edited !== null && edited > created_at ? edited : created_at,
  };
}

/** ChatGPT's finish_details.type as our status and finish reason. */
function outcome(finish: unknown): Pick<ImportedMessage, 'status' | 'finish_reason'> {
  switch (finish) {
    case 'interrupted':
      return { status: 'cancelled', finish_reason: 'cancelled' };
    case 'max_tokens':
      return { status: 'complete', finish_reason: 'length' };
    case 'stop':
      return { status: 'complete', finish_reason: 'stop' };
    default:
      return { status: 'complete', finish_reason: null };
  }
}

/** current_node, or its nearest kept ancestor; the newest message when neither is one. */
function leafOf(
  conversation: ChatGptConversation,
  nodes: Map<string, ChatGptNode>,
  texts: Map<string, string>,
  keptAbove: Map<string, string | null>,
  ids: Map<string, string>,
  messages: ImportedMessage[],
  at: string,
): string | null {
  const current = conversation.current_node ?? null;
  if (current !== null && !nodes.has(current))
    throw new ImportError(`${at}/current_node`, 'names no node of this mapping');
  const key = current === null ? null : texts.has(current) ? current : (keptAbove.get(current) ?? null);
  return key !== null ? ids.get(key)! : (messages.at(-1)?.message_id ?? null);
}

/** ChatGPT's title, cut to MAX_TITLE_LENGTH characters; none when blank. */
function titleOf(title: string | null | undefined, maxLength: number): string | null {
  if (title == null || title.trim() === '') return null;
  return [...title].slice(0, maxLength).join('');
}
