import fc from 'fast-check';
import { nastyString } from './fuzz-values.js';

/** Files of the kinds documents take, made by the test: a PDF with a text layer, a PDF without one. */
export type SampleFiles = { pdf: Uint8Array; scan: Uint8Array };

export type MultipartBody = { text: Buffer; contentType: string };

/** `encodedFilename`: an RFC 5987 `filename*`, percent-encoded UTF-8 (a NUL, a lone surrogate, bytes not UTF-8). */
type Part = {
  field: string;
  filename: string | undefined;
  encodedFilename: string | undefined;
  type: string | undefined;
  body: Uint8Array;
};

const BOUNDARY = 'fuzz-boundary-91c2';

const filename = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('notes.txt', 'guide.md', 'page.html', 'paper.pdf', 'README', 'a.PDF') },
  { weight: 2, arbitrary: fc.constantFrom('photo.png', 'archive.zip', 'data.json', 'script.js') },
  { weight: 2, arbitrary: fc.integer({ min: 250, max: 300 }).map((n) => `${'n'.repeat(n - 4)}.txt`) },
  { weight: 2, arbitrary: fc.constantFrom('', ' ', 'Übersicht 🦙.md', 'a"b.txt', 'C:\\fakepath\\x.txt', '../x.txt') },
  { weight: 1, arbitrary: nastyString },
);

const declaredType = fc.constantFrom(
  'text/plain',
  'text/plain; charset=utf-8',
  'text/markdown',
  'text/html',
  'application/pdf',
  'application/octet-stream',
  'image/png',
  'application/json',
  'nonsense',
  '',
);

function body(samples: SampleFiles): fc.Arbitrary<Uint8Array> {
  const utf8 = (text: string) => new TextEncoder().encode(text);
  return fc.oneof(
    { weight: 3, arbitrary: fc.lorem({ maxCount: 40 }).map(utf8) },
    { weight: 2, arbitrary: fc.constant(new Uint8Array(0)) },
    { weight: 2, arbitrary: fc.constantFrom(samples.pdf, samples.scan) },
    { weight: 2, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }).map((f) => cutAt(samples.pdf, f)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('# T\n\n## S\n\ntext', '<h1>T</h1><script>x()</script>', ' \n\t').map(utf8),
    },
  );
}

const cutAt = (bytes: Uint8Array, fraction: number) => bytes.subarray(0, Math.floor(bytes.byteLength * fraction));

function part(samples: SampleFiles): fc.Arbitrary<Part> {
  return fc.record({
    field: fc.oneof({ weight: 8, arbitrary: fc.constant('file') }, { weight: 1, arbitrary: nastyString }),
    filename: fc.option(filename, { freq: 8, nil: undefined }),
    encodedFilename: fc.option(fc.constantFrom('a%00b.txt', '%F0%9F%A6%99.md', '%ED%A0%80.txt', '%FF%FE.txt', '%'), {
      freq: 6,
      nil: undefined,
    }),
    type: fc.option(declaredType, { freq: 6, nil: undefined }),
    body: body(samples),
  });
}

/** One part as a browser writes it; the name and file name quoted as they come, odd characters and all. */
function encodePart(p: Part): Buffer {
  const disposition = [`form-data; name="${p.field}"`];
  if (p.filename !== undefined) disposition.push(`filename="${p.filename}"`);
  if (p.encodedFilename !== undefined) disposition.push(`filename*=UTF-8''${p.encodedFilename}`);
  const type = p.type === undefined ? '' : `Content-Type: ${p.type}\r\n`;
  return Buffer.concat([
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: ${disposition.join('; ')}\r\n${type}\r\n`),
    p.body,
    Buffer.from('\r\n'),
  ]);
}

/**
 * Multipart uploads, good and bad: no file part or none at all, empty files, types declared wrong, PDFs cut short,
 * names too long or odd (a NUL percent-encoded among them), one name twice, bodies cut off anywhere, boundaries missing or not the body's.
 */
export function multipartBodies(samples: SampleFiles): fc.Arbitrary<MultipartBody> {
  const parts = fc
    .tuple(fc.array(part(samples), { maxLength: 4 }), fc.boolean())
    .map(([list, twice]) => (twice && list[0] ? [...list, { ...list[0] }] : list));
  const contentType = fc.oneof(
    { weight: 8, arbitrary: fc.constant(`multipart/form-data; boundary=${BOUNDARY}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'multipart/form-data',
        'multipart/form-data; boundary=another',
        `multipart/mixed; boundary=${BOUNDARY}`,
        `multipart/form-data; boundary="${BOUNDARY}"; charset=utf-8`,
      ),
    },
  );
  const cut = fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { freq: 4, nil: undefined });
  return fc.record({ parts, contentType, cut }).map(({ parts, contentType, cut }) => {
    const whole = Buffer.concat([...parts.map(encodePart), Buffer.from(`--${BOUNDARY}--\r\n`)]);
    return { text: cut === undefined ? whole : whole.subarray(0, Math.floor(whole.length * cut)), contentType };
  });
}
