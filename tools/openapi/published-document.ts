import { loadConfig } from '../../src/config/config.js';
import { apiInfo, apiRoutes } from '../../src/http/app.js';
import { openApiDocument } from '../../src/http/openapi.js';

/** Where the committed document and the types generated from it live, from the repository root. */
export const DOCUMENT_FILE = 'openapi.json';
export const TYPES_FILE = 'clients/typescript/api-types.ts';

/**
 * The document a server with the documented defaults and an API_TOKEN serves: the fuller one, with its 401s and the
 * bearer scheme. It is what openapi.json holds and what the client types are generated from.
 */
export function publishedDocument(): object {
  return openApiDocument(apiRoutes(loadConfig({})), apiInfo, { bearerRequired: true });
}

export const documentText = (document: object): string => `${JSON.stringify(document, null, 2)}\n`;
