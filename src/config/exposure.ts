import { isIP } from 'node:net';
import type { Config } from './config.js';

/** Only this machine can reach a server bound to one of these. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/** What to tell whoever starts a server that others can reach and that asks nobody for a token. */
export function exposureWarning(config: Pick<Config, 'host' | 'apiToken'>): string | null {
  if (config.apiToken !== null || isLoopback(config.host)) return null;
  return (
    `HOST=${config.host} lets other machines reach the API, and API_TOKEN is not set: anyone who can reach this ` +
    'port can read and change every conversation. Set API_TOKEN, or bind to 127.0.0.1.'
  );
}
