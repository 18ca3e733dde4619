import { Migration } from '@mikro-orm/migrations';

/**
 * The facts of usage statistics, one row per message (projections/usage.projector.ts). Existing messages get
 * theirs from a replay: a new projector is filled from the log on the next start.
 */
export class SqliteUsage extends Migration {
  override up(): void {
    this.addSql(`create table usage_messages (
      id text primary key, conversation_id text not null, role text not null, status text not null,
      created_at text not null, model_name text null, completion_tokens integer null,
      prompt_n real null, prompt_ms real null, predicted_n real null, predicted_ms real null,
      completion_time_ms integer null, reaction text null
    )`);
    this.addSql('create index usage_messages_created_at_index on usage_messages (created_at)');
    this.addSql('create index usage_messages_conversation_id_index on usage_messages (conversation_id)');
  }
}
