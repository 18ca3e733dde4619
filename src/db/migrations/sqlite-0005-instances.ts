import { Migration } from '@mikro-orm/migrations';

/**
 * Which process runs which answer, and whether that process is alive: so a process that starts, or that
 * outlives a crashed sibling, marks interrupted only the answers nobody is generating any more.
 * Operational state, not part of the log: a rebuild neither needs nor touches it.
 */
export class SqliteInstances extends Migration {
  override up(): void {
    this.addSql('create table instances (id varchar(64) primary key, heartbeat_at bigint not null)');
    this.addSql(
      'create table generations (message_id varchar(64) primary key, instance_id varchar(64) not null, started_at bigint not null)',
    );
    this.addSql('create index generations_instance_index on generations (instance_id)');
  }
}
