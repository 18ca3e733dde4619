import openapiTS, { astToString, COMMENT_HEADER, type OpenAPI3 } from 'openapi-typescript';

/** The TypeScript types of an OpenAPI document (paths, components, operations), as openapi-fetch takes them. */
export async function clientTypes(document: object): Promise<string> {
  const nodes = await openapiTS(document as OpenAPI3);
  return `${COMMENT_HEADER}${astToString(nodes)}`;
}
