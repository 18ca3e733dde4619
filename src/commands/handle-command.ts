import type { EntityManager } from '@mikro-orm/knex';
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

export type StreamRef = { id: string; type: StreamType };

/**
 * A command, or how to make it from what the database holds now and the stream's folded state: the context its
 * decider needs (where a project stands, what an id already names) is loaded with the stream, again on each attempt.
 */
export type CommandInput<C, S = unknown> = C | ((em: EntityManager, state: S) => Promise<C>);

export type CommandResult<S> = { appended: StoredEvent[]; version: number; state: S };

/**
 * What a decider made of a command on a stream as of `version`; nothing is written yet. `foreign`: the id is a
 * stream of another type (then the decision appends nothing, and its state is no state of this stream to keep).
 */
export type Decision<E, S> = { stream: StreamRef; events: E[]; version: number; state: S; foreign?: StreamType };

/** Decisions re-made on fresh state when another writer got in first; then the conflict reaches the client. */
const ATTEMPTS = 5;

const cacheKey = (stream: StreamRef) => `${stream.type}:${stream.id}`;

/**
 * The stream folded as of its last version: from the cached state when there is one, reading only what came after.
 * A client-made id may name a stream of another type: then `foreign` is its type and the state the initial one.
 */
export async function foldStream<E extends DomainEvent, S>(
  em: EntityManager,
  decider: Pick<Decider<unknown, E, S>, 'evolve' | 'initialState'>,
  stream: StreamRef,
  stateCache?: StreamStateCache,
): Promise<{ version: number; state: S; foreign?: StreamType }> {
  const cached = stateCache?.take(cacheKey(stream));
  const history = (await readStream(em, stream.id, cached?.version ?? 0)) as StoredEvent<E>[];
  const version = history.at(-1)?.stream_version ?? cached?.version ?? 0;
  const foreign = history.find((e) => e.stream_type !== stream.type)?.stream_type;
  if (foreign) return { version, state: decider.initialState(), foreign };
  const state = history.reduce<S>(
    (s, e) => decider.evolve(s, e),
    (cached?.state as S | undefined) ?? decider.initialState(),
  );
  return { version, state };
}

/**
 * Read, fold, decide: the one way every command is decided (appended by handleCommand, appended with others by an
 * import, erased by a purge). Refuses a version other than `expectedVersion`, and any event for a stream of another
 * type. The folded state is handed back to the cache unless the decision is returned: its writer does that.
 */
export async function decideOnStream<C, E extends DomainEvent, S>(
  store: EventStore,
  decider: Decider<C, E, S>,
  stream: StreamRef,
  input: CommandInput<C, S>,
  options: Pick<CommandOptions, 'expectedVersion' | 'stateCache'>,
): Promise<Decision<E, S>> {
  const { version, state, foreign } = await foldStream(store.em, decider, stream, options.stateCache);
  try {
    if (options.expectedVersion !== undefined && options.expectedVersion !== version) {
      throw new ConcurrencyError(stream.id, options.expectedVersion, version);
    }
    const command =
      typeof input === 'function'
        ? await (input as (em: EntityManager, state: S) => Promise<C>)(store.em, state)
        : input;
    const events = decider.decide(command, state);
    if (events.length > 0 && foreign) throw conflict(`Id ${stream.id} already belongs to a ${foreign}`);
    return { stream, events, version, state, ...(foreign ? { foreign } : {}) };
  } catch (error) {
    // `state` is still the stream as of `version`: worth keeping for the next command.
    if (!foreign) remember(options, stream, version, state);
    throw error;
  }
}

/** Keeps a stream's folded state for the next command on it. */
export function remember(
  options: Pick<CommandOptions, 'stateCache'>,
  stream: StreamRef,
  version: number,
  state: unknown,
): void {
  options.stateCache?.put(cacheKey(stream), { version, state });
}

/** Drops a stream's folded state: an erased stream keeps nothing in memory. */
export function forget(options: Pick<CommandOptions, 'stateCache'>, stream: StreamRef): void {
  options.stateCache?.take(cacheKey(stream));
}

/**
 * Reads the stream, folds it, decides, appends at the version it read. A client that sent no If-Match asked for
 * no particular version: when another writer appended in between, the command is decided again on the new state
 * (which may now refuse it) instead of failing. With If-Match a conflict is the client's to resolve.
 */
export async function handleCommand<C, E extends DomainEvent, S>(
  store: EventStore,
  decider: Decider<C, E, S>,
  stream: StreamRef,
  command: CommandInput<C, S>,
  options: CommandOptions,
): Promise<CommandResult<S>> {
  return decidedAgainOnConflict(options, () => decideAndAppend(store, decider, stream, command, options));
}

/**
 * Runs `attempt` (which reads, decides and writes) again when another writer got in between, unless the client
 * named the version it expects.
 */
export async function decidedAgainOnConflict<T>(
  options: Pick<CommandOptions, 'expectedVersion'>,
  attempt: () => Promise<T>,
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      const retry = error instanceof ConcurrencyError && options.expectedVersion === undefined && n < ATTEMPTS;
      if (!retry) throw error;
      // A few random milliseconds, growing: writers that clashed do not all come back at the same instant.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 * n));
    }
  }
}

async function decideAndAppend<C, E extends DomainEvent, S>(
  store: EventStore,
  decider: Decider<C, E, S>,
  stream: StreamRef,
  command: CommandInput<C, S>,
  options: CommandOptions,
): Promise<CommandResult<S>> {
  const { events, version, state, foreign } = await decideOnStream(store, decider, stream, command, options);
  if (events.length === 0) {
    if (!foreign) remember(options, stream, version, state);
    return { appended: [], version, state };
  }
  let appended: StoredEvent[];
  try {
    appended = await appendToStream(store, {
      streamId: stream.id,
      streamType: stream.type,
      expected: version === 0 ? 'no_stream' : version,
      events,
      metadata: options.metadata,
    });
  } catch (error) {
    remember(options, stream, version, state);
    throw error;
  }
  // evolve may update the state in place: it is kept only once the fold is done.
  const next = events.reduce(decider.evolve, state);
  remember(options, stream, version + events.length, next);
  return { appended, version: version + events.length, state: next };
}
