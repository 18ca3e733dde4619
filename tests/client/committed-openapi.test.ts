import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { clientTypes } from '../../tools/openapi/client-types.js';
import { DOCUMENT_FILE, TYPES_FILE } from '../../tools/openapi/published-document.js';
import { startTestServer } from '../support/test-server.js';

const STALE = 'stale: run `npm run openapi:write` and commit openapi.json and the client types';
const committed = async (file: string) => readFile(new URL(`../../${file}`, import.meta.url), 'utf8');

describe('the committed OpenAPI document and client types', () => {
  it('openapi.json equals the document a server with the default settings and an API_TOKEN serves', async () => {
    const server = await startTestServer({ apiToken: 'a-token-for-the-document-test-0123456789' });
    const served = await fetch(`${server.url}/openapi.json`);
    expect(served.status).toBe(200);
    expect(await served.json(), `${DOCUMENT_FILE} is ${STALE}`).toEqual(JSON.parse(await committed(DOCUMENT_FILE)));
  });

  it('the client types are what openapi-typescript generates from openapi.json', async () => {
    const document = JSON.parse(await committed(DOCUMENT_FILE)) as object;
    expect(await clientTypes(document), `${TYPES_FILE} is ${STALE}`).toBe(await committed(TYPES_FILE));
  });
});
