import { metadataOverLimit } from '../http/metadata-limits.js';
import type { ImportContext } from './import-context.js';
import { ImportError } from './import-error.js';

/** A conversation's imported metadata obeys METADATA_MAX_BYTES and METADATA_MAX_DEPTH, as one sent to the API does. */
export function checkMetadata(metadata: object, pointer: string, limits: ImportContext): void {
  const over = metadataOverLimit(metadata, limits);
  if (over !== undefined) throw new ImportError(`${pointer}${over.at}`, over.message);
}
