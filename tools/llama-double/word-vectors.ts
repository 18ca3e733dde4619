import { pieces } from './tokenizer.js';

/** Lower-cased runs of letters and digits: what a text's embedding and its rerank score are made of. */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

function hash(text: string, seed: number): number {
  let value = seed;
  for (const char of text) {
    value ^= char.codePointAt(0) ?? 0;
    value = Math.imul(value, 0x01000193) >>> 0;
  }
  return value;
}

const INDEX_SEED = 0x811c9dc5;
const SIGN_SEED = 0x9e3779b9;

/**
 * A stand-in for a mean-pooled embedding: every feature (a word; the pieces of a text without words) adds ±1 to the
 * component it hashes to (feature hashing, the sign hashed apart), then the vector is L2-normalised as llama.cpp does
 * by default (embd_normalize 2) and sent as float32. Texts that share words are close, identical texts identical.
 */
export function embeddingOf(features: string[], dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (const feature of features) {
    const at = hash(feature, INDEX_SEED) % dimensions;
    vector[at] = (vector[at] ?? 0) + ((hash(feature, SIGN_SEED) & 1) === 1 ? 1 : -1);
  }
  const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
  return vector.map((value) => (norm > 0 ? Math.fround(value / norm) : 0));
}

/** The features of a text prompt: its words, or its pieces when it has none. */
export function textFeatures(text: string): string[] {
  const found = words(text);
  return found.length > 0 ? found : pieces(text);
}

/** The share of the query's distinct words the document has: 1 with all of them, 0 with none (or a wordless query). */
export function overlapScore(query: string, document: string): number {
  const wanted = new Set(words(query));
  if (wanted.size === 0) return 0;
  const present = new Set(words(document));
  return Math.fround([...wanted].filter((word) => present.has(word)).length / wanted.size);
}
