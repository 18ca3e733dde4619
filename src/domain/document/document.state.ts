import { assertNever } from '../shared/assert-never.js';
import type { DocumentEvent } from './document.events.js';

export type DocumentState =
  | { status: 'missing' }
  | { status: 'purged' }
  | {
      status: 'active' | 'deleted';
      project_id: string;
      readable: boolean;
      /** The chunks of the last cut; null while the text waits to be cut (again, after a reindex request). */
      chunk_ids: ReadonlySet<string> | null;
      /** Chunks of the last cut with a vector, by embedding model. */
      embedded: ReadonlyMap<string, ReadonlySet<string>>;
    };

export const initialDocumentState = (): DocumentState => ({ status: 'missing' });

export function evolveDocument(state: DocumentState, event: DocumentEvent): DocumentState {
  switch (event.type) {
    case 'DocumentAdded':
      return {
        status: 'active',
        project_id: event.data.project_id,
        readable: false,
        chunk_ids: null,
        embedded: new Map(),
      };
    case 'DocumentTextExtracted':
      return known(state, (s) => ({ ...s, readable: true }));
    case 'DocumentUnreadable':
      return known(state, (s) => ({ ...s, readable: false }));
    case 'DocumentChunked':
      return known(state, (s) => ({
        ...s,
        chunk_ids: new Set(event.data.chunks.map((c) => c.chunk_id)),
        embedded: new Map(),
      }));
    case 'DocumentChunksEmbedded':
      return known(state, (s) => {
        const embedded = new Map(s.embedded);
        embedded.set(event.data.model, new Set([...(s.embedded.get(event.data.model) ?? []), ...event.data.chunk_ids]));
        return { ...s, embedded };
      });
    case 'DocumentReindexRequested':
      return known(state, (s) => ({ ...s, chunk_ids: null, embedded: new Map() }));
    case 'DocumentDeleted':
      return known(state, (s) => ({ ...s, status: 'deleted' }));
    case 'DocumentRestored':
      return known(state, (s) => ({ ...s, status: 'active' }));
    case 'DocumentPurged':
      return { status: 'purged' };
    default:
      return assertNever(event);
  }
}

type Known = Extract<DocumentState, { project_id: string }>;

const known = (state: DocumentState, change: (state: Known) => Known): DocumentState =>
  state.status === 'missing' || state.status === 'purged' ? state : change(state);
