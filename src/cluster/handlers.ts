import type { ReceivedSignal } from './signals.js';

type Handler = (signal: ReceivedSignal) => void;

/** The subscriber list every link keeps; a throwing handler must not silence the others. */
export function createHandlers(onError: (error: unknown) => void) {
  const handlers = new Set<Handler>();
  return {
    add(handler: Handler) {
      handlers.add(handler);
      return () => void handlers.delete(handler);
    },
    deliver(signal: ReceivedSignal) {
      for (const handler of handlers) {
        try {
          handler(signal);
        } catch (error) {
          onError(error);
        }
      }
    },
  };
}
