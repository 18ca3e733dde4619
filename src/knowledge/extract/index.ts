import type { TextSection } from '../../domain/document/document.events.js';
import { assertNever } from '../../domain/shared/assert-never.js';
import type { AcceptedType } from './accepted-type.js';
import { decodeText, NOT_TEXT } from './decode-text.js';
import { NO_TEXT, unreadable, type Extraction } from './extraction.js';
import { htmlText } from './html.js';
import { markdownSections } from './markdown.js';
import { pdfText } from './pdf.js';

export { ACCEPTED_TYPES, acceptedType, typeOfBytes, type AcceptedType } from './accepted-type.js';
export type { Extraction } from './extraction.js';

/** The text of a file of an accepted type; a file that cannot be read gives the reason, never an error. */
export async function extractText(bytes: Uint8Array, type: AcceptedType): Promise<Extraction> {
  if (type === 'application/pdf') return pdfText(bytes);
  const decoded = decodeText(bytes);
  if (decoded === null) return unreadable(NOT_TEXT);
  const text = decoded.replace(/^\uFEFF/, '');
  switch (type) {
    case 'text/plain':
      return withText(text, () => [{ heading: [], start: 0, end: text.length }]);
    case 'text/markdown':
      return withText(text, () => markdownSections(text));
    case 'text/html': {
      const page = htmlText(text);
      return withText(page.text, () => page.sections);
    }
    default:
      return assertNever(type);
  }
}

function withText(text: string, sections: () => TextSection[]): Extraction {
  if (text.trim() === '') return unreadable(NO_TEXT);
  return { kind: 'text', text, pages: null, sections: sections() };
}
