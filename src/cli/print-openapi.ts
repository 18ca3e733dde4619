import { loadConfig } from '../config/config.js';
import { apiInfo, apiRoutes } from '../http/app.js';
import { openApiDocument } from '../http/openapi.js';

// As a server with the default limits and an API_TOKEN serves it: the fuller document, with its 401s and the scheme in use.
const routes = apiRoutes(loadConfig({}));
process.stdout.write(`${JSON.stringify(openApiDocument(routes, apiInfo, { bearerRequired: true }), null, 2)}\n`);
