import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import Value from 'typebox/value';
import { escapePointer, MAX_JSON_DEPTH, tooDeepAt } from './json-depth.js';
import { HttpProblem } from './problem.js';

export type Part = 'params' | 'query' | 'body';

/** Compiles a schema once; each call converts (query strings), applies defaults and checks. */
export function validator(schema: TSchema, part: Part) {
  const compiled = Compile(schema);
  return (input: unknown): unknown => {
    const tooDeep = tooDeepAt(input, MAX_JSON_DEPTH);
    if (tooDeep !== undefined) {
      const message = `must not nest objects and arrays more than ${MAX_JSON_DEPTH} levels deep`;
      const path = `${part}${tooDeep}`;
      throw new HttpProblem(422, 'validation', `${part}: ${message}`, [{ path, message }]);
    }
    const unstorable = unstorableAt(input, '');
    if (unstorable !== undefined) {
      const message = 'must not contain NUL characters or unpaired UTF-16 surrogates';
      const path = `${part}${unstorable}`;
      throw new HttpProblem(422, 'validation', `${path}: ${message}`, [{ path, message }]);
    }
    const value =
      part === 'body' ? Value.Default(schema, structuredClone(input)) : Value.Default(schema, convert(schema, input));
    if (compiled.Check(value)) return value;
    const errors = [...compiled.Errors(value)]
      .filter((e) => e.keyword !== 'boolean')
      .flatMap((e) => describe(e).map(([at, message]) => ({ path: `${part}${e.instancePath}${at}`, message })))
      .filter((e, _, all) => !isUnionNoise(e, all));
    const first = errors[0];
    throw new HttpProblem(
      422,
      'validation',
      first ? `${first.path}: ${first.message}` : `Invalid ${part}`,
      errors.length > 0 ? errors : [{ path: part, message: 'is invalid' }],
    );
  };
}

/** Value.Convert turns '2.5', '1e1' or '0x10' into integers; an integer in a URL must be written as one. */
function convert(schema: TSchema, input: unknown): unknown {
  const raw = Object.entries(input as Record<string, unknown>); // before Convert, which may change input in place
  const converted = Value.Convert(schema, input) as Record<string, unknown>;
  const properties = (schema as { properties?: Record<string, { type?: unknown }> }).properties ?? {};
  for (const [name, value] of raw) {
    const notAnInteger = typeof value === 'string' && !/^-?\d+$/.test(value);
    if (properties[name]?.type === 'integer' && notAnInteger) converted[name] = value;
  }
  return converted;
}

type SchemaError = { keyword: string; message: string; params: Record<string, unknown> };

/** [path suffix, message] pairs, naming the field where TypeBox names only its parent. */
function describe(error: SchemaError): [string, string][] {
  const names = (key: string) => {
    const value = error.params[key];
    return Array.isArray(value) ? value.map(String) : [];
  };
  switch (error.keyword) {
    case 'additionalProperties':
      return names('additionalProperties').map((name) => [`/${name}`, 'is not a known field']);
    case 'required':
      return names('requiredProperties').map((name) => [`/${name}`, 'is required']);
    case 'pattern':
      return error.params.pattern === '\\S' ? [['', 'must not be blank']] : [['', error.message]];
    default:
      return [['', error.message]];
  }
}

/** NUL and lone surrogates: neither database can store them (SQLite cuts the SQL at NUL; PostgreSQL refuses both). */
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
export const unstorableText = { test: (text: string) => text.includes('\u0000') || loneSurrogate.test(text) };

/** The JSON pointer of the first string (value or key) the databases cannot store, if any. */
function unstorableAt(value: unknown, at: string): string | undefined {
  if (typeof value === 'string') return unstorableText.test(value) ? at : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const path = `${at}/${escapePointer(key)}`;
    if (unstorableText.test(key)) return path;
    const found = unstorableAt(item, path);
    if (found !== undefined) return found;
  }
  return undefined;
}

const unionNoise = new Set(['must be null', 'must match a schema in anyOf']);

/** For a nullable field, the specific complaint ('must be string') says it all; drop the union's echoes. */
function isUnionNoise(error: { path: string; message: string }, all: { path: string; message: string }[]): boolean {
  return (
    unionNoise.has(error.message) && all.some((other) => other.path === error.path && !unionNoise.has(other.message))
  );
}
