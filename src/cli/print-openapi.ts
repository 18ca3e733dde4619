import { apiInfo, routes } from '../http/app.js';
import { openApiDocument } from '../http/openapi.js';

process.stdout.write(`${JSON.stringify(openApiDocument(routes, apiInfo), null, 2)}\n`);
