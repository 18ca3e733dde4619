import { Type } from 'typebox';
import type { AsOf } from '../queries/as-of.js';
import { HttpProblem } from './problem.js';

const position = '[0-9]{1,15}';
const time =
  '[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?' +
  '(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])';

export const AsOfParam = Type.String({
  pattern: `^(${position}|${time})$`,
  description:
    "The state as it was at this log position (an event's `position`) or this time (ISO 8601 with a zone, e.g. " +
    '`2026-03-01T12:00:00Z`), folded from the log; a moment past the end is the current state',
});

/** The latest time toISOString writes in the form events' created_at have: a later one is simply the future. */
const LAST_TIME = Date.parse('9999-12-31T23:59:59.999Z');

/** A valid `as_of` (AsOfParam checked its form) as a moment of the log; an impossible date is a 422. */
export function parseAsOf(raw: string): AsOf {
  if (/^[0-9]+$/.test(raw)) return { position: Number(raw) };
  const [year, month, day] = raw.slice(0, 10).split('-').map(Number) as [number, number, number];
  const calendar = new Date(0);
  calendar.setUTCFullYear(year, month - 1, day); // not Date.UTC, which reads years 0 to 99 as 1900 to 1999
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) {
    const message = 'names a day that does not exist';
    throw new HttpProblem(422, 'validation', `query/as_of: ${message}`, [{ path: 'query/as_of', message }]);
  }
  return { time: new Date(Math.min(Date.parse(raw), LAST_TIME)).toISOString() };
}
