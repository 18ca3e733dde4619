import { HttpProblem } from './problem.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 24 * 60 * 60 * 1000;
const FIRST = Date.parse('0000-01-01T00:00:00.000Z');
const LAST = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * `from` and `to` of a query (each a date or an ISO 8601 date-time with its offset, checked by the schema) as
 * instants: from <= t < to. A date stands for its whole UTC day, so from=2025-01-01&to=2025-01-31 is January.
 */
export function timeRange(from?: string, to?: string): { from: string | null; to: string | null } {
  const start = from === undefined ? null : instant(from, 0);
  const end = to === undefined ? null : instant(to, DATE.test(to) ? DAY_MS : 0);
  if (start !== null && end !== null && start >= end) {
    const message = `must be before to (from ${start}, to ${end})`;
    throw new HttpProblem(422, 'validation', `query/from: ${message}`, [{ path: 'query/from', message }]);
  }
  return { from: start, to: end };
}

/** As stored timestamps are written, so that they compare as text; clamped to the years 0000 to 9999. */
function instant(value: string, plusMs: number): string {
  const ms = (DATE.test(value) ? Date.parse(`${value}T00:00:00Z`) : Date.parse(value)) + plusMs;
  return new Date(Math.min(Math.max(ms, FIRST), LAST)).toISOString();
}
