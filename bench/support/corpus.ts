/**
 * Deterministic Markdown for the knowledge scenarios: sections of paragraphs of sentences drawn from a made-up
 * vocabulary (Zipf-like, so a few words are common and most are rare, as in prose) mixed with English function
 * words. The double embeds by hashed words, so chunks sharing rare words are near each other and a question made of
 * a chunk's words finds it.
 */
const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ne',
  'ru',
  'sa',
  'ti',
  'vo',
  'ze',
  'po',
  'qui',
  'dra',
  'fen',
  'gor',
  'hul',
  'bex',
];
const FUNCTION_WORDS = ['the', 'of', 'and', 'to', 'a', 'in', 'is', 'that', 'for', 'with', 'on', 'as', 'by', 'it'];
const VOCABULARY_SIZE = 20_000;

/** A small PRNG (mulberry32): the same text for the same seed on every run. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const vocabulary = Array.from({ length: VOCABULARY_SIZE }, (_, i) => {
  let word = '';
  for (let n = i + 1; n > 0; n = Math.floor(n / SYLLABLES.length)) word += SYLLABLES[n % SYLLABLES.length];
  return word;
});

/** Zipf by inverse transform over log-uniform ranks: rank r is drawn about as often as 1/r. */
function word(next: () => number): string {
  if (next() < 0.35) return FUNCTION_WORDS[Math.floor(next() * FUNCTION_WORDS.length)]!;
  return vocabulary[Math.floor(Math.exp(next() * Math.log(VOCABULARY_SIZE))) - 1]!;
}

function sentence(next: () => number): string {
  const length = 8 + Math.floor(next() * 14);
  const words = Array.from({ length }, () => word(next));
  return `${words[0]![0]!.toUpperCase()}${words.join(' ').slice(1)}.`;
}

/** About `bytes` bytes of Markdown: a heading every 20 paragraphs of 3-7 sentences. */
export function markdown(bytes: number, seed: number): string {
  const next = random(seed);
  const parts: string[] = [];
  let size = 0;
  for (let paragraph = 0; size < bytes; paragraph++) {
    const text =
      paragraph % 20 === 0
        ? `## ${sentence(next).slice(0, -1)}`
        : Array.from({ length: 3 + Math.floor(next() * 5) }, () => sentence(next)).join(' ');
    parts.push(text);
    size += text.length + 2;
  }
  return parts.join('\n\n');
}

/** Questions made of a few words of the texts' sentences, as a person would ask about something in them. */
export function corpusQuestions(texts: string[], count: number, seed: number): string[] {
  const next = random(seed);
  const sentences = texts
    .flatMap((text) => text.slice(0, 2_000_000).split(/(?<=\.)\s+/))
    .filter((s) => !s.startsWith('#') && s.split(' ').length >= 8);
  return Array.from({ length: count }, () => {
    const words = sentences[Math.floor(next() * sentences.length)]!.replace(/\.$/, '').split(' ');
    const start = Math.floor(next() * (words.length - 6));
    return `What does it say about ${words
      .slice(start, start + 6)
      .join(' ')
      .toLowerCase()}?`;
  });
}
