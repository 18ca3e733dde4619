import { createHash } from 'node:crypto';
import type { ReadOutcome } from '../domain/document/document.commands.js';
import { extractText, type AcceptedType } from './extract/index.js';

/** What an upload becomes before it is stored: its type, size, address and text (or why it has none). */
export type ReadUpload = { mime_type: AcceptedType; size: number; sha256: string; read: ReadOutcome };

/** Reads the text of a file whose type was accepted; a file that cannot be read is an outcome, never an error. */
export async function readUpload(bytes: Uint8Array, type: AcceptedType): Promise<ReadUpload> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const extraction = await extractText(bytes, type);
  const read: ReadOutcome =
    extraction.kind === 'text'
      ? { kind: 'text', text: extraction.text, pages: extraction.pages, sections: extraction.sections }
      : { kind: 'unreadable', reason: extraction.reason };
  return { mime_type: type, size: bytes.byteLength, sha256, read };
}
