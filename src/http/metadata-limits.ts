import type { Config } from '../config/config.js';
import { tooDeepAt } from './json-depth.js';
import { HttpProblem } from './problem.js';

type Limits = Pick<Config, 'metadataMaxBytes' | 'metadataMaxDepth'>;

/**
 * Where and how a metadata object breaks METADATA_MAX_DEPTH or METADATA_MAX_BYTES, if it does: `at` is a JSON
 * pointer within it ('' for the whole object).
 */
export function metadataOverLimit(metadata: object, limits: Limits): { at: string; message: string } | undefined {
  const tooDeep = tooDeepAt(metadata, limits.metadataMaxDepth);
  if (tooDeep !== undefined) {
    return { at: tooDeep, message: `must not nest more than ${limits.metadataMaxDepth} levels (METADATA_MAX_DEPTH)` };
  }
  const bytes = Buffer.byteLength(JSON.stringify(metadata));
  if (bytes > limits.metadataMaxBytes) {
    return {
      at: '',
      message: `must be at most ${limits.metadataMaxBytes} bytes as JSON (METADATA_MAX_BYTES), not ${bytes}`,
    };
  }
  return undefined;
}

/** Refuses a body whose `metadata` object is larger than METADATA_MAX_BYTES or deeper than METADATA_MAX_DEPTH. */
export function checkMetadataLimits(body: unknown, limits: Limits): void {
  if (typeof body !== 'object' || body === null || !('metadata' in body)) return;
  const { metadata } = body;
  if (typeof metadata !== 'object' || metadata === null) return;
  const over = metadataOverLimit(metadata, limits);
  if (over === undefined) return;
  const path = `body/metadata${over.at}`;
  throw new HttpProblem(422, 'validation', `${path}: ${over.message}`, [{ path, message: over.message }]);
}
