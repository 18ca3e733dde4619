import { Migration } from '@mikro-orm/migrations';

/**
 * Full-text search (projections/search.projector.ts). The projector writes `search_documents`; an FTS5 index over
 * its `body` follows inserts and updates through triggers (an external-content table: the text is stored once).
 * Deletes are the projection writes' (projections/read-model-sql.ts): a delete trigger would make emptying the table for a rebuild
 * cost a lookup per row. `seq` is the row's rowid, named so that VACUUM keeps it: the index refers to rows by it.
 * FTS5's secure-delete makes a delete remove the words from the index itself, so a purge leaves none of them in
 * the file (scrubbed-deletes.ts).
 * Words are case-folded and keep their accents, as with PostgreSQL's `simple` configuration.
 * Existing conversations are indexed by a replay: a new projector is filled from the log on the next start.
 */
export class SqliteSearch extends Migration {
  override up(): void {
    this.addSql(`create table search_documents (
      seq integer primary key, id text not null, conversation_id text not null, message_id text null,
      role text null, body text not null
    )`);
    this.addSql('create unique index search_documents_id_unique on search_documents (id)');
    this.addSql('create index search_documents_conversation_id_index on search_documents (conversation_id)');
    this.addSql(`create virtual table search_fts using fts5(
      body, content = 'search_documents', content_rowid = 'seq', tokenize = 'unicode61 remove_diacritics 0'
    )`);
    this.addSql(`insert into search_fts (search_fts, rank) values ('secure-delete', 1)`);
    this.addSql(`create trigger search_documents_inserted after insert on search_documents begin
      insert into search_fts (rowid, body) values (new.seq, new.body);
    end`);
    this.addSql(`create trigger search_documents_updated after update of body on search_documents begin
      insert into search_fts (search_fts, rowid, body) values ('delete', old.seq, old.body);
      insert into search_fts (rowid, body) values (new.seq, new.body);
    end`);
  }
}
