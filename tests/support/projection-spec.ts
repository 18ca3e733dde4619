import { wrap, type EntityName } from '@mikro-orm/core';
import { ProjectionCheckpoint } from '../../projections/checkpoint.entity.js';
import { projectInlineWith } from '../../projections/project-inline.js';
import type { Projector } from '../../projections/projector.js';
import type { Database } from '../../src/db/connect-database.js';
import { inTransaction } from '../../src/db/in-transaction.js';
import type { DomainEvent, StreamType } from '../../src/domain/domain-event.js';
import { projectEventTypes } from '../../src/domain/project/project.events.js';
import type { StoredEvent } from '../../src/event-store/stored-event.js';

export type Row = Record<string, unknown>;

/** What a specification reads back after its events were projected. */
export type Then = {
  /** The read-model row with this primary key as a plain object, every column; null when there is none. */
  row: <T extends object>(entity: EntityName<T>, id: string) => Promise<Row | null>;
  /** The stored position of a projector's checkpoint. */
  checkpoint: (name: string) => Promise<number>;
};

export type ProjectionSpec = {
  /**
   * A domain event as the log would hold it: the next log position, the next version of its
   * stream (the project or conversation id in its data) and `at` as its creation time.
   */
  event: (at: string, event: DomainEvent) => StoredEvent;
  /** Given these stored events, projected by `projectors` in one transaction as an append does; then read. */
  given: (projectors: Projector | readonly Projector[], ...events: StoredEvent[]) => Promise<Then>;
  then: Then;
};

const projectTypes: readonly string[] = projectEventTypes;

/**
 * Given-events / then-read-model specifications of projectors against a real database.
 * Positions keep growing across the specifications of one file, like a log does.
 */
export function projectionSpec(database: Database): ProjectionSpec {
  let position = 0;
  const versions = new Map<string, number>();

  function event(at: string, domainEvent: DomainEvent): StoredEvent {
    const data = domainEvent.data as { project_id?: string; conversation_id?: string };
    const streamType: StreamType = projectTypes.includes(domainEvent.type) ? 'project' : 'conversation';
    const streamId = streamType === 'project' ? data.project_id : data.conversation_id;
    if (!streamId) throw new Error(`No stream id in ${domainEvent.type}`);
    const version = (versions.get(streamId) ?? 0) + 1;
    versions.set(streamId, version);
    position += 1;
    return {
      ...domainEvent,
      position,
      stream_id: streamId,
      stream_type: streamType,
      stream_version: version,
      metadata: { request_id: 'spec' },
      schema_version: 1,
      created_at: at,
    } as StoredEvent;
  }

  const then: Then = {
    async row(entity, id) {
      const found = await database.em().findOne(entity, { id } as never);
      return found ? (wrap(found).toPOJO() as Row) : null;
    },
    async checkpoint(name) {
      const found = await database.em().findOneOrFail(ProjectionCheckpoint, name);
      return Number(found.position);
    },
  };

  async function given(projectors: Projector | readonly Projector[], ...events: StoredEvent[]): Promise<Then> {
    const list = Array.isArray(projectors) ? (projectors as readonly Projector[]) : [projectors as Projector];
    await inTransaction(database.em(), (tx) => projectInlineWith(list)(tx, events));
    return then;
  }

  return { event, given, then };
}
