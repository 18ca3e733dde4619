const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** UTF-8 text with its line ends as LF; null for bytes that are not text (invalid UTF-8, or NUL bytes). */
export function decodeText(bytes: Uint8Array): string | null {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return null;
  }
  if (text.includes('\u0000')) return null;
  return text.replace(/\r\n?/g, '\n');
}

export const NOT_TEXT = 'the file is not UTF-8 text (a binary file, or another encoding)';
