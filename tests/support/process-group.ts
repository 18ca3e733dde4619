import type { ChildProcess } from 'node:child_process';

/** SIGKILL to a detached child's whole process group (the process and any it started), if it still runs. */
export function killGroup(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
