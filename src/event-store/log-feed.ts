import type { EntityManager } from '@mikro-orm/knex';
import type { SignalLink } from '../cluster/signals.js';
import type { Logger } from '../logger.js';
import type { EventBus } from './event-bus.js';
import { logHead } from './log-head.js';
import { readCommitted } from './read-committed.js';
import type { StoredEvent } from './stored-event.js';

export type LogFeed = {
  /**
   * Calls `handler` with every event after `after` (a log position, or `now`: the head when it is called), in log
   * order, each once, whichever process appended it; catch-up first, then live. Resolves with the unsubscribe.
   */
  follow: (after: number | 'now', handler: (events: StoredEvent[]) => void) => Promise<() => void>;
  close: () => void;
};

export type LogFeedDeps = {
  em: () => EntityManager;
  /** This process's commits, at once. */
  bus: EventBus;
  /** Other processes' commits (`log.appended`), when they have any. */
  link: SignalLink;
  logger: Logger;
  /** The log is the source of truth: read it this often even when no signal came (a lost NOTIFY, a poll-only setup). */
  pollMs?: number;
  batchSize?: number;
};

/**
 * The whole log as it grows, across workers and instances. Followers read it through readCommitted, so on
 * PostgreSQL none ever skips an event committed out of position order; signals only say when to look.
 */
export function createLogFeed(deps: LogFeedDeps): LogFeed {
  const { pollMs = 1_000, batchSize = 500 } = deps;
  const followers = new Set<() => void>();
  const wakeAll = () => {
    for (const wake of followers) wake();
  };
  const onCommitted = () => wakeAll();
  deps.bus.on('committed', onCommitted);
  const unsubscribeLink = deps.link.subscribe((signal) => {
    if (signal.type === 'log.appended') wakeAll();
  });
  const timer = setInterval(wakeAll, pollMs);
  timer.unref();

  return {
    async follow(after, handler) {
      let position = after === 'now' ? await logHead(deps.em()) : after;
      let reading = false;
      let again = false;
      let stopped = false;
      const read = async () => {
        if (reading) return void (again = true);
        reading = true;
        try {
          do {
            again = false;
            for (;;) {
              const events = await readCommitted(deps.em(), position, batchSize);
              if (stopped || events.length === 0) break;
              position = events.at(-1)!.position;
              handler(events);
              if (events.length < batchSize) break;
            }
          } while (again && !stopped);
        } catch (error) {
          deps.logger.warn({ err: error }, 'reading the event log failed; retrying at the next wake-up');
        } finally {
          reading = false;
        }
      };
      const wake = () => void read();
      followers.add(wake);
      wake();
      return () => {
        stopped = true;
        followers.delete(wake);
      };
    },
    close() {
      clearInterval(timer);
      deps.bus.off('committed', onCommitted);
      unsubscribeLink();
      followers.clear();
    },
  };
}
