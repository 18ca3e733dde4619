import { ImportError } from './import-error.js';

/** The read models compare times as text: every one is stored as Date#toISOString makes it, in four-digit years. */
const LAST_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

function iso(ms: number, pointer: string): string {
  if (!Number.isFinite(ms) || ms < 0 || ms > LAST_MS) {
    throw new ImportError(pointer, 'is not a time between the years 1970 and 9999');
  }
  return new Date(ms).toISOString();
}

/** An ISO 8601 date-time with any offset, as UTC. */
export const isoFromText = (text: string, pointer: string) => iso(Date.parse(text), pointer);

/** Unix seconds, fractions kept to the millisecond. */
export const isoFromEpochSeconds = (seconds: number, pointer: string) => iso(Math.round(seconds * 1000), pointer);
