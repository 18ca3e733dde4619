import { endianness } from 'node:os';

/** The most dimensions a vector may have: what a vec0 table of sqlite-vec takes. */
export const MAX_DIMENSIONS = 8192;

// Vectors are kept as a Float32Array's own bytes: float32 little-endian on every platform sqlite-vec ships for.
if (endianness() !== 'LE') throw new Error('the vector index stores float32 little-endian: this machine is big-endian');

/** Throws unless `vector` can be stored or searched with: 1 to MAX_DIMENSIONS finite values, not all zero. */
export function checkVector(vector: Float32Array): void {
  if (!(vector instanceof Float32Array)) throw new TypeError('a vector must be a Float32Array');
  if (vector.length < 1 || vector.length > MAX_DIMENSIONS) {
    throw new RangeError(`a vector has 1 to ${MAX_DIMENSIONS} dimensions, not ${vector.length}`);
  }
  let any = false;
  for (const value of vector) {
    if (!Number.isFinite(value)) throw new RangeError('a vector holds finite numbers only');
    if (value !== 0) any = true;
  }
  // A zero vector has no direction: its cosine with anything is undefined.
  if (!any) throw new RangeError('a vector of zeros has no direction to compare');
}

export function checkModel(model: string): void {
  if (typeof model !== 'string' || model.length === 0) throw new TypeError('the model is a non-empty string');
}

/** The bytes a vector is stored as (a view, no copy). */
export const vectorBytes = (vector: Float32Array): Buffer =>
  Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);

/** A stored vector read back; copied, since a driver's buffer need not be aligned for a Float32Array. */
export function vectorFromBytes(bytes: Uint8Array): Float32Array {
  const vector = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(vector.buffer).set(bytes);
  return vector;
}
