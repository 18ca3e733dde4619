import { apiInfo, routes } from '../http/app.js';
import { openApiDocument } from '../http/openapi.js';

// As a server with API_TOKEN serves it: the fuller document, with its 401s and the scheme in use.
process.stdout.write(`${JSON.stringify(openApiDocument(routes, apiInfo, { bearerRequired: true }), null, 2)}\n`);
