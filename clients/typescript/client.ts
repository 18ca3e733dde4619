import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './api-types.js';

export type ApiClient = Client<paths>;

/** A typed client of the API: every path, parameter, body and answer checked against openapi.json's types. */
export function createApiClient(baseUrl: string, apiToken?: string): ApiClient {
  return createClient<paths>({
    baseUrl,
    ...(apiToken ? { headers: { authorization: `Bearer ${apiToken}` } } : {}),
  });
}
