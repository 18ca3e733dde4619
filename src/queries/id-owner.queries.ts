import type { EntityManager } from '@mikro-orm/knex';
import { dialectOf } from '../db/dialect.js';
import { runSql } from '../db/run-sql.js';
import type { IdOwner } from '../domain/shared/id-owner.js';
import type { StreamType } from '../domain/domain-event.js';

/**
 * What an id already names, if anything: a stream (a project or a conversation, a purged one's tombstone included),
 * a message, or a chat session (recorded in its answer's metadata). Asked only of ids a client chose.
 */
export async function idOwner(em: EntityManager, id: string): Promise<IdOwner | null> {
  const [stream] = await runSql<{ stream_type: StreamType }>(
    em,
    'select stream_type from events where stream_id = ? limit 1',
    [id],
  );
  if (stream) return stream.stream_type;
  const [message] = await runSql(em, 'select 1 as found from messages where id = ?', [id]);
  if (message) return 'message';
  const sessionOf =
    dialectOf(em) === 'postgresql' ? "metadata->>'session_id'" : "json_extract(metadata, '$.session_id')";
  const [session] = await runSql(
    em,
    `select 1 as found from messages where role = 'assistant' and ${sessionOf} = ? limit 1`,
    [id],
  );
  return session ? 'chat session' : null;
}
