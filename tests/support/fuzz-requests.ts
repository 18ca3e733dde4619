import fc from 'fast-check';
import {
  brokenEncodings,
  deeplyNested,
  encodeSegment,
  headerValue,
  malformedBody,
  mutatedValueOf,
  nastyString,
  valueOf,
} from './fuzz-values.js';
import type { Json, Operation } from './openapi-operations.js';
import type { RawRequest } from './raw-request.js';

/** Random and malformed requests for one operation of the OpenAPI document: path, query, body and headers. */
export function requestsFor(operation: Operation, ids: string[]): fc.Arbitrary<RawRequest> {
  const segments = fc.tuple(...operation.pathParams.map((p) => segment(p.schema, ids)));
  const path = segments.map((values) =>
    operation.pathParams.reduce((at, p, i) => at.replace(`{${p.name}}`, values[i]!), operation.path),
  );
  const body = operation.bodySchema ? bodyOf(operation.bodySchema, ids) : fc.constant(undefined);
  return fc
    .record({ path, query: queryOf(operation, ids), body, headers: headersOf(operation.bodySchema !== undefined) })
    .map(({ path, query, body, headers }) => ({
      method: operation.method,
      path: query ? `${path}?${query}` : path,
      headers: { ...headers, ...(body !== undefined && body.contentType ? { 'content-type': body.contentType } : {}) },
      body: body?.text,
    }));
}

function segment(schema: Json, ids: string[]): fc.Arbitrary<string> {
  return fc
    .oneof(
      { weight: 4, arbitrary: valueOf(schema, ids).map((v) => encodeSegment(String(v))) },
      { weight: 2, arbitrary: nastyString.map(encodeSegment) },
      { weight: 1, arbitrary: fc.constantFrom(...brokenEncodings, '..', '.') },
    )
    .filter((s) => s !== '');
}

function queryOf(operation: Operation, ids: string[]): fc.Arbitrary<string> {
  const value = (schema: Json) =>
    fc.oneof(
      { weight: 3, arbitrary: valueOf(schema, ids).map((v) => encodeSegment(String(v))) },
      { weight: 2, arbitrary: nastyString.map(encodeSegment) },
      { weight: 1, arbitrary: fc.constantFrom(...brokenEncodings) },
    );
  const known = operation.queryParams.map((p) =>
    fc.option(
      fc.array(value(p.schema), { minLength: 1, maxLength: 2 }).map((values) => values.map((v) => `${p.name}=${v}`)),
      { freq: 2 },
    ),
  );
  const unknown = fc.option(
    fc.tuple(nastyString, nastyString).map(([k, v]) => [`${encodeSegment(k) || 'x'}=${encodeSegment(v)}`]),
    { freq: 6 },
  );
  return fc.tuple(...known, unknown).map((parts) => parts.flatMap((p) => p ?? []).join('&'));
}

type Body = { text: string | Buffer | undefined; contentType: string | string[] | undefined };

function bodyOf(schema: Json, ids: string[]): fc.Arbitrary<Body | undefined> {
  const names = Object.keys((schema.properties ?? {}) as Json);
  const field = names.length > 0 ? fc.constantFrom(...names) : fc.constant('x');
  const text = fc.oneof(
    { weight: 6, arbitrary: valueOf(schema, ids).map((v) => JSON.stringify(v)) },
    { weight: 6, arbitrary: mutatedValueOf(schema, ids).map((v) => JSON.stringify(v)) },
    { weight: 2, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(field, fc.constantFrom(64, 1_000, 20_000, 200_000), fc.constantFrom('[' as const, '{"a":' as const))
        .map(([key, depth, open]) => deeplyNested(key, depth, open)),
    },
    { weight: 2, arbitrary: malformedBody },
    { weight: 1, arbitrary: field.map((key) => JSON.stringify({ [key]: 'x'.repeat(1024 * 1024 + 1) })) },
  );
  const contentType = fc.oneof(
    { weight: 8, arbitrary: fc.constant('application/json') },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        'application/json; charset=utf-8',
        'APPLICATION/JSON',
        'application/json; charset=latin1',
        'application/json; charset=utf-7',
        'application/json; charset=nope',
        'application/merge-patch+json',
        'application/vnd.api+json',
        'text/plain',
        'text/json',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/xml',
        ';;;',
        '*/*',
      ),
    },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constant<string[]>(['application/json', 'text/plain']) },
  );
  return fc
    .option(
      fc.record({ text, contentType }).map((body) => body),
      { freq: 12 },
    )
    .map((body) => body ?? undefined);
}

const headerNames = ['If-Match', 'X-Request-Id', 'X-Correlation-Id', 'Last-Event-ID', 'Accept', 'Origin'];

/** Odd, duplicated and oversized headers; a duplicated Content-Length only where a body goes. */
function headersOf(withBody: boolean): fc.Arbitrary<Record<string, string | string[]>> {
  const one = fc.tuple(
    fc.constantFrom(...headerNames),
    fc.oneof(headerValue, fc.array(headerValue, { minLength: 2, maxLength: 3 })),
  );
  const oversized = fc.option(
    fc.constantFrom<[string, string | string[]]>(
      ['X-Oversized', 'a'.repeat(20_000)],
      ['Cookie', 'c=1; '.repeat(5_000)],
      ...(withBody ? [['Content-Length', ['1', '2']] as [string, string[]]] : []),
    ),
    { freq: 15 },
  );
  return fc
    .tuple(fc.array(one, { maxLength: 3 }), oversized)
    .map(([pairs, extra]) => Object.fromEntries([...pairs, ...(extra ? [extra] : [])]));
}
