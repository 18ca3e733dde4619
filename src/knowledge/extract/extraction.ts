import type { TextPage, TextSection } from '../../domain/document/document.events.js';

/** What a file's text is, with its pages (PDF) and heading paths; or why it has none. */
export type Extraction =
  | { kind: 'text'; text: string; pages: TextPage[] | null; sections: TextSection[] }
  | { kind: 'unreadable'; reason: string };

export const unreadable = (reason: string): Extraction => ({ kind: 'unreadable', reason });

export const NO_TEXT = 'the file holds no text';
