import { Migration } from '@mikro-orm/migrations';

/** Start-up looks for answers cut off mid-stream; a partial index keeps that instant on a large database. */
export class SqliteStreamingIndex extends Migration {
  override up(): void {
    this.addSql("create index messages_streaming_index on messages (conversation_id) where status = 'streaming'");
  }
}
