import { Migration } from '@mikro-orm/migrations';

/** Names and titles are bounded by MAX_NAME_LENGTH and MAX_TITLE_LENGTH, which may be set above the old column sizes. */
export class PostgresqlUnboundedText extends Migration {
  override up(): void {
    this.addSql('alter table projects alter column name type text');
    this.addSql('alter table conversations alter column title type text');
  }
}
