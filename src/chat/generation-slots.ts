export type Release = () => void;

export type GenerationSlots = {
  /** True when `limit` generations run and the queue is full: a new chat is refused with 429. */
  full: (limit: number) => boolean;
  /** Resolves when a slot is free; `onQueued` hears the queue position when it has to wait. */
  acquire: (limit: number, signal: AbortSignal, onQueued: (position: number) => void) => Promise<Release>;
};

/** At most `limit` generations at once (llama.cpp's slots); the rest wait in a bounded FIFO queue. */
export function createGenerationSlots(maxQueue: number): GenerationSlots {
  let running = 0;
  const queue: (() => void)[] = [];
  const release = () => {
    running -= 1;
    queue.shift()?.();
  };
  return {
    full: (limit) => running >= limit && queue.length >= maxQueue,
    acquire(limit, signal, onQueued) {
      if (running < limit && queue.length === 0) {
        running += 1;
        return Promise.resolve(once(release));
      }
      return new Promise<Release>((resolve, reject) => {
        const start = () => {
          signal.removeEventListener('abort', leave);
          running += 1;
          resolve(once(release));
        };
        const leave = () => {
          const at = queue.indexOf(start);
          if (at >= 0) queue.splice(at, 1);
          reject(signal.reason);
        };
        queue.push(start);
        signal.addEventListener('abort', leave, { once: true });
        onQueued(queue.length);
      });
    },
  };
}

function once(fn: () => void): () => void {
  let called = false;
  return () => {
    if (called) return;
    called = true;
    fn();
  };
}
