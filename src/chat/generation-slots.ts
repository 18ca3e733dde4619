/** A place in line for one generation, taken before anything is stored so a full server refuses cleanly. */
export type SlotTicket = {
  /** Resolves when a slot is free; `onQueued` hears the queue position when it has to wait. */
  acquire: (signal: AbortSignal, onQueued: (position: number) => void) => Promise<void>;
  /** Gives the slot (or the place in line) back; safe to call more than once. */
  release: () => void;
};

export type GenerationSlots = {
  /** A ticket, or null when `limit` generations run and the queue is full (the chat is refused with 429). */
  reserve: (limit: number) => SlotTicket | null;
};

/**
 * At most `limit` generations at once (llama.cpp's slots); the rest wait in a FIFO queue of `maxQueue`.
 * A chat counts from the moment it is accepted, also while its prompt is being prepared.
 */
export function createGenerationSlots(maxQueue: number): GenerationSlots {
  let running = 0;
  let preparing = 0;
  const queue: (() => void)[] = [];
  const next = () => {
    running -= 1;
    queue.shift()?.();
  };
  return {
    reserve(limit) {
      if (running + preparing + queue.length >= limit + maxQueue) return null;
      preparing += 1;
      let state: 'preparing' | 'queued' | 'running' | 'released' = 'preparing';
      let leaveQueue = () => undefined as void;
      return {
        acquire(signal, onQueued) {
          if (state !== 'preparing') return Promise.reject(new Error(`ticket already ${state}`));
          preparing -= 1;
          if (running < limit && queue.length === 0) {
            running += 1;
            state = 'running';
            return Promise.resolve();
          }
          state = 'queued';
          return new Promise<void>((resolve, reject) => {
            const start = () => {
              signal.removeEventListener('abort', abandon);
              running += 1;
              state = 'running';
              resolve();
            };
            leaveQueue = () => {
              const at = queue.indexOf(start);
              if (at >= 0) queue.splice(at, 1);
            };
            const abandon = () => {
              leaveQueue();
              state = 'released';
              reject(signal.reason);
            };
            queue.push(start);
            signal.addEventListener('abort', abandon, { once: true });
            onQueued(queue.length);
          });
        },
        release() {
          if (state === 'preparing') preparing -= 1;
          if (state === 'queued') leaveQueue();
          if (state === 'running') next();
          state = 'released';
        },
      };
    },
  };
}
