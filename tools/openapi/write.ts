import { writeFile } from 'node:fs/promises';
import { clientTypes } from './client-types.js';
import { DOCUMENT_FILE, documentText, publishedDocument, TYPES_FILE } from './published-document.js';

// npm run openapi:write: openapi.json and the client types, from the routes as they are now.
const document = publishedDocument();
await writeFile(DOCUMENT_FILE, documentText(document));
await writeFile(TYPES_FILE, await clientTypes(document));
console.log(`wrote ${DOCUMENT_FILE} and ${TYPES_FILE}`);
