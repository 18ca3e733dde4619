import type { ChatEvent } from '../chat/chat-events.js';

export type StopTarget = { session_id: string } | { message_id: string };

/**
 * What processes of one deployment (workers, instances) tell each other. Best effort: the event log stays
 * the source of truth, a lost signal only delays or loses a live hand-over, never data.
 */
export type Signal =
  /** A process appended events; followers of the log read from their position. */
  | { type: 'log.appended'; position: number }
  /** Stop a generation, wherever it runs; its owner answers with chat.stop-reply. */
  | { type: 'chat.stop'; request_id: string; target: StopTarget; reason: string }
  | { type: 'chat.stop-reply'; to: string; request_id: string; phase: 'stopping' | 'stopped' | 'not-running' }
  /** Relay a session's events after `after` to the watcher; the owner answers with chat.events at once. */
  | { type: 'chat.watch'; watch_id: string; session_id: string; after: number }
  | { type: 'chat.events'; to: string; watch_id: string; events: ChatEvent[] }
  | { type: 'chat.unwatch'; watch_id: string };

/** A signal as received: `from` is the sending process's instance id. */
export type ReceivedSignal = Signal & { from: string };

export type SignalLink = {
  /** This process's id, unique per start. */
  readonly instanceId: string;
  /** False when this process is alone: nobody could answer a signal, so callers skip the round trip. */
  readonly hasPeers: boolean;
  /** Sends to every other process; signals from one sender arrive in the order sent. */
  publish: (signal: Signal) => void;
  /** Signals from other processes, never this one's own. */
  subscribe: (handler: (signal: ReceivedSignal) => void) => () => void;
  close: () => Promise<void>;
};
