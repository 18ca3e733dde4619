import { Parser } from 'htmlparser2';
import type { TextSection } from '../../domain/document/document.events.js';

const SKIPPED = new Set(['script', 'style', 'noscript', 'template', 'svg', 'head']);
const BLOCKS = new Set([
  'p',
  'div',
  'section',
  'article',
  'main',
  'header',
  'footer',
  'nav',
  'aside',
  'blockquote',
  'ul',
  'ol',
  'dl',
  'table',
  'form',
  'figure',
  'figcaption',
  'hr',
  'address',
  'details',
  'summary',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'pre',
]);
const LINES = new Set(['li', 'dt', 'dd', 'tr', 'br', 'caption']);
const HEADING = /^h([1-6])$/;

/**
 * The text of an HTML page as a reader sees it: scripts and styles left out, entities decoded, blocks as paragraphs
 * and list items as lines, whitespace collapsed outside <pre>; headings h1-h6 make the sections. A page without an
 * h1 is headed by its <title>.
 */
export function htmlText(html: string): { text: string; sections: TextSection[] } {
  let text = '';
  let skipping = 0;
  let pre = 0;
  let inTitle = false;
  let title = '';
  let sawH1 = false;
  let heading: { depth: number; start: number; words: string } | null = null;
  const path: string[] = [];
  const marks: { start: number; heading: string[] }[] = [{ start: 0, heading: [] }];

  const breakWith = (separator: string) => {
    text = text.replace(/[ \t]+$/, '');
    if (text === '') return;
    const trailing = /\n*$/.exec(text)![0].length;
    if (trailing < separator.length) text += separator.slice(trailing);
  };
  const parser = new Parser(
    {
      onopentag(name) {
        if (SKIPPED.has(name)) skipping += 1;
        if (name === 'title') inTitle = true;
        if (skipping > 0) return;
        if (name === 'pre') pre += 1;
        if (BLOCKS.has(name)) breakWith('\n\n');
        else if (LINES.has(name)) breakWith('\n');
        const match = HEADING.exec(name);
        if (match) heading = { depth: Number(match[1]), start: text.length, words: '' };
        if (name === 'h1') sawH1 = true;
      },
      ontext(data) {
        if (inTitle) title += data;
        if (skipping > 0) return;
        let piece = pre > 0 ? data : data.replace(/\s+/g, ' ');
        if (pre === 0 && (text === '' || /\s$/.test(text))) piece = piece.replace(/^ /, '');
        text += piece;
        if (heading) heading.words += piece;
      },
      onclosetag(name) {
        if (name === 'title') inTitle = false;
        if (SKIPPED.has(name)) {
          skipping = Math.max(0, skipping - 1);
          return;
        }
        if (skipping > 0) return;
        if (name === 'pre') pre = Math.max(0, pre - 1);
        const match = HEADING.exec(name);
        if (match && heading) {
          const depth = heading.depth;
          path.length = Math.min(path.length, depth - 1);
          while (path.length < depth - 1) path.push('');
          path.push(heading.words.replace(/\s+/g, ' ').trim());
          marks.push({ start: heading.start, heading: path.filter((part) => part !== '') });
          heading = null;
        }
        if (BLOCKS.has(name)) breakWith('\n\n');
        else if (LINES.has(name) && name !== 'br') breakWith('\n');
      },
    },
    { decodeEntities: true, lowerCaseTags: true },
  );
  parser.write(html);
  parser.end();
  text = text.replace(/[ \t]+\n/g, '\n').trimEnd();
  const pageTitle = title.replace(/\s+/g, ' ').trim();
  if (!sawH1 && pageTitle !== '' && text !== '') {
    const prefix = `${pageTitle}\n\n`;
    text = prefix + text;
    for (const mark of marks) {
      mark.start = mark.start === 0 && mark.heading.length === 0 ? 0 : mark.start + prefix.length;
      mark.heading = [pageTitle, ...mark.heading];
    }
  }
  const sections: TextSection[] = [];
  marks.forEach((mark, i) => {
    const end = i + 1 < marks.length ? marks[i + 1]!.start : text.length;
    if (end > mark.start) sections.push({ heading: mark.heading, start: mark.start, end: Math.min(end, text.length) });
  });
  return { text, sections };
}
