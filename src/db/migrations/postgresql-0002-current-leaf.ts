import { Migration } from '@mikro-orm/migrations';

export class PostgresqlCurrentLeaf extends Migration {
  override up(): void {
    this.addSql('alter table conversations add column current_leaf_id varchar(64) null');
    // Conversations that already have messages: their newest one is where they stand.
    this.addSql(`update conversations set current_leaf_id = (
      select m.id from messages m where m.conversation_id = conversations.id order by m.seq desc limit 1
    )`);
  }
}
