import type { EntityManager } from '@mikro-orm/knex';
import type { MessageRow } from '../../projections/message.entity.js';
import type { JsonObject } from '../domain/shared/decider.js';
import { runSql } from '../db/run-sql.js';
import { withParsedJson } from './raw-rows.js';

/** The answer being generated, for a page that reloaded without its session id. */
export type Generating = { session_id: string | null; message_id: string; started_at: string };
/** The context the last answer of the branch shown filled: `used` tokens of the slot's `n_ctx`. */
export type ContextUse = { message_id: string; used: number; n_ctx: number | null };
export type ConversationActivity = { generating: Generating | null; context: ContextUse | null };

type Row = Pick<MessageRow, 'id' | 'role' | 'parent_message_id' | 'metadata' | 'created_at' | 'status'>;

/** A branch's last answers before the one with a figure: a question, a failed answer, another question. */
const LOOK_BACK = 4;

/** What a conversation is doing now, from the read models: two indexed reads, and a few rows up the branch. */
export async function conversationActivity(
  em: EntityManager,
  conversationId: string,
  currentLeafId: string | null,
): Promise<ConversationActivity> {
  const columns = 'id, role, parent_message_id, metadata, created_at, status';
  const [streaming] = await runSql<Row>(
    em,
    `select ${columns} from messages where conversation_id = ? and status = 'streaming' order by seq desc limit 1`,
    [conversationId],
  );
  const row = async (id: string) => {
    const [found] = await runSql<Row>(em, `select ${columns} from messages where id = ?`, [id]);
    return found ? withParsedJson(found) : undefined;
  };
  return {
    generating: streaming ? generatingOf(withParsedJson(streaming)) : null,
    context: await contextUp(currentLeafId, row),
  };
}

/** The same, over the message rows of a conversation as it was (as_of). */
export async function activityAmong(rows: MessageRow[], currentLeafId: string | null): Promise<ConversationActivity> {
  const byId = new Map(rows.map((row) => [row.id, row]));
  const streaming = rows.filter((row) => row.status === 'streaming').sort((a, b) => b.seq - a.seq)[0];
  return {
    generating: streaming ? generatingOf(streaming) : null,
    context: await contextUp(currentLeafId, (id) => byId.get(id)),
  };
}

function generatingOf(row: Row): Generating {
  const sessionId = row.metadata.session_id;
  return {
    session_id: typeof sessionId === 'string' ? sessionId : null,
    message_id: row.id,
    started_at: row.created_at,
  };
}

async function contextUp(
  leafId: string | null,
  row: (id: string) => Promise<Row | undefined> | Row | undefined,
): Promise<ContextUse | null> {
  let id = leafId;
  for (let step = 0; id !== null && step < LOOK_BACK; step++) {
    const found = await row(id);
    if (!found) return null;
    const context = contextOf(found.metadata);
    if (found.role === 'assistant' && context) return { message_id: found.id, ...context };
    id = found.parent_message_id ?? null;
  }
  return null;
}

function contextOf(metadata: JsonObject): Omit<ContextUse, 'message_id'> | null {
  const context = metadata.context;
  if (typeof context !== 'object' || context === null || Array.isArray(context)) return null;
  const { used, n_ctx } = context as { used?: unknown; n_ctx?: unknown };
  if (typeof used !== 'number') return null;
  return { used, n_ctx: typeof n_ctx === 'number' ? n_ctx : null };
}
