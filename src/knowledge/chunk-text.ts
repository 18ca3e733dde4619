import type { TextPage, TextSection } from '../domain/document/document.events.js';
import { fitOverlaps, overlapStart, type Piece } from './chunk-overlap.js';

export type Chunk = { start: number; end: number; tokens: number; pages: number[]; heading: string[] };

export type ChunkOptions = {
  /** About how many tokens a chunk holds. */
  chunkTokens: number;
  /** About how many tokens of the chunk before it a chunk repeats (within a section). */
  overlapTokens: number;
  /** What no chunk may exceed: the embedding server's batch. */
  maxTokens: number;
  /** Token counts of texts, by the embedding server's tokenizer (or an estimate). */
  countTokens: (texts: string[]) => Promise<number[]>;
};

type Span = { start: number; end: number };

/** About four characters a token: llama.cpp's tokenizers give that for English prose. */
export const estimateTokenCounts = (texts: string[]): number[] =>
  texts.map((t) => Math.max(1, Math.ceil(t.length / 4)));

/** Texts counted to learn how many characters a token is in this document. */
const SAMPLE = 16;

/**
 * Cuts a text into chunks: never across a section (heading), at paragraph ends where it can, else at sentence ends,
 * else at spaces. Sizes are aimed by characters per token as counted on a sample of the text; every chunk is then
 * counted, and one over `maxTokens` is split again, so the counts recorded are the tokenizer's.
 */
export async function chunkText(
  extraction: { text: string; pages: TextPage[] | null; sections: TextSection[] },
  options: ChunkOptions,
): Promise<Chunk[]> {
  const { text } = extraction;
  const target = Math.max(1, Math.min(options.chunkTokens, options.maxTokens));
  const overlap = Math.max(0, Math.min(options.overlapTokens, Math.floor(target / 2)));
  const charsPerToken = await measure(text, extraction.sections, options.countTokens);
  const targetChars = Math.max(1, Math.floor(target * charsPerToken));
  const overlapChars = Math.floor(overlap * charsPerToken);

  const cut: Piece[] = [];
  for (const section of extraction.sections) {
    const units = unitsOf(text, section, Math.max(1, targetChars - overlapChars));
    let current: Span | null = null;
    let previous: Span | null = null;
    const close = () => {
      if (!current) return;
      const start = previous === null ? current.start : overlapStart(text, current.start, previous, overlapChars);
      cut.push({ span: { start, end: current.end }, own: current.start, previous, heading: section.heading });
      previous = current;
      current = null;
    };
    for (const unit of units) {
      const room = previous === null ? targetChars : targetChars - overlapChars;
      if (current && unit.end - current.start > Math.max(1, room)) close();
      current = current ? { start: current.start, end: unit.end } : { ...unit };
    }
    close();
  }
  await fitOverlaps(text, cut, overlap, options.countTokens);

  const chunks: Chunk[] = [];
  let pending = cut;
  while (pending.length > 0) {
    const counts = await options.countTokens(pending.map((c) => text.slice(c.span.start, c.span.end)));
    const again: typeof pending = [];
    pending.forEach((piece, i) => {
      const tokens = counts[i]!;
      if (tokens <= options.maxTokens || isOneCharacter(text, piece.span)) {
        chunks.push({ ...piece.span, tokens, pages: pagesOf(extraction.pages, piece.span), heading: piece.heading });
      } else if (piece.span.start < piece.own) {
        // Too long with what it repeats: its own text alone, so no piece of it lies inside the chunk before.
        again.push({ ...piece, span: { start: piece.own, end: piece.span.end } });
      } else {
        for (const half of halves(text, piece.span)) {
          again.push({ span: half, own: half.start, previous: null, heading: piece.heading });
        }
      }
    });
    pending = again;
  }
  return chunks.sort((a, b) => a.start - b.start || a.end - b.end);
}

/** Characters per token of this text, from a few of its paragraphs counted. */
async function measure(
  text: string,
  sections: TextSection[],
  countTokens: (texts: string[]) => Promise<number[]>,
): Promise<number> {
  const sample: string[] = [];
  for (const section of sections) {
    for (const paragraph of paragraphsOf(text, section)) {
      if (sample.length >= SAMPLE) break;
      sample.push(text.slice(paragraph.start, Math.min(paragraph.end, paragraph.start + 4000)));
    }
  }
  if (sample.length === 0) return 4;
  const counts = await countTokens(sample);
  const chars = sample.reduce((sum, s) => sum + s.length, 0);
  const tokens = counts.reduce((sum, n) => sum + n, 0);
  return tokens > 0 ? Math.max(1, chars / tokens) : 4;
}

/** Paragraphs of a section: its text between blank lines, without the whitespace around. */
function paragraphsOf(text: string, section: Span): Span[] {
  const spans: Span[] = [];
  const blank = /\n[ \t]*\n\s*/g;
  blank.lastIndex = section.start;
  let start = section.start;
  for (let match = blank.exec(text); match && match.index < section.end; match = blank.exec(text)) {
    pushTrimmed(text, spans, start, match.index);
    start = match.index + match[0].length;
  }
  pushTrimmed(text, spans, start, section.end);
  return spans;
}

/** Pieces no longer than `limit` characters: paragraphs, or a long paragraph's sentences, or its words. */
function unitsOf(text: string, section: Span, limit: number): Span[] {
  const units: Span[] = [];
  for (const paragraph of paragraphsOf(text, section)) {
    if (paragraph.end - paragraph.start <= limit) units.push(paragraph);
    else units.push(...splitLong(text, paragraph, limit));
  }
  return units;
}

function splitLong(text: string, span: Span, limit: number): Span[] {
  const sentences: Span[] = [];
  const end = /[.!?。！？]+["'”’)\]]*\s+/g;
  end.lastIndex = span.start;
  let start = span.start;
  for (let match = end.exec(text); match && match.index < span.end; match = end.exec(text)) {
    pushTrimmed(text, sentences, start, match.index + match[0].length);
    start = match.index + match[0].length;
  }
  pushTrimmed(text, sentences, start, span.end);
  return sentences.flatMap((sentence) =>
    sentence.end - sentence.start <= limit ? [sentence] : byWords(text, sentence, limit),
  );
}

/** Cuts at the last space before each `limit` characters, or hard where there is none. */
function byWords(text: string, span: Span, limit: number): Span[] {
  const spans: Span[] = [];
  let start = span.start;
  while (span.end - start > limit) {
    const space = text.lastIndexOf(' ', start + limit);
    const cut = space > start ? space : characterEdge(text, start, start + limit);
    pushTrimmed(text, spans, start, cut);
    start = cut;
  }
  pushTrimmed(text, spans, start, span.end);
  return spans;
}

function halves(text: string, span: Span): Span[] {
  const middle = characterEdge(text, span.start, Math.floor((span.start + span.end) / 2));
  const space = text.lastIndexOf(' ', middle);
  const cut = space > span.start ? space : middle;
  const parts: Span[] = [];
  pushTrimmed(text, parts, span.start, cut);
  pushTrimmed(text, parts, cut, span.end);
  return parts.length === 2
    ? parts
    : [
        { start: span.start, end: middle },
        { start: middle, end: span.end },
      ];
}

/** `at`, or the start of the character (a surrogate pair) it falls inside; past it when that is `after` itself. */
function characterEdge(text: string, after: number, at: number): number {
  if (!isLowSurrogate(text, at) || !isHighSurrogate(text, at - 1)) return at;
  return at - 1 > after ? at - 1 : at + 1;
}

function isOneCharacter(text: string, span: Span): boolean {
  const length = span.end - span.start;
  return length <= 1 || (length === 2 && isHighSurrogate(text, span.start) && isLowSurrogate(text, span.start + 1));
}

const isHighSurrogate = (text: string, i: number) => /[\uD800-\uDBFF]/.test(text[i] ?? '');
const isLowSurrogate = (text: string, i: number) => /[\uDC00-\uDFFF]/.test(text[i] ?? '');

function pushTrimmed(text: string, spans: Span[], start: number, end: number): void {
  while (start < end && /\s/.test(text[start]!)) start += 1;
  while (end > start && /\s/.test(text[end - 1]!)) end -= 1;
  if (end > start) spans.push({ start, end });
}

/** The pages whose text the span holds: a blank page (its span empty) holds none. */
function pagesOf(pages: TextPage[] | null, span: Span): number[] {
  if (!pages) return [];
  return pages.filter((p) => p.start < p.end && p.start < span.end && p.end > span.start).map((p) => p.page);
}
