import { Migration } from '@mikro-orm/migrations';

/**
 * The facts of usage statistics, one row per message (projections/usage.projector.ts). Existing messages get
 * theirs from a replay: a new projector is filled from the log on the next start.
 */
export class PostgresqlUsage extends Migration {
  override up(): void {
    this.addSql(`create table usage_messages (
      id varchar(64) primary key, conversation_id varchar(64) not null, role varchar(16) not null,
      status varchar(16) not null, created_at varchar(32) not null, model_name varchar(255) null,
      completion_tokens integer null, prompt_n double precision null, prompt_ms double precision null,
      predicted_n double precision null, predicted_ms double precision null, completion_time_ms integer null,
      reaction varchar(16) null
    )`);
    this.addSql('create index usage_messages_created_at_index on usage_messages (created_at)');
    this.addSql('create index usage_messages_conversation_id_index on usage_messages (conversation_id)');
  }
}
