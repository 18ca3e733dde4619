import type { ReceivedSignal, SignalLink, StopTarget } from '../cluster/signals.js';
import type { ChatEvent } from './chat-events.js';
import type { ChatSession } from './chat-session.js';
import type { ChatSessions } from './chat-sessions.js';
import { untilDone } from './until-done.js';

/** How long an owner waits for a stopped generation to record its end before it replies anyway. */
export const STOP_WAIT_MS = 5_000;
/** A NOTIFY payload holds 8000 bytes; replayed events are sent in batches well under it. */
const MAX_BATCH_BYTES = 6_000;

/**
 * The owner's side of cross-process chat: stops its sessions when another process asks, and relays a
 * session's events to a process that resumes it. A relayed watcher counts as a listener, so the
 * generation goes on while someone anywhere reads it.
 */
export function serveRemoteChat(link: SignalLink, sessions: ChatSessions): () => void {
  const watches = new Map<string, () => void>();
  const reply = (signal: Parameters<SignalLink['publish']>[0]) => link.publish(signal);

  const onStop = async (signal: Extract<ReceivedSignal, { type: 'chat.stop' }>) => {
    const session = find(sessions, signal.target);
    if (!session) return;
    const base = { type: 'chat.stop-reply', to: signal.from, request_id: signal.request_id } as const;
    if (session.done) return reply({ ...base, phase: 'not-running' });
    reply({ ...base, phase: 'stopping' });
    session.abort.abort(new Error(signal.reason));
    await untilDone(session, STOP_WAIT_MS);
    reply({ ...base, phase: 'stopped' });
  };

  const onWatch = (signal: Extract<ReceivedSignal, { type: 'chat.watch' }>) => {
    const session = sessions.get(signal.session_id);
    if (!session) return;
    const send = (events: ChatEvent[]) =>
      reply({ type: 'chat.events', to: signal.from, watch_id: signal.watch_id, events });
    const replay: ChatEvent[] = [];
    let live = false;
    const unsubscribe = session.subscribe((event) => {
      if (!live) return void replay.push(event);
      send([event]);
      if (session.done) watches.delete(signal.watch_id);
    }, signal.after);
    live = true;
    if (replay.length === 0 && session.final) replay.push(session.final);
    for (const batch of batches(replay)) send(batch);
    if (session.done) return;
    watches.set(signal.watch_id, unsubscribe);
  };

  return link.subscribe((signal) => {
    switch (signal.type) {
      case 'chat.stop':
        return void onStop(signal);
      case 'chat.watch':
        return onWatch(signal);
      case 'chat.unwatch': {
        const unsubscribe = watches.get(signal.watch_id);
        watches.delete(signal.watch_id);
        return unsubscribe?.();
      }
      case 'chat.stop-reply':
      case 'chat.events':
      case 'log.appended':
        return;
    }
  });
}

function find(sessions: ChatSessions, target: StopTarget): ChatSession | undefined {
  return 'session_id' in target ? sessions.get(target.session_id) : sessions.byMessage(target.message_id);
}

/** At least one batch, so the watcher learns at once that the session was found. */
function batches(events: ChatEvent[]): ChatEvent[][] {
  const result: ChatEvent[][] = [[]];
  let size = 0;
  for (const event of events) {
    const bytes = Buffer.byteLength(JSON.stringify(event));
    if (size + bytes > MAX_BATCH_BYTES && result.at(-1)!.length > 0) {
      result.push([]);
      size = 0;
    }
    result.at(-1)!.push(event);
    size += bytes;
  }
  return result;
}
