import type { RouterOptions } from './options.js';

/** What /models shows: unloading is still `loaded` there until the child has exited (g17). */
export type ShownStatus = 'unloaded' | 'loading' | 'loaded';

type Phase = 'unloaded' | 'loading' | 'loaded' | 'unloading';

export type RouterModel = {
  id: string;
  nCtx: number;
  /** The port of its child while one runs; 0 before the first load, as /models shows it. */
  port: number;
};

type Entry = RouterModel & { phase: Phase; lastUsed: number; waiters: (() => void)[] };

export type LoadResult = 'loading' | 'already running';
export type UnloadResult = 'unloading' | 'not running';
export type Readiness = 'ready' | 'not loaded';

/** The models of a router and their children's lives, shared by every request to the double. */
export type RouterState = {
  options: RouterOptions;
  models: () => (RouterModel & { status: ShownStatus })[];
  find: (id: string) => RouterModel | undefined;
  load: (id: string) => LoadResult;
  unload: (id: string) => UnloadResult;
  /** Waits for a load under way, or (with autoload) starts one; marks the model used. */
  ready: (id: string) => Promise<Readiness>;
};

export function createRouterState(options: RouterOptions): RouterState {
  let clock = 0;
  const entries: Entry[] = options.models.map((model, i) => ({
    id: model.id,
    nCtx: model.nCtx,
    port: model.status === 'loaded' ? childPort(i) : 0,
    phase: model.status,
    lastUsed: 0,
    waiters: [],
  }));
  const entry = (id: string) => entries.find((e) => e.id === id);
  const later = (action: () => void) => setTimeout(action, options.loadMs).unref();

  const evictForOneMore = () => {
    const running = entries.filter((e) => e.phase !== 'unloaded');
    if (running.length < options.maxInstances) return;
    const idle = running.filter((e) => e.phase === 'loaded').sort((a, b) => a.lastUsed - b.lastUsed)[0];
    if (idle) idle.phase = 'unloaded';
  };

  const startLoad = (target: Entry) => {
    evictForOneMore();
    target.phase = 'loading';
    target.port = childPort(entries.indexOf(target));
    later(() => {
      target.phase = 'loaded';
      for (const wake of target.waiters.splice(0)) wake();
    });
  };

  return {
    options,
    models: () => entries.map(({ id, nCtx, port, phase }) => ({ id, nCtx, port, status: shown(phase) })),
    find: (id) => entry(id),
    load: (id) => {
      const target = entry(id);
      if (!target || target.phase !== 'unloaded') return 'already running';
      startLoad(target);
      return 'loading';
    },
    unload: (id) => {
      const target = entry(id);
      if (!target || target.phase !== 'loaded') return 'not running';
      target.phase = 'unloading';
      later(() => {
        if (target.phase === 'unloading') target.phase = 'unloaded';
      });
      return 'unloading';
    },
    ready: async (id) => {
      const target = entry(id);
      if (!target) return 'not loaded';
      if (target.phase === 'unloaded' || target.phase === 'unloading') {
        if (!options.autoload) return 'not loaded';
        startLoad(target);
      }
      if (target.phase === 'loading') await new Promise<void>((resolve) => target.waiters.push(resolve));
      target.lastUsed = ++clock;
      return 'ready';
    },
  };
}

function shown(phase: Phase): ShownStatus {
  switch (phase) {
    case 'unloading':
      return 'loaded';
    case 'unloaded':
    case 'loading':
    case 'loaded':
      return phase;
  }
}

/** A made-up port per model, stable so that bodies compare across runs. */
function childPort(index: number): number {
  return 50955 + index;
}
