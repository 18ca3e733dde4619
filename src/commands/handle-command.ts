import type { DomainEvent, StreamType } from '../domain/domain-event.js';
import type { Decider } from '../domain/shared/decider.js';
import { conflict } from '../domain/shared/domain-error.js';
import { appendToStream, type EventStore } from '../event-store/append-to-stream.js';
import { ConcurrencyError } from '../event-store/expected-version.js';
import { readStream } from '../event-store/read-stream.js';
import type { EventMetadata, StoredEvent } from '../event-store/stored-event.js';
import type { StreamStateCache } from './stream-state-cache.js';

export type CommandOptions = {
  /** The version the client last saw (from `If-Match`); any other version is refused. */
  expectedVersion?: number;
  metadata: EventMetadata;
  /** Folded states of recent streams, so only new events are read (see stream-state-cache.ts). */
  stateCache?: StreamStateCache;
};

export type CommandResult<S> = { appended: StoredEvent[]; version: number; state: S };

/** Decisions re-made on fresh state when another writer got in first; then the conflict reaches the client. */
const ATTEMPTS = 5;

/**
 * Reads the stream, folds it, decides, appends at the version it read. A client that sent no If-Match asked for
 * no particular version: when another writer appended in between, the command is decided again on the new state
 * (which may now refuse it) instead of failing. With If-Match a conflict is the client's to resolve.
 */
export async function handleCommand<C, E extends DomainEvent, S>(
  store: EventStore,
  decider: Decider<C, E, S>,
  stream: { id: string; type: StreamType },
  command: C,
  options: CommandOptions,
): Promise<CommandResult<S>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await decideAndAppend(store, decider, stream, command, options);
    } catch (error) {
      const retry = error instanceof ConcurrencyError && options.expectedVersion === undefined && attempt < ATTEMPTS;
      if (!retry) throw error;
      // A few random milliseconds, growing: writers that clashed do not all come back at the same instant.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 * attempt));
    }
  }
}

async function decideAndAppend<C, E extends DomainEvent, S>(
  store: EventStore,
  decider: Decider<C, E, S>,
  stream: { id: string; type: StreamType },
  command: C,
  options: CommandOptions,
): Promise<CommandResult<S>> {
  const key = `${stream.type}:${stream.id}`;
  const cached = options.stateCache?.take(key);
  const history = (await readStream(store.em, stream.id, cached?.version ?? 0)) as StoredEvent<E>[];
  const version = history.at(-1)?.stream_version ?? cached?.version ?? 0;
  // A client-made id may already name a stream of another type: decide as if nothing existed, never append to it.
  const foreign = history.find((e) => e.stream_type !== stream.type);
  const state = foreign
    ? decider.initialState()
    : history.reduce<S>((s, e) => decider.evolve(s, e), (cached?.state as S | undefined) ?? decider.initialState());
  // Whatever happens next, `state` is the stream as of `version`: worth keeping for the next command.
  let kept: { version: number; state: S } | undefined = foreign ? undefined : { version, state };
  try {
    if (options.expectedVersion !== undefined && options.expectedVersion !== version) {
      throw new ConcurrencyError(stream.id, options.expectedVersion, version);
    }
    const events = decider.decide(command, state);
    if (events.length === 0) return { appended: [], version, state };
    if (foreign) throw conflict(`Id ${stream.id} already belongs to a ${foreign.stream_type}`);
    const appended = await appendToStream(store, {
      streamId: stream.id,
      streamType: stream.type,
      expected: version === 0 ? 'no_stream' : version,
      events,
      metadata: options.metadata,
    });
    kept = undefined;
    const next = events.reduce(decider.evolve, state);
    kept = { version: version + events.length, state: next };
    return { appended, version: version + events.length, state: next };
  } finally {
    if (kept) options.stateCache?.put(key, kept);
  }
}
