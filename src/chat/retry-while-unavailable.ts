import { isDatabaseUnavailable } from '../db/database-unavailable.js';
import { DomainError } from '../domain/shared/domain-error.js';
import type { Logger } from '../logger.js';

const FIRST_DELAY_MS = 1_000;
const MAX_DELAY_MS = 30_000;
/** After this long the sweep of the next start marks the answer interrupted instead. */
const GIVE_UP_MS = 15 * 60_000;

/**
 * Records, in the background, what the database refused because it was unavailable (the end of an answer), once it
 * is back: without it the answer would stay `streaming`, and its conversation refuse new questions, until a
 * restart. Waits longer after each refusal: on SQLite every attempt blocks the process for the busy timeout.
 * Stops when the record is refused for another reason, e.g. the answer already ended (a sweep marked it).
 */
export function retryWhileUnavailable(
  record: () => Promise<unknown>,
  log: Logger,
  context: Record<string, unknown>,
): void {
  const giveUpAt = Date.now() + GIVE_UP_MS;
  const attempt = (delay: number) => {
    setTimeout(() => {
      record().then(
        () => log.warn(context, 'recorded once the database was available again'),
        (error: unknown) => {
          if (isDatabaseUnavailable(error) && Date.now() < giveUpAt) return attempt(Math.min(delay * 2, MAX_DELAY_MS));
          if (error instanceof DomainError) return;
          log.error({ ...context, err: error }, 'gave up recording after the database was unavailable');
        },
      );
    }, delay).unref();
  };
  attempt(FIRST_DELAY_MS);
}
