import type { EntityManager } from '@mikro-orm/knex';
import type { LogFeed } from '../../event-store/log-feed.js';
import { settledHead } from '../../event-store/read-committed.js';
import type { StoredEvent } from '../../event-store/stored-event.js';

export type TailListener = (events: StoredEvent[]) => void;

/**
 * The live end of the log, read once per process for every live event stream: a commit costs one read of the log
 * whatever the number of streams (each follower of the log feed reads it on its own).
 */
export type SharedTail = {
  /**
   * From now on, calls `listener` with every event after `position` (the last the tail delivered, or where it
   * started), in log order. Every event at or below `position` was committed for good: nothing can still appear
   * there.
   */
  attach: (listener: TailListener) => Promise<{ position: number; detach: () => void }>;
};

const tails = new WeakMap<LogFeed, SharedTail>();

/** The one tail of this process's log feed. */
export function sharedTailOf(feed: LogFeed, em: () => EntityManager): SharedTail {
  let tail = tails.get(feed);
  if (!tail) tails.set(feed, (tail = createSharedTail(feed, em)));
  return tail;
}

type Following = { unfollow: Promise<() => void> };

/** Follows the log feed while anyone listens; stops with the last listener and starts again with the next. */
function createSharedTail(feed: LogFeed, em: () => EntityManager): SharedTail {
  const listeners = new Set<TailListener>();
  let position = 0;
  let following: Following | undefined;
  const start = async () => {
    position = await settledHead(em());
    return feed.follow(position, (events) => {
      position = events.at(-1)!.position;
      for (const listener of listeners) listener(events);
    });
  };
  const stopIfUnheard = () => {
    if (listeners.size > 0 || !following) return;
    const stopping = following;
    following = undefined;
    void stopping.unfollow.then((unfollow) => unfollow());
  };
  return {
    async attach(listener) {
      for (;;) {
        const current = (following ??= { unfollow: start() });
        try {
          await current.unfollow;
        } catch (error) {
          if (following === current) following = undefined;
          throw error;
        }
        // Stopped while it started (its last listener left): start another.
        if (following !== current) continue;
        listeners.add(listener);
        return {
          position,
          detach: () => {
            listeners.delete(listener);
            stopIfUnheard();
          },
        };
      }
    },
  };
}
