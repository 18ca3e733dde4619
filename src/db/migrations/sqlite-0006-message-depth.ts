import { Migration } from '@mikro-orm/migrations';

/**
 * Where each message sits in its conversation's tree: its depth (the root's is 0) and its anchor, the nearest
 * ancestor whose depth is a multiple of 64. A page of a long branch then walks up by anchors and reads at most 64
 * messages more than it shows, instead of every message up to the root. Existing rows get their values from a
 * replay: with its checkpoint gone, the message projector is rebuilt from the log when the server next starts.
 */
export class SqliteMessageDepth extends Migration {
  override up(): void {
    this.addSql('alter table messages add column depth integer not null default 0');
    this.addSql('alter table messages add column anchor_id text null');
    this.addSql("delete from projection_checkpoints where name = 'message'");
  }
}
