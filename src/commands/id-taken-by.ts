import type { EntityManager } from '@mikro-orm/knex';
import type { IdTakenBy } from '../domain/shared/id-owner.js';
import { idOwner } from '../queries/id-owner.queries.js';

/** Who made a new stream's id: a client may pick one that names something already; this server's are fresh. */
export type IdChosenBy = 'client' | 'server';

/** What else a new stream's id names, for its create command to decide on. */
export async function idTakenBy(em: EntityManager, id: string, chosenBy: IdChosenBy): Promise<IdTakenBy> {
  return chosenBy === 'server' ? null : idOwner(em, id);
}
