import type { EntityManager } from '@mikro-orm/knex';
import { assertNever } from '../domain/shared/assert-never.js';
import { runSql } from '../db/run-sql.js';
import { projectNotDeleted } from './visibility.js';

export type UsageGroup = 'day' | 'model';

export type UsageFigures = {
  messages: number;
  completed: number;
  failed: number;
  cancelled: number;
  completion_tokens: number;
  prompt_tokens: number;
  average_completion_ms: number | null;
  tokens_per_second: number | null;
  prompt_tokens_per_second: number | null;
  thumbs_up: number;
  thumbs_down: number;
};

export type UsageBucket = ({ day: string } | { model: string | null }) & UsageFigures;

export type UsageQuery = {
  group_by: UsageGroup;
  project_id?: string;
  /** ISO instants: from <= created_at < to. */
  from: string | null;
  to: string | null;
};

/** What the database adds up; the figures are made of these, for a bucket and for the total alike. */
const SUMS = [
  'messages',
  'completed',
  'failed',
  'cancelled',
  'completion_tokens',
  'prompt_tokens',
  'completion_ms',
  'timed',
  'rated_n',
  'rated_ms',
  'prompt_rated_n',
  'prompt_rated_ms',
  'thumbs_up',
  'thumbs_down',
] as const;
type Sums = Record<(typeof SUMS)[number], number>;

const keyOf = (group: UsageGroup) => {
  switch (group) {
    case 'day':
      return 'substr(u.created_at, 1, 10)';
    case 'model':
      return 'u.model_name';
    default:
      return assertNever(group);
  }
};

/**
 * Answers (assistant messages) of the conversations the API shows, added up per UTC day of their start or per
 * model. Rates come from llama.cpp's timings, over the answers that have them: tokens generated (or prompt tokens
 * evaluated) divided by the time llama.cpp says it took, so a slow client or network does not lower them.
 */
export async function usageStats(
  em: EntityManager,
  query: UsageQuery,
): Promise<{ items: UsageBucket[]; total: UsageFigures }> {
  const params: string[] = [];
  let where = `u.role = 'assistant' and c.deleted_at is null and ${projectNotDeleted}`;
  if (query.project_id) {
    where += ' and c.project_id = ?';
    params.push(query.project_id);
  }
  if (query.from) {
    where += ' and u.created_at >= ?';
    params.push(query.from);
  }
  if (query.to) {
    where += ' and u.created_at < ?';
    params.push(query.to);
  }
  const rated = (n: string, ms: string, value: string) =>
    `coalesce(sum(case when u.${n} is not null and u.${ms} > 0 then u.${value} else 0 end), 0)`;
  const rows = await runSql<Record<string, unknown>>(
    em,
    `select ${keyOf(query.group_by)} as bucket,
       count(*) as messages,
       sum(case when u.status = 'complete' then 1 else 0 end) as completed,
       sum(case when u.status = 'failed' then 1 else 0 end) as failed,
       sum(case when u.status = 'cancelled' then 1 else 0 end) as cancelled,
       coalesce(sum(u.completion_tokens), 0) as completion_tokens,
       coalesce(sum(u.prompt_n), 0) as prompt_tokens,
       coalesce(sum(u.completion_time_ms), 0) as completion_ms,
       count(u.completion_time_ms) as timed,
       ${rated('predicted_n', 'predicted_ms', 'predicted_n')} as rated_n,
       ${rated('predicted_n', 'predicted_ms', 'predicted_ms')} as rated_ms,
       ${rated('prompt_n', 'prompt_ms', 'prompt_n')} as prompt_rated_n,
       ${rated('prompt_n', 'prompt_ms', 'prompt_ms')} as prompt_rated_ms,
       sum(case when u.reaction = 'thumbs_up' then 1 else 0 end) as thumbs_up,
       sum(case when u.reaction = 'thumbs_down' then 1 else 0 end) as thumbs_down
     from usage_messages u join conversations c on c.id = u.conversation_id
     where ${where}
     group by ${keyOf(query.group_by)}`,
    params,
  );
  const buckets = rows.map((row) => ({ bucket: row.bucket as string | null, sums: sumsOf(row) }));
  buckets.sort((a, b) => order(a.bucket, b.bucket));
  const total = Object.fromEntries(
    SUMS.map((name) => [name, buckets.reduce((sum, { sums }) => sum + sums[name], 0)]),
  ) as Sums;
  return {
    items: buckets.map(({ bucket, sums }) => ({
      ...(query.group_by === 'day' ? { day: bucket! } : { model: bucket }),
      ...figures(sums),
    })),
    total: figures(total),
  };
}

/** Days in order; models by name, answers with none (failed before llama.cpp said) last. */
const order = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);

/** PostgreSQL hands sums and counts of integers back as text (bigint, numeric). */
const sumsOf = (row: Record<string, unknown>) =>
  Object.fromEntries(SUMS.map((name) => [name, Number(row[name] ?? 0)])) as Sums;

const rounded = (value: number, places: number) => Math.round(value * 10 ** places) / 10 ** places;
const perSecond = (count: number, ms: number) => (ms > 0 ? rounded((count * 1000) / ms, 2) : null);

function figures(sums: Sums): UsageFigures {
  return {
    messages: sums.messages,
    completed: sums.completed,
    failed: sums.failed,
    cancelled: sums.cancelled,
    completion_tokens: sums.completion_tokens,
    prompt_tokens: sums.prompt_tokens,
    average_completion_ms: sums.timed > 0 ? rounded(sums.completion_ms / sums.timed, 1) : null,
    tokens_per_second: perSecond(sums.rated_n, sums.rated_ms),
    prompt_tokens_per_second: perSecond(sums.prompt_rated_n, sums.prompt_rated_ms),
    thumbs_up: sums.thumbs_up,
    thumbs_down: sums.thumbs_down,
  };
}
