type Span = { start: number; end: number };

/** A piece of a chunked text: its span, where its own text starts (after what it repeats), the chunk before it. */
export type Piece = { span: Span; own: number; previous: Span | null; heading: string[] };

/**
 * Where a chunk starts to repeat the end of the one before: a word start about `chars` before that end, inside that
 * chunk's own text (so never in another section, and never the whole of it).
 */
export function overlapStart(text: string, ownStart: number, previous: Span, chars: number): number {
  if (chars <= 0) return ownStart;
  return wordStartFrom(text, Math.max(previous.start + 1, previous.end - chars), ownStart);
}

/** The first word start at or after `from + 1` and before `until`; `until` when there is none. */
function wordStartFrom(text: string, from: number, until: number): number {
  const space = text.slice(from, until).search(/\s\S/);
  return space === -1 ? until : from + space + 1;
}

/**
 * Holds what each piece repeats of the chunk before to `overlapTokens` as the tokenizer counts it (the start was
 * aimed by characters): a repeat over it is aimed again, shorter by the ratio it was over, until it fits or is none.
 */
export async function fitOverlaps(
  text: string,
  pieces: Piece[],
  overlapTokens: number,
  countTokens: (texts: string[]) => Promise<number[]>,
): Promise<void> {
  let pending = pieces.filter((p) => p.previous !== null && p.span.start < p.own);
  while (pending.length > 0) {
    const counts = await countTokens(pending.map((p) => text.slice(p.span.start, p.previous!.end)));
    pending = pending.filter((piece, i) => {
      const tokens = counts[i]!;
      if (tokens <= overlapTokens) return false;
      const previous = piece.previous!;
      const chars = Math.floor(((previous.end - piece.span.start) * overlapTokens) / tokens);
      const aimed = overlapStart(text, piece.own, previous, chars);
      piece.span.start = aimed > piece.span.start ? aimed : wordStartFrom(text, piece.span.start, piece.own);
      return piece.span.start < piece.own;
    });
  }
}
