import { tooDeepAt } from '../http/json-depth.js';
import type { ImportContext } from './import-context.js';
import { ImportError } from './import-error.js';

/** A conversation's imported metadata obeys METADATA_MAX_BYTES and METADATA_MAX_DEPTH, as one sent to the API does. */
export function checkMetadata(metadata: object, pointer: string, limits: ImportContext): void {
  const tooDeep = tooDeepAt(metadata, limits.metadataMaxDepth);
  if (tooDeep !== undefined) {
    throw new ImportError(
      `${pointer}${tooDeep}`,
      `must not nest more than ${limits.metadataMaxDepth} levels (METADATA_MAX_DEPTH)`,
    );
  }
  const bytes = Buffer.byteLength(JSON.stringify(metadata));
  if (bytes > limits.metadataMaxBytes) {
    throw new ImportError(
      pointer,
      `must be at most ${limits.metadataMaxBytes} bytes as JSON (METADATA_MAX_BYTES), not ${bytes}`,
    );
  }
}
