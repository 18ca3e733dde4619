import type { MessageRow } from '../../projections/message.entity.js';
import { decodeCursor, encodeCursor, toPage, type Page } from './cursor.js';
import { toMessageResponse, type MessagePageQuery, type MessageResponse } from './message.queries.js';

/** listMessages over the rows of a conversation as it was: creation order, every branch, the same cursors. */
export function messagePageAsOf(rows: MessageRow[], query: MessagePageQuery): Page<MessageResponse> {
  const after = query.cursor ? decodeCursor<[number]>(query.cursor, ['number'])[0] : 0;
  const page = rows
    .filter((row) => row.seq > after)
    .sort((a, b) => a.seq - b.seq)
    .slice(0, query.limit + 1);
  const reasoning = query.include_reasoning ?? false;
  return toPage(
    page,
    query.limit,
    (row) => toMessageResponse(row, reasoning),
    (row) => [row.seq],
  );
}

/** listPath over the rows of a conversation as it was: the branch root -> `leafId`, paged by depth. */
export function pathPageAsOf(
  rows: MessageRow[],
  leafId: string | null,
  query: MessagePageQuery,
): Page<MessageResponse> {
  const from = query.cursor ? decodeCursor<[number]>(query.cursor, ['number'])[0] : 0;
  const byId = new Map(rows.map((row) => [row.id, row]));
  const branch: MessageRow[] = [];
  for (let at = leafId ? byId.get(leafId) : undefined; at; at = byId.get(at.parent_message_id ?? '')) branch.push(at);
  const page = branch.reverse().slice(from, from + query.limit + 1);
  return {
    items: page.slice(0, query.limit).map((row) => toMessageResponse(row, query.include_reasoning ?? false)),
    next_cursor: page.length > query.limit ? encodeCursor([from + query.limit]) : null,
  };
}
