import { existsSync, readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { frame } from './http-framing.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The raw HTTP exchanges recorded from a real llama-server (tests/fixtures/llama-cpp/README.md), kept in the
 * repository so the tests that compare the double and the client with them run anywhere. The double never needs them.
 */
export const RECORDINGS_DIR = process.env.LLAMA_RECORDINGS_DIR ?? resolve(REPO_ROOT, 'tests/fixtures/llama-cpp');

/** Whether the captures are on this machine; the double itself never needs them. */
export function recordingsAvailable(): boolean {
  return existsSync(RECORDINGS_DIR);
}

/** A recorded llama.cpp response, split into what is needed to send it again. */
export type Recording = {
  status: number;
  statusText: string;
  /** In recorded order and spelling. */
  headers: [string, string][];
  body: Buffer;
  /** The body was sent chunked (a stream); it is stored de-chunked. */
  chunked: boolean;
};

/**
 * Parses a recorded response: status line, headers, blank line, body (stored de-chunked).
 * A recorded Content-Length is only trusted to drop what the recording added after the body
 * (a trailing newline); the double always frames what it sends itself, so a body edited after the
 * recording (props.txt and models.txt carry a longer model path than their Content-Length says)
 * is still sent whole and well framed.
 */
export function parseRecording(raw: Buffer): Recording {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) throw new Error('not a recorded HTTP response: no blank line after the headers');
  const [statusLine = '', ...headerLines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(statusLine);
  if (!status) throw new Error(`not a recorded HTTP response: ${JSON.stringify(statusLine)}`);
  const all = headerLines.map((line): [string, string] => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon), line.slice(colon + 1).trim()];
  });
  const header = (name: string) => all.find(([key]) => key.toLowerCase() === name)?.[1];
  let body = raw.subarray(end + 4);
  const declared = Number(header('content-length'));
  if (Number.isInteger(declared) && body.length === declared + 1 && body.at(-1) === 0x0a) {
    body = body.subarray(0, declared);
  }
  return {
    status: Number(status[1]),
    statusText: status[2] ?? '',
    headers: all,
    body,
    chunked: /chunked/i.test(header('transfer-encoding') ?? ''),
  };
}

const cache = new Map<string, Recording>();

/** A recording by file name, e.g. 'health.txt'; parsed once. */
export function recording(file: string): Recording {
  let parsed = cache.get(file);
  if (!parsed) {
    parsed = parseRecording(readFileSync(join(RECORDINGS_DIR, file)));
    cache.set(file, parsed);
  }
  return parsed;
}

/** The captures of a September 2026 llama-server, kept as the bytes received (tests/fixtures/llama-cpp/modern). */
export const MODERN_RECORDINGS_DIR = join(RECORDINGS_DIR, 'modern');

/** A modern capture by name, e.g. 'a01_chat_stream' (its .raw file: chunk framing included), parsed once. */
export function modernRecording(name: string): Recording {
  const key = `modern/${name}`;
  let parsed = cache.get(key);
  if (!parsed) {
    const raw = readFileSync(join(MODERN_RECORDINGS_DIR, `${name}.raw`));
    const framed = frame(raw);
    if (!framed?.complete) throw new Error(`${name}.raw is not one whole HTTP response`);
    parsed = parseRecording(Buffer.concat([framed.head, Buffer.from('\r\n\r\n'), framed.body]));
    cache.set(key, parsed);
  }
  return parsed;
}

/** The request body a modern capture answered (its .request.json), parsed. */
export function modernRequest(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(MODERN_RECORDINGS_DIR, `${name}.request.json`), 'utf8')) as Record<
    string,
    unknown
  >;
}

/** Sends a recording as llama.cpp sent it: same status line, headers in order, same body bytes. */
export function replay(response: ServerResponse, recorded: Recording): void {
  // Node chunks the body itself when Transfer-Encoding: chunked is set; Content-Length is made true.
  const headers = recorded.headers.map(([name, value]): [string, string] =>
    name.toLowerCase() === 'content-length' ? [name, String(recorded.body.length)] : [name, value],
  );
  response.sendDate = false;
  response.writeHead(recorded.status, recorded.statusText, headers.flat());
  response.end(recorded.body);
}
