export type Json = Record<string, any>;

export type Operation = {
  path: string;
  method: string;
  operationId: string;
  pathParams: { name: string; schema: Json }[];
  queryParams: { name: string; schema: Json; required: boolean }[];
  headerParams: { name: string; schema: Json }[];
  bodySchema: Json | undefined;
  /** Every status the document lists for this operation. */
  statuses: Set<number>;
  tags: string[];
};

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** Every operation of an OpenAPI 3.1 document, with its parameters and body schema resolved. */
export function operationsOf(doc: Json): Operation[] {
  return Object.entries(doc.paths as Record<string, Json>).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, raw]) => {
        const operation = resolve(doc, raw) as Json;
        const parameters = (operation.parameters ?? []) as Json[];
        const inPart = (part: string) => parameters.filter((p) => p.in === part);
        return {
          path,
          method: method.toUpperCase(),
          operationId: operation.operationId as string,
          pathParams: inPart('path').map((p) => ({ name: p.name, schema: p.schema })),
          queryParams: inPart('query').map((p) => ({ name: p.name, schema: p.schema, required: p.required === true })),
          headerParams: inPart('header').map((p) => ({ name: p.name, schema: p.schema })),
          bodySchema: operation.requestBody?.content?.['application/json']?.schema as Json | undefined,
          statuses: new Set(Object.keys(operation.responses ?? {}).map(Number)),
          tags: operation.tags ?? [],
        };
      }),
  );
}

/** Follows local `#/...` references, at any depth. */
function resolve(doc: Json, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => resolve(doc, item));
  if (typeof value !== 'object' || value === null) return value;
  const ref = (value as Json).$ref;
  if (typeof ref === 'string' && ref.startsWith('#/')) {
    const target = ref
      .slice(2)
      .split('/')
      .reduce<unknown>((node, key) => (node as Json)[key], doc);
    return resolve(doc, target);
  }
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolve(doc, item)]));
}
