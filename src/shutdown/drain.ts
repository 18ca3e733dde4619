import type { Logger } from '../logger.js';

export type Drain = {
  /** True once the shutdown began: new answers are refused. */
  readonly draining: boolean;
  /** Aborted when the shutdown begins: streams that only wait for what comes next (the live event feed) end then. */
  readonly signal: AbortSignal;
  /** Counts an answer as running until the returned function is called; undefined once draining (refuse it). */
  enter: () => (() => void) | undefined;
  /**
   * Refuses new answers, waits up to `timeoutMs` for the running ones, then cancels the rest; resolves once every
   * answer has ended, its end stored and its final event sent.
   */
  drain: (timeoutMs: number) => Promise<void>;
  /** Ends the wait at once: what still runs is cancelled (a second signal). */
  hurry: () => void;
};

/** The answers this process is serving, and the drain a graceful shutdown runs on them. */
export function createDrain(cancelAll: () => void, logger: Logger): Drain {
  let draining = false;
  const stopping = new AbortController();
  let running = 0;
  let hurried = false;
  let endWait: (() => void) | undefined;
  const waiters = new Set<() => void>();
  const allEnded = () =>
    new Promise<void>((resolve) => {
      if (running === 0) resolve();
      else waiters.add(resolve);
    });
  const deadline = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      endWait = () => {
        clearTimeout(timer);
        resolve();
      };
      if (hurried) endWait();
    });

  return {
    get draining() {
      return draining;
    },
    signal: stopping.signal,
    enter() {
      if (draining) return undefined;
      running++;
      let left = false;
      return () => {
        if (left) return;
        left = true;
        if (--running > 0) return;
        for (const resolve of waiters) resolve();
        waiters.clear();
      };
    },
    async drain(timeoutMs) {
      draining = true;
      stopping.abort();
      if (running === 0) return;
      logger.info({ running, timeout_ms: timeoutMs }, 'waiting for the running answers to finish');
      await Promise.race([allEnded(), deadline(timeoutMs)]);
      endWait?.();
      if (running === 0) {
        logger.info('the running answers finished');
        return;
      }
      logger.warn({ running }, 'cancelling the answers still running');
      cancelAll();
      await allEnded();
      logger.info('the cancelled answers are stored');
    },
    hurry() {
      hurried = true;
      endWait?.();
    },
  };
}
