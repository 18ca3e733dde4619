import type { SignalLink } from './signals.js';

/** A process on its own: there is nobody to signal. */
export function createLocalLink(instanceId: string): SignalLink {
  return {
    instanceId,
    hasPeers: false,
    publish: () => undefined,
    subscribe: () => () => undefined,
    close: async () => undefined,
  };
}
