import busboy from 'busboy';
import type { IncomingMessage } from 'node:http';
import { HttpProblem } from '../problem.js';
import { unstorableText } from '../validate.js';

/** A file part of a multipart body, whole in memory (each is at most the upload limit). */
/** `declaredType`: the part's Content-Type (busboy says application/octet-stream when it has none). */
export type UploadedFile = { name: string; declaredType: string; bytes: Buffer };

export type MultipartLimits = { maxFileBytes: number; maxFiles: number; maxNameLength: number };

const invalid = (path: string, message: string) =>
  new HttpProblem(422, 'validation', `${path}: ${message}`, [{ path, message }]);

/** Where a part other than "file" is named in a problem; busboy gives no name for `name=""` or none at all. */
const otherPart = (field: string | undefined, message: string) =>
  field ? invalid(`body/${field.slice(0, 64)}`, message) : invalid('body', `a part without a name: ${message}`);

/**
 * The `file` parts of a multipart/form-data body, read with busboy, which holds each to its limit while it streams:
 * a file over `maxFileBytes` stops the read with 413 at that byte, more files than `maxFiles` with 413, a body that
 * ends before its closing boundary with 400. Other parts are refused (422): they would be silently ignored.
 */
export function readMultipartFiles(request: IncomingMessage, limits: MultipartLimits): Promise<UploadedFile[]> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: request.headers,
        limits: {
          fileSize: limits.maxFileBytes,
          files: limits.maxFiles,
          fields: 8,
          parts: limits.maxFiles,
          fieldNameSize: 64,
          headerPairs: 20,
        },
        defParamCharset: 'utf8',
      });
    } catch (error) {
      reject(new HttpProblem(400, 'bad-request', `multipart body: ${(error as Error).message}`));
      return;
    }
    const files: UploadedFile[] = [];
    let failed = false;
    const fail = (problem: HttpProblem) => {
      if (failed) return;
      failed = true;
      request.unpipe(parser);
      // The rest of the body is read and dropped, so the answer reaches a client still sending.
      request.resume();
      reject(problem);
    };
    parser.on('file', (field, stream, info) => {
      // A body cut off mid-file fails the file's stream too; the parser's own error answers it.
      stream.on('error', () => undefined);
      if (field !== 'file') {
        stream.resume();
        fail(otherPart(field, 'unknown part; send each document as a part named "file"'));
        return;
      }
      const name = info.filename?.trim() ?? '';
      if (name === '') {
        stream.resume();
        fail(invalid('body/file', 'a file part needs a file name (filename in its Content-Disposition)'));
        return;
      }
      if (unstorableText.test(name)) {
        stream.resume();
        fail(invalid('body/file', 'file name must not contain NUL characters or unpaired UTF-16 surrogates'));
        return;
      }
      if ([...name].length > limits.maxNameLength) {
        stream.resume();
        fail(invalid('body/file', `file name must be at most ${limits.maxNameLength} characters`));
        return;
      }
      const pieces: Buffer[] = [];
      stream.on('data', (piece: Buffer) => pieces.push(piece));
      stream.on('limit', () =>
        fail(
          new HttpProblem(
            413,
            'payload-too-large',
            `${name} is larger than MAX_DOCUMENT_BYTES (${limits.maxFileBytes} bytes)`,
          ),
        ),
      );
      stream.on('close', () => {
        files.push({ name, declaredType: info.mimeType, bytes: Buffer.concat(pieces) });
      });
    });
    parser.on('field', (field) =>
      fail(
        field === 'file'
          ? invalid('body/file', 'a file part needs a file name (filename in its Content-Disposition)')
          : otherPart(field, 'unknown field; send each document as a part named "file"'),
      ),
    );
    parser.on('filesLimit', () =>
      fail(new HttpProblem(413, 'payload-too-large', `at most ${limits.maxFiles} files in one upload`)),
    );
    parser.on('partsLimit', () =>
      fail(new HttpProblem(413, 'payload-too-large', `at most ${limits.maxFiles} parts in one upload`)),
    );
    parser.on('fieldsLimit', () => fail(invalid('body', 'only file parts are taken; send each document as "file"')));
    parser.on('error', (error: Error) =>
      fail(new HttpProblem(400, 'bad-request', `multipart body could not be read: ${error.message}`)),
    );
    parser.on('close', () => {
      if (failed) return;
      if (files.length === 0) {
        fail(invalid('body/file', 'required: at least one part named "file" holding a document'));
        return;
      }
      resolve(files);
    });
    request.on('aborted', () => fail(new HttpProblem(400, 'bad-request', 'the upload was cut off')));
    request.pipe(parser);
  });
}
