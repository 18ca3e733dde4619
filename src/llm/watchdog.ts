/** A timer armed while waiting on llama.cpp; it calls `onTimeout` once if a wait outlasts its limit. */
export type Watchdog = {
  arm: (ms: number) => void;
  disarm: () => void;
  readonly fired: boolean;
};

export function createWatchdog(onTimeout: () => void): Watchdog {
  let timer: NodeJS.Timeout | undefined;
  let fired = false;
  return {
    arm: (ms) => {
      clearTimeout(timer);
      timer = setTimeout(
        () => {
          fired = true;
          onTimeout();
        },
        Math.max(ms, 0),
      );
    },
    disarm: () => clearTimeout(timer),
    get fired() {
      return fired;
    },
  };
}
