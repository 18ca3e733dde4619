import type { Logger } from '../logger.js';
import { createHandlers } from './handlers.js';
import type { ReceivedSignal, SignalLink } from './signals.js';

export const IPC_KIND = 'assistant-signal';

export type IpcEnvelope = { kind: typeof IPC_KIND; signal: ReceivedSignal };

export const isEnvelope = (message: unknown): message is IpcEnvelope =>
  typeof message === 'object' && message !== null && (message as { kind?: unknown }).kind === IPC_KIND;

/**
 * A node:cluster worker's link: signals go to the primary over the IPC channel, which relays them to
 * every other worker (see relay-signals.ts). Used with SQLite, where there is no server to carry them.
 */
export function createIpcLink(instanceId: string, logger: Logger): SignalLink {
  const handlers = createHandlers((error) => logger.error({ err: error }, 'signal handler failed'));
  const onMessage = (message: unknown) => {
    if (isEnvelope(message) && message.signal.from !== instanceId) handlers.deliver(message.signal);
  };
  process.on('message', onMessage);
  return {
    instanceId,
    hasPeers: true,
    publish(signal) {
      if (!process.connected) return;
      const envelope: IpcEnvelope = { kind: IPC_KIND, signal: { ...signal, from: instanceId } };
      process.send?.(envelope, undefined, {}, (error) => {
        if (error) logger.warn({ err: error }, 'could not signal the other workers');
      });
    },
    subscribe: (handler) => handlers.add(handler),
    async close() {
      process.off('message', onMessage);
    },
  };
}
