import type { EventStore } from '../event-store/append-to-stream.js';
import { forgetInstance } from '../cluster/heartbeat.js';
import type { Logger } from '../logger.js';
import { findAbandoned, markInterrupted, type Survivors } from './mark-interrupted.js';

/** How often a process with peers looks for answers a dead sibling left `streaming`. */
export const SWEEP_MS = 10_000;

export type Sweeper = {
  /** A process known to be dead (a cluster's primary saw it exit): its answers are marked at once. */
  instanceGone: (instanceId: string) => Promise<void>;
  stop: () => void;
};

/**
 * Marks interrupted what is abandoned now, then keeps looking every SWEEP_MS. A later sweep marks an answer only
 * when the one before found it abandoned too: a process whose connection blinked gets a sweep's time to come back.
 */
export async function sweepAbandoned(
  store: () => EventStore,
  survivors: Survivors,
  logger: Logger,
  options: { repeat: boolean },
): Promise<Sweeper> {
  const mark = async (answers: Awaited<ReturnType<typeof findAbandoned>>) => {
    const marked = await markInterrupted(store, answers);
    if (marked > 0)
      logger.warn({ interrupted: marked }, 'answers cut off by a stopped or crashed server were marked interrupted');
  };
  const sweepNow = async () => mark(await findAbandoned(store().em, survivors));
  await sweepNow();
  const instanceGone = async (instanceId: string) => {
    await forgetInstance(store().em, instanceId);
    await sweepNow();
  };
  if (!options.repeat) return { instanceGone, stop: () => undefined };
  let suspects = new Set<string>();
  const timer = setInterval(() => {
    findAbandoned(store().em, survivors)
      .then((found) => {
        const confirmed = found.filter((answer) => suspects.has(answer.id));
        suspects = new Set(found.map((answer) => answer.id));
        return mark(confirmed);
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'looking for abandoned answers failed'));
  }, SWEEP_MS);
  timer.unref();
  return { instanceGone, stop: () => clearInterval(timer) };
}
