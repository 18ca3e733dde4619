import { readFile, writeFile } from 'node:fs/promises';
import { clientTypes } from './client-types.js';
import { DOCUMENT_FILE, TYPES_FILE } from './published-document.js';

// npm run client:types: the client types from the committed openapi.json.
const document = JSON.parse(await readFile(DOCUMENT_FILE, 'utf8')) as object;
await writeFile(TYPES_FILE, await clientTypes(document));
console.log(`wrote ${TYPES_FILE} from ${DOCUMENT_FILE}`);
