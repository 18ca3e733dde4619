import { Migration } from '@mikro-orm/migrations';

/**
 * Documents and their chunks (projections/knowledge.projector.ts), and the bytes of uploaded files. `document_files`
 * is no read model: like the log, it is written by commands (in the transaction that appends DocumentAdded) and
 * never rebuilt; its rows are content-addressed, so the same file uploaded twice is kept once.
 * The chunks' FTS5 index follows the search index's design (sqlite-0008-search): external content, inserts by
 * trigger, deletes by the projection writes, secure-delete on.
 */
export class SqliteKnowledge extends Migration {
  override up(): void {
    this.addSql(`create table document_files (
      sha256 text primary key, size integer not null, bytes blob not null
    )`);
    this.addSql(`create table documents (
      id text primary key, project_id text not null, name text not null, mime_type text not null,
      size integer not null, sha256 text not null, failure text null, page_count integer null,
      chunked integer not null, chunk_count integer not null, embedded_count integer not null,
      embedding_model text null, tokenizer text null, created_at text not null, updated_at text not null,
      deleted_at text null, version integer not null
    )`);
    this.addSql('create index documents_project_id_created_at_index on documents (project_id, created_at)');
    this.addSql('create index documents_sha256_index on documents (sha256)');
    this.addSql(`create table document_texts (
      id text primary key, project_id text not null, text text not null, pages text null, sections text not null
    )`);
    this.addSql(`create table knowledge_chunks (
      seq integer primary key, id text not null, document_id text not null, project_id text not null,
      ord integer not null, text text not null, char_start integer not null, char_end integer not null,
      tokens integer not null, pages text not null, heading text not null, embedded_model text null
    )`);
    this.addSql('create unique index knowledge_chunks_id_unique on knowledge_chunks (id)');
    this.addSql('create index knowledge_chunks_document_id_ord_index on knowledge_chunks (document_id, ord)');
    this.addSql('create index knowledge_chunks_project_id_index on knowledge_chunks (project_id)');
    this.addSql(`create virtual table knowledge_fts using fts5(
      text, content = 'knowledge_chunks', content_rowid = 'seq', tokenize = 'unicode61 remove_diacritics 0'
    )`);
    this.addSql(`insert into knowledge_fts (knowledge_fts, rank) values ('secure-delete', 1)`);
    this.addSql(`create trigger knowledge_chunks_inserted after insert on knowledge_chunks begin
      insert into knowledge_fts (rowid, text) values (new.seq, new.text);
    end`);
    this.addSql(`create table knowledge_leases (
      document_id text primary key, holder text not null, expires_at integer not null
    )`);
  }
}
