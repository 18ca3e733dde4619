import { Migration } from '@mikro-orm/migrations';

/**
 * Generation settings: a project's defaults and a conversation's overrides, as JSON objects of the fields set. No
 * event before this one set any, so every existing row starts with none and nothing needs a replay.
 */
export class SqliteSettings extends Migration {
  override up(): void {
    this.addSql(`alter table projects add column settings text not null default '{}'`);
    this.addSql(`alter table conversations add column settings text not null default '{}'`);
  }
}
