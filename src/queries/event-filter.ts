import type { EntityManager } from '@mikro-orm/knex';
import type { StoredEvent } from '../event-store/stored-event.js';
import { conversationProjectAt } from './conversation-project-at.js';

export type EventFilter = {
  /** The project's own events and those of the conversations in it when they happened. */
  projectId?: string;
  conversationId?: string;
  types?: ReadonlySet<string>;
};

/** Whether an event passes; ask about every event, in log order (a project filter learns from each one). */
export type EventMatcher = (event: StoredEvent) => Promise<boolean>;

export function eventMatcher(em: EntityManager, filter: EventFilter): EventMatcher {
  const { projectId, conversationId, types } = filter;
  const membership = projectId === undefined ? undefined : projectMembership(em, projectId);
  return async (event) => {
    // Before any other test: the membership follows every move, also one of a type this reader does not want.
    const member = membership?.observe(event) ?? true;
    if (types && !types.has(event.type)) return false;
    if (conversationId !== undefined && event.stream_id !== conversationId) return false;
    return member === 'unknown' ? membership!.lookUp(event) : member;
  };
}

/**
 * Whether an event belongs to the project at its position in the log: the project's own events, and a
 * conversation's while it is in the project. A move in or out belongs to both projects. Which project a
 * conversation is in is looked up in its log the first time it is needed, as of that event, then followed from
 * the moves that pass. A document's events name their project. A tombstone of a conversation whose project cannot be told any more (its events are erased
 * and no event of it passed before) is let through: it carries nothing but the id.
 */
function projectMembership(em: EntityManager, projectId: string) {
  const projectOf = new Map<string, string | null>();
  return {
    observe(event: StoredEvent): boolean | 'unknown' {
      if (event.stream_type === 'project') return event.stream_id === projectId;
      // Every document event names its project, but the tombstone, which carries nothing but the id.
      if (event.stream_type === 'document')
        return 'project_id' in event.data ? event.data.project_id === projectId : true;
      const id = event.stream_id;
      switch (event.type) {
        case 'ConversationCreated':
        case 'ConversationImported':
          projectOf.set(id, event.data.project_id);
          return event.data.project_id === projectId;
        case 'ConversationMoved':
          projectOf.set(id, event.data.to_project_id);
          return event.data.from_project_id === projectId || event.data.to_project_id === projectId;
        case 'ConversationPurged': {
          const known = projectOf.get(id);
          projectOf.delete(id);
          return known === undefined || known === projectId;
        }
        default: {
          const known = projectOf.get(id);
          return known === undefined ? 'unknown' : known === projectId;
        }
      }
    },
    async lookUp(event: StoredEvent): Promise<boolean> {
      const found = await conversationProjectAt(em, event.stream_id, event.position);
      if (found !== undefined) projectOf.set(event.stream_id, found);
      return found === projectId;
    },
  };
}
