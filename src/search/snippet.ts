import { WORD, wordsOf, type SearchQuery } from './search-query.js';

/** Words shown around the matches, at most. */
const WINDOW_WORDS = 32;
/** Words shown before the first match of a cut snippet. */
const LEAD_WORDS = 6;
/** Characters shown, at most, whatever the words: a long run without spaces (a URL, base64) is cut too. */
const MAX_CHARS = 300;

type Word = { start: number; end: number; match: boolean };

/**
 * A fragment of `text` around the words `query` looks for, safe to put in HTML as it is: the text is HTML-escaped
 * and each matching word is wrapped in `<mark>`...`</mark>`, the only markup in it. `…` marks where text was cut.
 * Built here rather than by the database, so both databases answer alike and no database markup has to be trusted.
 */
export function snippet(text: string, query: SearchQuery): string {
  const marked = matcher(query);
  const words: Word[] = Array.from(text.matchAll(WORD), (found) => ({
    start: found.index,
    end: found.index + found[0].length,
    match: marked(found[0].toLowerCase()),
  }));
  const [from, to] = windowOf(words);
  let start = from === 0 ? 0 : words[from]!.start;
  let end = to === words.length - 1 ? text.length : words[to]!.end;
  if (end - start > MAX_CHARS) {
    const first = words.slice(from, to + 1).find((word) => word.match)?.start ?? start;
    start = whole(text, Math.max(start, Math.min(first - MAX_CHARS / 4, end - MAX_CHARS)));
    end = whole(text, start + MAX_CHARS);
  }
  let html = start > 0 ? '…' : '';
  let at = start;
  for (const word of words.slice(from, to + 1)) {
    if (!word.match || word.start < start || word.end > end) continue;
    html += `${escapeHtml(collapse(text.slice(at, word.start)))}<mark>${escapeHtml(text.slice(word.start, word.end))}</mark>`;
    at = word.end;
  }
  html += escapeHtml(collapse(text.slice(at, end)));
  return (end < text.length ? `${html}…` : html).trim();
}

/** Whether a lowercased word is one the query looks for (words of excluded terms are not shown). */
function matcher(query: SearchQuery): (word: string) => boolean {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const term of query.all.flat()) {
    if (term.prefix) prefixes.push(term.text.toLowerCase());
    else for (const word of wordsOf(term.text)) exact.add(word);
  }
  return (word) => exact.has(word) || prefixes.some((prefix) => word.startsWith(prefix));
}

/** The first and last word shown: the stretch of WINDOW_WORDS with the most matches, the earliest of equals. */
function windowOf(words: Word[]): [number, number] {
  if (words.length <= WINDOW_WORDS) return [0, words.length - 1];
  let best = 0;
  let bestCount = -1;
  for (let i = 0; i < words.length; i += 1) {
    if (!words[i]!.match) continue;
    const from = Math.max(0, Math.min(i - LEAD_WORDS, words.length - WINDOW_WORDS));
    let count = 0;
    for (let j = from; j < from + WINDOW_WORDS; j += 1) if (words[j]!.match) count += 1;
    if (count > bestCount) [best, bestCount] = [from, count];
  }
  return [best, best + WINDOW_WORDS - 1];
}

/** `at`, or one less when it would split a surrogate pair (an emoji, say) in two. */
const whole = (text: string, at: number) => (/[\udc00-\udfff]/.test(text[at] ?? '') ? at - 1 : at);

const collapse = (text: string) => text.replace(/\s+/gu, ' ');

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => ESCAPES[char]!);
