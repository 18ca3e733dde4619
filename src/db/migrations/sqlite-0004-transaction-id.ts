import { Migration } from '@mikro-orm/migrations';

/** Nothing to do: SQLite runs one writer at a time, so log positions already commit in order. */
export class SqliteTransactionId extends Migration {
  override up(): void {}
}
