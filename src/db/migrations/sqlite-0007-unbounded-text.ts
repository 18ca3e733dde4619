import { Migration } from '@mikro-orm/migrations';

/** SQLite never enforced the varchar sizes PostgreSQL drops in the same migration: nothing to change. */
export class SqliteUnboundedText extends Migration {
  override up(): void {}
}
