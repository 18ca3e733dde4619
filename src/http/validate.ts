import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import Value from 'typebox/value';
import { HttpProblem } from './problem.js';

export type Part = 'params' | 'query' | 'body';

/** Compiles a schema once; each call converts (query strings), applies defaults and checks. */
export function validator(schema: TSchema, part: Part) {
  const compiled = Compile(schema);
  return (input: unknown): unknown => {
    const value = part === 'body' ? Value.Default(schema, structuredClone(input)) : Value.Default(schema, Value.Convert(schema, input));
    if (compiled.Check(value)) return value;
    const errors = [...compiled.Errors(value)]
      .filter((e) => e.keyword !== 'boolean')
      .flatMap((e) => describe(e).map(([at, message]) => ({ path: `${part}${e.instancePath}${at}`, message })));
    const first = errors[0];
    throw new HttpProblem(
      422,
      'validation',
      first ? `${first.path}: ${first.message}` : `Invalid ${part}`,
      errors.length > 0 ? errors : [{ path: part, message: 'is invalid' }],
    );
  };
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
