export const ACCEPTED_TYPES = ['text/plain', 'text/markdown', 'text/html', 'application/pdf'] as const;
export type AcceptedType = (typeof ACCEPTED_TYPES)[number];

const aliases: Record<string, AcceptedType> = {
  'text/plain': 'text/plain',
  'text/markdown': 'text/markdown',
  'text/x-markdown': 'text/markdown',
  'text/html': 'text/html',
  'application/xhtml+xml': 'text/html',
  'application/pdf': 'application/pdf',
  'application/x-pdf': 'application/pdf',
};

const byExtension: Record<string, AcceptedType> = {
  txt: 'text/plain',
  text: 'text/plain',
  md: 'text/markdown',
  markdown: 'text/markdown',
  html: 'text/html',
  htm: 'text/html',
  pdf: 'application/pdf',
};

/**
 * The type a document is read as: its declared media type (parameters dropped), or, when it declares none or only
 * application/octet-stream (what browsers send for an unknown file), its name's extension; null when neither is one
 * documents take.
 */
export function acceptedType(declared: string | undefined, fileName: string): AcceptedType | null {
  const media = (declared ?? '').split(';')[0]!.trim().toLowerCase();
  if (media !== '' && media !== 'application/octet-stream') return aliases[media] ?? null;
  const extension = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase();
  return extension === undefined ? null : (byExtension[extension] ?? null);
}

const PDF_SIGNATURE = '%PDF-';

/**
 * The type a file is read as once its bytes are in: a PDF declared or named as text (a wrong Content-Type, a .txt
 * name) starts with the PDF signature and is read as the PDF it is.
 */
export function typeOfBytes(type: AcceptedType, bytes: Uint8Array): AcceptedType {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, PDF_SIGNATURE.length));
  return head.toString('latin1') === PDF_SIGNATURE ? 'application/pdf' : type;
}
