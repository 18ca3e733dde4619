import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import type { TextPage, TextSection } from '../../src/domain/document/document.events.js';
import { chunkText, type Chunk } from '../../src/knowledge/chunk-text.js';
import { pieces } from '../../tools/llama-double/tokenizer.js';

/** The llama double's tokenizer, the one its /tokenize counts with. */
const countTokens = async (texts: string[]) => texts.map((t) => pieces(t).length);
const tokensOf = (text: string) => pieces(text).length;

type Extraction = { text: string; pages: TextPage[] | null; sections: TextSection[] };
type Settings = { chunkTokens: number; overlapTokens: number; maxTokens: number };

const defaults = loadConfig({});
/** llama.cpp's default batch (-ub 512), and a batch no larger than a chunk. */
const settings: Settings[] = [
  { chunkTokens: 40, overlapTokens: 8, maxTokens: 512 },
  { chunkTokens: 40, overlapTokens: 8, maxTokens: 40 },
  { chunkTokens: defaults.chunkTokens, overlapTokens: defaults.chunkOverlap, maxTokens: 512 },
  { chunkTokens: defaults.chunkTokens, overlapTokens: defaults.chunkOverlap, maxTokens: defaults.chunkTokens },
];

const word = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[a-zA-Z]{1,12}[.,!?]?$/) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '🦙',
      'naïve',
      'x'.repeat(90),
      '🦙'.repeat(300),
      '日本語の文です。'.repeat(60),
      'line\nbreak',
      '\t',
      '"quoted."',
    ),
  },
);
const paragraph = fc.array(word, { minLength: 1, maxLength: 150 }).map((words) => words.join(' '));
const part = fc.array(paragraph, { minLength: 1, maxLength: 6 }).map((paragraphs) => paragraphs.join('\n\n'));

/** Parts joined by blank lines, as the sections of a Markdown or HTML text, or as the pages of a PDF. */
const extraction: fc.Arbitrary<Extraction> = fc
  .tuple(fc.array(part, { minLength: 1, maxLength: 5 }), fc.boolean(), fc.array(fc.boolean(), { maxLength: 5 }))
  .map(([parts, asPages, blankAfter]) => {
    let text = '';
    const spans = parts.map((p) => {
      if (text !== '') text += '\n\n';
      const start = text.length;
      text += p;
      return { start, end: text.length };
    });
    if (asPages) {
      // As pdf.js's pages are read: each span without the white space around its text, a blank page (a figure, a
      // scan) an empty span.
      const trimmed = spans.map(({ start, end }) => {
        const lead = text.slice(start, end).search(/\S/);
        if (lead === -1) return { start, end: start };
        return { start: start + lead, end: start + text.slice(start, end).trimEnd().length };
      });
      const withBlanks = trimmed.flatMap((span, i) =>
        blankAfter[i] ? [span, { start: span.end, end: span.end }] : [span],
      );
      return {
        text,
        pages: withBlanks.map((span, i) => ({ page: i + 1, ...span })),
        sections: [{ heading: [], start: 0, end: text.length }],
      };
    }
    const sections = spans.map((span, i) => ({ heading: ['Guide', `Part ${i + 1}`], ...span }));
    return { text, pages: null, sections };
  });

const splitsACharacter = (text: string, at: number) =>
  /[\uD800-\uDBFF]/.test(text[at - 1] ?? '') && /[\uDC00-\uDFFF]/.test(text[at] ?? '');

/** What every cut must be, checked against the text, its sections and pages, and the tokenizer. */
function expectAGoodCut(input: Extraction, options: Settings, chunks: Chunk[]): void {
  const { text } = input;
  const covered = new Uint8Array(text.length);
  chunks.forEach((chunk, i) => {
    const own = text.slice(chunk.start, chunk.end);
    expect(own.trim(), 'a chunk is text, without white space around it').toBe(own);
    expect(own).not.toBe('');
    expect(splitsACharacter(text, chunk.start) || splitsACharacter(text, chunk.end), 'a character cut in two').toBe(
      false,
    );
    expect(chunk.tokens, 'the tokenizer count of its text').toBe(tokensOf(own));
    expect(chunk.tokens).toBeLessThanOrEqual(options.maxTokens);
    const section = input.sections.find((s) => s.start <= chunk.start && chunk.end <= s.end);
    expect(section, `chunk ${i} [${chunk.start}, ${chunk.end}) within one section`).toBeDefined();
    expect(chunk.heading).toEqual(section!.heading);
    const pages = (input.pages ?? [])
      .filter((p) => text.slice(Math.max(p.start, chunk.start), Math.min(p.end, chunk.end)).trim() !== '')
      .map((p) => p.page);
    expect(chunk.pages).toEqual(pages);
    if (input.pages) expect(chunk.pages.length).toBeGreaterThan(0);
    covered.fill(1, chunk.start, chunk.end);
    const before = chunks[i - 1];
    if (!before) return;
    expect(chunk.start, 'in text order').toBeGreaterThanOrEqual(before.start);
    expect(chunk.end, 'no chunk inside the one before').toBeGreaterThan(before.end);
    if (chunk.start < before.end) {
      expect(tokensOf(text.slice(chunk.start, before.end)), 'what it repeats').toBeLessThanOrEqual(
        options.overlapTokens,
      );
    }
  });
  const left = Array.from(text, (_, i) => i).findIndex((i) => covered[i] === 0 && /\S/.test(text[i]!));
  expect(left, 'every character but white space is in a chunk').toBe(-1);
}

describe('chunkText', () => {
  for (const options of settings) {
    const named = `${options.chunkTokens}/${options.overlapTokens} tokens, batch ${options.maxTokens}`;
    it(`cuts any text (${named}) into chunks within the batch that cover it in order, within sections, with the pages their text is on and what they repeat held to the overlap`, async () => {
      await fc.assert(
        fc.asyncProperty(extraction, async (input) => {
          expectAGoodCut(input, options, await chunkText(input, { ...options, countTokens }));
        }),
        { numRuns: 150 },
      );
    });
  }

  it('repeats about CHUNK_OVERLAP tokens of the chunk before in prose, in chunks of about CHUNK_TOKENS (sized by characters per token measured on a sample)', async () => {
    const words = Array.from({ length: 2000 }, (_, i) => `w${i}`);
    const text = Array.from({ length: 40 }, (_, p) => `${words.slice(p * 50, p * 50 + 50).join(' ')}.`).join('\n\n');
    const chunks = await chunkText(
      { text, pages: null, sections: [{ heading: [], start: 0, end: text.length }] },
      { chunkTokens: 40, overlapTokens: 8, maxTokens: 512, countTokens },
    );
    expect(chunks.length).toBeGreaterThan(2000 / 40);
    for (const chunk of chunks) expect(chunk.tokens).toBeLessThanOrEqual(40 * 1.5);
    expect(chunks.reduce((sum, chunk) => sum + chunk.tokens, 0) / chunks.length).toBeGreaterThan(40 / 2);
    const repeated = chunks.slice(1).map((chunk, i) => tokensOf(text.slice(chunk.start, chunks[i]!.end)));
    for (const tokens of repeated) {
      expect(tokens).toBeGreaterThanOrEqual(4);
      expect(tokens).toBeLessThanOrEqual(8);
    }
  });

  it('repeats nothing with an overlap of 0, and never across a heading', async () => {
    const first = 'alpha '.repeat(100).trim();
    const second = 'beta '.repeat(100).trim();
    const text = `${first}\n\n${second}`;
    const sections = [
      { heading: ['One'], start: 0, end: first.length },
      { heading: ['Two'], start: first.length + 2, end: text.length },
    ];
    const none = await chunkText(
      { text, pages: null, sections },
      { chunkTokens: 40, overlapTokens: 0, maxTokens: 512, countTokens },
    );
    none.slice(1).forEach((chunk, i) => expect(chunk.start).toBeGreaterThanOrEqual(none[i]!.end));
    const some = await chunkText(
      { text, pages: null, sections },
      { chunkTokens: 40, overlapTokens: 8, maxTokens: 512, countTokens },
    );
    const firstOfTwo = some.find((chunk) => chunk.heading[0] === 'Two')!;
    expect(firstOfTwo.start).toBe(sections[1]!.start);
    expect(some.filter((chunk) => chunk.heading[0] === 'One').every((chunk) => chunk.end <= first.length)).toBe(true);
  });
});
