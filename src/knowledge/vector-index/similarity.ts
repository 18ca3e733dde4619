/**
 * The one arithmetic of similarity, in doubles over float32 values, used by both dialects: SQLite's candidates and
 * PostgreSQL's whole matrix are scored by these same functions, so the same vectors get the same similarity to the
 * last bit on either database. Four running sums let the CPU overlap the multiplications.
 */
export function dot(a: Float32Array, aOffset: number, b: Float32Array, bOffset: number, dimensions: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < dimensions; i += 4) {
    s0 += a[aOffset + i]! * b[bOffset + i]!;
    s1 += a[aOffset + i + 1]! * b[bOffset + i + 1]!;
    s2 += a[aOffset + i + 2]! * b[bOffset + i + 2]!;
    s3 += a[aOffset + i + 3]! * b[bOffset + i + 3]!;
  }
  for (; i < dimensions; i += 1) s0 += a[aOffset + i]! * b[bOffset + i]!;
  return s0 + s1 + (s2 + s3);
}

export const norm = (values: Float32Array, offset: number, dimensions: number): number =>
  Math.sqrt(dot(values, offset, values, offset, dimensions));

/** Cosine from a dot product and the two norms, kept within [-1, 1] where rounding would step past. */
export const cosine = (product: number, normA: number, normB: number): number =>
  Math.min(1, Math.max(-1, product / (normA * normB)));
