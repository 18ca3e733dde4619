import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Global setup: builds dist/ from the sources under test, so the tests that start the server or a CLI as a process
 * run the bundles `npm start` and the npm scripts run, never a stale build.
 */
export default function buildBundles(): void {
  execFileSync(process.execPath, [join(import.meta.dirname, '..', '..', 'scripts', 'build.mjs')], {
    cwd: join(import.meta.dirname, '..', '..'),
    stdio: 'inherit',
  });
}
