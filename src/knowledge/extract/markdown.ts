import { Lexer } from 'marked';
import type { TextSection } from '../../domain/document/document.events.js';

/**
 * Sections of a Markdown text by its ATX and setext headings, found by marked's lexer (so a `#` inside a code fence
 * is no heading). The text stays the Markdown as written: offsets point into what was uploaded.
 */
export function markdownSections(text: string): TextSection[] {
  const tokens = new Lexer({ gfm: true }).lex(text);
  const sections: TextSection[] = [];
  const path: string[] = [];
  let start = 0;
  let offset = 0;
  let heading: string[] = [];
  for (const token of tokens) {
    if (token.type === 'heading') {
      const at = text.indexOf(token.raw, offset);
      if (at !== -1) offset = at;
      if (offset > start) sections.push({ heading, start, end: offset });
      const depth = (token as { depth: number }).depth;
      path.length = Math.min(path.length, depth - 1);
      while (path.length < depth - 1) path.push('');
      path.push((token as { text: string }).text.trim());
      heading = path.filter((part) => part !== '');
      start = offset;
    }
    // The lexer hands back each token's source; found where it stands, in case it normalised anything before it.
    const at = text.indexOf(token.raw, offset);
    offset = (at === -1 ? offset : at) + token.raw.length;
  }
  if (text.length > start) sections.push({ heading, start, end: text.length });
  return sections;
}
