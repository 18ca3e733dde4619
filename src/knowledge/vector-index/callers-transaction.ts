import type { EntityManager } from '@mikro-orm/knex';
import { inTransaction } from '../../db/in-transaction.js';

/**
 * Runs a write of several statements in the caller's transaction (an `inTransaction` callback's entity manager, or
 * the ORM's), or, when the entity manager has none, in one of its own: never one statement committed without the
 * others.
 */
export const inCallersTransaction = <T>(em: EntityManager, work: (tx: EntityManager) => Promise<T>): Promise<T> =>
  em.getTransactionContext() ? work(em) : inTransaction(em, work);
