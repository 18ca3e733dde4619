import type { TextPage } from '../../domain/document/document.events.js';
import { unreadable, type Extraction } from './extraction.js';

type TextItem = { str: string; hasEOL: boolean };

/**
 * The text layer of a PDF, page by page, read with Mozilla's pdf.js (pdfjs-dist, its Node build: no worker thread,
 * no canvas, no fonts loaded, no eval). Pages are joined by a blank line and each keeps its span. No OCR: a PDF of
 * scanned pages has no text to give.
 */
export async function pdfText(bytes: Uint8Array): Promise<Extraction> {
  const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
  let document;
  try {
    document = await getDocument({
      // pdf.js takes ownership of (and detaches) the buffer it is given: a copy keeps the upload's bytes intact.
      data: new Uint8Array(bytes),
      isEvalSupported: false,
      disableFontFace: true,
      useSystemFonts: false,
      stopAtErrors: false,
      verbosity: 0,
    }).promise;
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'PasswordException') return unreadable('the PDF is encrypted with a password; upload it unlocked');
    return unreadable(`not a readable PDF: ${(error as Error).message}`);
  }
  try {
    let text = '';
    const pages: TextPage[] = [];
    for (let number = 1; number <= document.numPages; number += 1) {
      const page = await document.getPage(number);
      const content = await page.getTextContent();
      page.cleanup();
      const pageText = (content.items as TextItem[])
        .map((item) => item.str + (item.hasEOL ? '\n' : ''))
        .join('')
        .replace(/[ \t]+\n/g, '\n')
        .replace(/\n{3,}/g, '\n\n')
        // A font's ToUnicode table may map a code to NUL, which PostgreSQL does not store.
        .replaceAll('\u0000', '')
        .trim();
      if (text !== '' && pageText !== '') text += '\n\n';
      const start = text.length;
      text += pageText;
      pages.push({ page: number, start, end: text.length });
    }
    if (text.trim() === '') {
      return unreadable('the PDF has no text layer; scanned pages need OCR, which is not supported');
    }
    return { kind: 'text', text, pages, sections: [{ heading: [], start: 0, end: text.length }] };
  } catch (error) {
    return unreadable(`not a readable PDF: ${(error as Error).message}`);
  } finally {
    await document.destroy();
  }
}
