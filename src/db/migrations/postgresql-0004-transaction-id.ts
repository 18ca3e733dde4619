import { Migration } from '@mikro-orm/migrations';

/**
 * A transaction gets its id before its first log position. readCommitted relies on it: once every transaction
 * older than one it starts has ended, each position handed out before then is committed or never will be.
 */
export class PostgresqlTransactionId extends Migration {
  override up(): void {
    this.addSql(`create function events_next_position() returns bigint language plpgsql as $$
      begin
        perform pg_current_xact_id();
        return nextval('events_position_seq');
      end $$`);
    this.addSql('alter table events alter column position set default events_next_position()');
  }
}
