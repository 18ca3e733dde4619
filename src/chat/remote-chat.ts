import { randomUUID } from 'node:crypto';
import type { ReceivedSignal, SignalLink, StopTarget } from '../cluster/signals.js';
import { isFinal, type ChatEvent } from './chat-events.js';
import { STOP_WAIT_MS } from './serve-remote-chat.js';
import type { SessionFeed } from './session-feed.js';

/** How long another process has to say it owns a session before we conclude nobody does. */
const OWNER_REPLY_MS = 1_000;

export type RemoteChat = {
  /** Asks the process running the generation to stop it; false when no process was running it. */
  stop: (target: StopTarget, reason: string) => Promise<boolean>;
  /** Follows a session another process runs, from after event `after`; undefined when no process has it. */
  watch: (sessionId: string, after: number) => Promise<SessionFeed | undefined>;
};

/** The asking side of cross-process chat (the owner's side is serve-remote-chat.ts). */
export function createRemoteChat(link: SignalLink): RemoteChat {
  return {
    async stop(target, reason) {
      if (!link.hasPeers) return false;
      const request_id = randomUUID();
      return new Promise<boolean>((resolve) => {
        let stopping = false;
        const finish = (stopped: boolean) => {
          clearTimeout(timer);
          unsubscribe();
          resolve(stopped);
        };
        let timer = setTimeout(() => finish(false), OWNER_REPLY_MS);
        const unsubscribe = link.subscribe((signal) => {
          if (signal.type !== 'chat.stop-reply' || !mine(signal, link) || signal.request_id !== request_id) return;
          if (signal.phase === 'not-running') return finish(false);
          if (signal.phase === 'stopped') return finish(true);
          if (stopping) return;
          stopping = true;
          clearTimeout(timer);
          timer = setTimeout(() => finish(true), STOP_WAIT_MS + OWNER_REPLY_MS);
        });
        link.publish({ type: 'chat.stop', request_id, target, reason });
      });
    },

    async watch(session_id, after) {
      if (!link.hasPeers) return undefined;
      const watch_id = randomUUID();
      const received: ChatEvent[] = [];
      let listener: ((event: ChatEvent) => void) | undefined;
      let final: ChatEvent | undefined;
      let found: () => void = () => undefined;
      const answered = new Promise<boolean>((resolve) => {
        found = () => resolve(true);
        setTimeout(() => resolve(false), OWNER_REPLY_MS).unref();
      });
      const unsubscribe = link.subscribe((signal) => {
        if (signal.type !== 'chat.events' || !mine(signal, link) || signal.watch_id !== watch_id) return;
        found();
        for (const event of signal.events) {
          if (final) return;
          if (isFinal(event.data)) final = event;
          if (listener) listener(event);
          else received.push(event);
        }
      });
      const leave = () => {
        unsubscribe();
        link.publish({ type: 'chat.unwatch', watch_id });
      };
      link.publish({ type: 'chat.watch', watch_id, session_id, after });
      if (!(await answered)) {
        leave();
        return undefined;
      }
      return {
        subscribe(next) {
          for (const event of received.splice(0)) next(event);
          if (final) {
            leave();
            return () => undefined;
          }
          listener = next;
          return leave;
        },
        get final() {
          return final;
        },
      };
    },
  };
}

const mine = (signal: ReceivedSignal & { to: string }, link: SignalLink) => signal.to === link.instanceId;
