import { Migration } from '@mikro-orm/migrations';

/**
 * Chunk vectors (src/knowledge/vector-index). The vectors themselves live in vec0 virtual tables of sqlite-vec,
 * one per dimension, created when the first vector of that dimension is stored (knowledge_vectors_768 and so on):
 * a vec0 table fixes its dimension when it is created. This table maps each chunk to its row there (`seq` is the
 * vec0 rowid) and says which table holds it, so a chunk, a document or a project is found and removed without a
 * scan of the vectors, and which text it is the vector of (`text_hash`), so the same text is not embedded twice.
 */
export class SqliteVectors extends Migration {
  override up(): void {
    this.addSql(`create table knowledge_vector_chunks (
      seq integer primary key, chunk_id text not null, project_id text not null, document_id text not null,
      model text not null, dimensions integer not null, text_hash text
    )`);
    this.addSql('create unique index knowledge_vector_chunks_chunk_id_unique on knowledge_vector_chunks (chunk_id)');
    this.addSql('create index knowledge_vector_chunks_project_id_index on knowledge_vector_chunks (project_id)');
    this.addSql('create index knowledge_vector_chunks_document_id_index on knowledge_vector_chunks (document_id)');
    this.addSql('create index knowledge_vector_chunks_text_index on knowledge_vector_chunks (model, text_hash)');
  }
}
