import { deflateSync, crc32 } from 'node:zlib';
import { PDFDict, PDFDocument, PDFName, StandardFonts } from 'pdf-lib';

/** A PDF with a text layer: each page its lines, top to bottom, in Helvetica. An empty page has no text. */
export async function textPdf(pages: string[][]): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (const lines of pages) {
    const page = pdf.addPage([595, 842]);
    lines.forEach((line, i) => page.drawText(line, { x: 50, y: 780 - i * 16, size: 11, font }));
  }
  return pdf.save();
}

/** A PDF of scanned pages: each page one picture, no text layer. */
export async function imageOnlyPdf(pageCount: number): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const picture = await pdf.embedPng(grayPng(64, 64));
  for (let i = 0; i < pageCount; i += 1) {
    pdf.addPage([595, 842]).drawImage(picture, { x: 50, y: 400, width: 300, height: 300 });
  }
  return pdf.save();
}

/** A grey-scale PNG of a gradient, made by hand (signature, IHDR, IDAT, IEND). */
function grayPng(width: number, height: number): Uint8Array {
  const rows = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) rows[y * (width + 1) + 1 + x] = (x * 4 + y * 2) % 256;
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 0, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(rows)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/** A one-page PDF whose font maps its codes, through its ToUnicode table, to "A", NUL, "B", "A" (as pdf.js reads them). */
export async function pdfWithNulInText(): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  pdf.addPage([595, 842]).drawText('ABCA', { x: 50, y: 780, size: 11, font });
  await pdf.flush();
  const cmap = [
    '/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Unstorable def',
    '1 begincodespacerange <00> <FF> endcodespacerange',
    '3 beginbfchar <41> <0041> <42> <0000> <43> <0042> endbfchar',
    'endcmap CMapName currentdict /CMap defineresource pop end end',
  ].join('\n');
  const toUnicode = pdf.context.register(pdf.context.stream(cmap));
  pdf.context.lookup(font.ref, PDFDict).set(PDFName.of('ToUnicode'), toUnicode);
  return pdf.save();
}
