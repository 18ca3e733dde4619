import type { Decider } from '../shared/decider.js';
import type { DocumentCommand } from './document.commands.js';
import { decideDocument } from './document.decide.js';
import type { DocumentEvent } from './document.events.js';
import { evolveDocument, initialDocumentState, type DocumentState } from './document.state.js';

export const documentDecider: Decider<DocumentCommand, DocumentEvent, DocumentState> = {
  decide: decideDocument,
  evolve: evolveDocument,
  initialState: initialDocumentState,
};
