import type { Dialect } from '../db/dialect.js';
import { nowMsSql } from '../db/now-ms.js';
import { LOCK_NAMESPACE } from './advisory-lock.js';
import { LEASE_MS } from './heartbeat.js';

/** SQL that is true while the process `g.instance_id` (of the `generations` row `g`) is alive. */
export function aliveSql(dialect: Dialect): string {
  if (dialect === 'sqlite') {
    return `exists (select 1 from instances i where i.id = g.instance_id and i.heartbeat_at >= ${nowMsSql('sqlite')} - ${LEASE_MS})`;
  }
  return (
    "exists (select 1 from pg_locks l where l.locktype = 'advisory' and l.granted and l.objsubid = 2 " +
    'and l.database = (select oid from pg_database where datname = current_database()) ' +
    `and l.classid = ${LOCK_NAMESPACE} and l.objid = hashtext(g.instance_id)::oid)`
  );
}
