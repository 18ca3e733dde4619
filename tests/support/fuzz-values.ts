import fc from 'fast-check';
import type { Json } from './openapi-operations.js';

/** Text that breaks naive code: control and format characters, lone surrogates, look-alike numbers, paths. */
const edgeStrings = [
  '',
  ' ',
  '\t\n',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udc00y',
  'end\ud83d',
  '\u202Eevil\u202C',
  '\u200F\u200E\u061C',
  '\u200B\u2060\uFEFF',
  '👩‍👩‍👧‍👦🏳️‍🌈',
  '\uFFFF\uFFFE',
  'e\u0301\u0301\u0301',
  '\r\nX-Injected: 1',
  '../../etc/passwd',
  '%00',
  '%',
  '%E0%A4%A',
  "' OR '1'='1",
  'null',
  'true',
  '0',
  '-1',
  '1.5',
  '1e309',
  '0x10',
  ' 1',
  'NaN',
  '-0',
  '99999999999999999999',
  '{}',
  '[]',
  '__proto__',
  'constructor',
];

export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...edgeStrings) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.constantFrom(10, 1_000, 10_001, 100_000).map((n) => 'x'.repeat(n)) },
);

/** Any JSON value, the nasty strings among them, and numbers JSON carries but schemas rarely expect. */
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  nastyString,
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(-1, 0, -0, 1.5, 2 ** 31, 2 ** 53, 1e308, -1e308, true, false, null, [], {}),
  fc.array(fc.constant('x'), { minLength: 9, maxLength: 2000 }),
  fc.dictionary(nastyString, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
);

/** A value shaped by a JSON schema: usually valid, at the boundaries sometimes, with known ids where ids go. */
export function valueOf(schema: Json, ids: string[]): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  if (Array.isArray(schema.anyOf)) return fc.oneof(...(schema.anyOf as Json[]).map((s) => valueOf(s, ids)));
  switch (schema.type) {
    case 'string':
      return stringOf(schema, ids);
    case 'integer':
      return fc.oneof(
        fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 }),
        fc.constantFrom(...[schema.minimum, schema.maximum].filter((n): n is number => typeof n === 'number')),
      );
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(valueOf(schema.items ?? {}, ids), { maxLength: schema.maxItems ?? 5 });
    case 'object':
      return objectOf(schema, ids);
  }
  return fc.jsonValue({ maxDepth: 3 });
}

function stringOf(schema: Json, ids: string[]): fc.Arbitrary<string> {
  if (schema.format === 'uuid') {
    return ids.length > 0 ? fc.oneof(fc.constantFrom(...ids), fc.uuid()) : fc.uuid();
  }
  if (typeof schema.pattern === 'string') return fc.stringMatching(new RegExp(schema.pattern));
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.min(schema.maxLength ?? 60, 60);
  const atLimit = typeof schema.maxLength === 'number' ? [schema.maxLength, schema.maxLength + 1] : [];
  return fc.oneof(
    fc.string({ unit: 'grapheme', minLength, maxLength }),
    fc.string({ unit: 'grapheme-ascii', minLength, maxLength }),
    ...atLimit.map((length) => fc.constant('é'.repeat(length))),
  );
}

function objectOf(schema: Json, ids: string[]): fc.Arbitrary<unknown> {
  const properties = (schema.properties ?? {}) as Record<string, Json>;
  if (Object.keys(properties).length === 0) {
    return fc.dictionary(fc.string({ unit: 'grapheme', maxLength: 12 }), fc.jsonValue({ maxDepth: 3 }), {
      maxKeys: 5,
    });
  }
  const record = Object.fromEntries(Object.entries(properties).map(([name, s]) => [name, valueOf(s, ids)]));
  return fc.record(record, { requiredKeys: (schema.required ?? []) as string[] });
}

/** A value of the schema with one field (known or not) replaced by a nasty value. */
export function mutatedValueOf(schema: Json, ids: string[]): fc.Arbitrary<unknown> {
  const names = Object.keys((schema.properties ?? {}) as Json);
  const field = fc.oneof(
    ...(names.length > 0 ? [fc.constantFrom(...names)] : []),
    nastyString.filter((key) => key !== '__proto__'),
  );
  return fc.tuple(valueOf(schema, ids), field, nastyValue).map(([value, key, bad]) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return bad;
    return { ...value, [key]: bad };
  });
}

/** JSON text nested `depth` levels deep, inside the field `key` of an object. */
export const deeplyNested = (key: string, depth: number, open: '[' | '{"a":') =>
  `{${JSON.stringify(key)}:${open.repeat(depth)}1${(open === '[' ? ']' : '}').repeat(depth)}}`;

/** Bytes that are not JSON, or not quite. */
export const malformedBody: fc.Arbitrary<string | Buffer> = fc.oneof(
  fc.constantFrom(
    '{',
    '{"a":',
    '{"a":1,}',
    "{'a':1}",
    '\uFEFF{}',
    'null',
    '[]',
    '"x"',
    '5',
    'true',
    '{"a":1}{"b":2}',
    '{"a":NaN}',
    '{"__proto__":{"polluted":1}}',
    '{"constructor":{"prototype":{"polluted":1}}}',
  ),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
  fc.constant(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xed, 0xa0, 0x80, 0x22, 0x7d])),
);

/** Percent-encodes every byte of the UTF-8 form (lone surrogates become U+FFFD), so the path stays one segment. */
export const encodeSegment = (text: string) =>
  [...Buffer.from(text, 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9\-._~]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');

/** Percent sequences that do not decode: truncated, non-hex, or bytes that are not UTF-8. */
export const brokenEncodings = ['%', '%zz', '%E0%A4%A', '%ED%A0%80', '%C0%AF', '%FF', '%00'];

/** Header values Node will put on the wire: visible latin-1 and spaces (DEL and controls it refuses to send). */
const headerChar = fc
  .integer({ min: 0x20, max: 0xff })
  .filter((code) => code !== 0x7f)
  .map((code) => String.fromCharCode(code));
export const headerValue: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: headerChar, maxLength: 40 }),
  fc.constantFrom('W/"1"', '"1"', 'W/"0"', '*', 'W/"999999999"', 'W/"-1"', 'W/"1", W/"2"', '', ' '),
  fc.constantFrom(1_000, 8_000).map((n) => 'a'.repeat(n)),
);
