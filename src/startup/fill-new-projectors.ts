import type { EntityManager } from '@mikro-orm/knex';
import { projectors } from '../../projections/projectors.js';
import { ensureCheckpoints, rebuildProjections } from '../../projections/rebuild.js';
import { readAll } from '../event-store/read-all.js';

/** Gives every projector without a checkpoint one, and replays the log into those, if it holds anything. */
export async function fillNewProjectors(em: () => EntityManager, log?: (message: string) => void): Promise<void> {
  const added = await ensureCheckpoints(em(), projectors);
  if (added.length === 0 || (await readAll(em(), 0, 1)).length === 0) return;
  log?.(`Replaying the event log into new projectors: ${added.join(', ')}`);
  await rebuildProjections(
    em(),
    projectors.filter((p) => added.includes(p.name)),
  );
}
