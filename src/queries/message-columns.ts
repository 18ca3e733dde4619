import type { MessageRow } from '../../projections/message.entity.js';

/** A row as the pages read it: without the reasoning's text unless asked for, with whether it has one. */
export type MessageListRow = Omit<MessageRow, 'reasoning'> & { reasoning?: string | null; has_reasoning?: number };

const LISTED_COLUMNS = [
  'id',
  'conversation_id',
  'seq',
  'role',
  'content',
  'status',
  'finish_reason',
  'reaction',
  'parent_message_id',
  'token_count',
  'model_name',
  'completion_time_ms',
  'metadata',
  'depth',
  'anchor_id',
  'created_at',
  'updated_at',
] as const satisfies readonly Exclude<keyof MessageRow, 'reasoning'>[];

/**
 * The columns of `alias` a page selects: a long thought is read only when asked for. Whether there is one is read
 * from the row's header, not from its text.
 */
export const listedColumns = (alias: string, includeReasoning: boolean) =>
  [
    ...LISTED_COLUMNS.map((column) => `${alias}.${column}`),
    `case when ${alias}.reasoning is null then 0 else 1 end as has_reasoning`,
    ...(includeReasoning ? [`${alias}.reasoning`] : []),
  ].join(', ');
