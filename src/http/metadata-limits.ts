import type { Config } from '../config/config.js';
import { tooDeepAt } from './json-depth.js';
import { HttpProblem } from './problem.js';

type Limits = Pick<Config, 'metadataMaxBytes' | 'metadataMaxDepth'>;

/** Refuses a body whose `metadata` object is larger than METADATA_MAX_BYTES or deeper than METADATA_MAX_DEPTH. */
export function checkMetadataLimits(body: unknown, limits: Limits): void {
  if (typeof body !== 'object' || body === null || !('metadata' in body)) return;
  const { metadata } = body;
  if (typeof metadata !== 'object' || metadata === null) return;
  const tooDeep = tooDeepAt(metadata, limits.metadataMaxDepth);
  if (tooDeep !== undefined) {
    refuse(`body/metadata${tooDeep}`, `must not nest more than ${limits.metadataMaxDepth} levels (METADATA_MAX_DEPTH)`);
  }
  const bytes = Buffer.byteLength(JSON.stringify(metadata));
  if (bytes > limits.metadataMaxBytes) {
    refuse(
      'body/metadata',
      `must be at most ${limits.metadataMaxBytes} bytes as JSON (METADATA_MAX_BYTES), not ${bytes}`,
    );
  }
}

function refuse(path: string, message: string): never {
  throw new HttpProblem(422, 'validation', `${path}: ${message}`, [{ path, message }]);
}
