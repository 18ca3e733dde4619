import { Type } from 'typebox';
import { nullable, Uuid } from './common.schemas.js';

export const KnowledgeQueryBody = Type.Object(
  {
    q: Type.String({ minLength: 1, maxLength: 10_000, pattern: '\\S', description: 'The question, as a chat asks it' }),
    top_k: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'Default RETRIEVAL_TOP_K' })),
  },
  { additionalProperties: false },
);

const Scores = Type.Object(
  {
    vector: nullable(Type.Number({ description: 'Cosine similarity to the question; null: not among the candidates' })),
    vector_rank: nullable(Type.Integer()),
    full_text: nullable(Type.Number({ description: 'Full-text rank (BM25 on SQLite, ts_rank_cd on PostgreSQL)' })),
    full_text_rank: nullable(Type.Integer()),
    fused: Type.Number({ description: 'Reciprocal-rank fusion of both ranks (k = 60)' }),
    rerank: nullable(Type.Number({ description: 'The reranker’s score, when RERANK_API_URL is set' })),
  },
  { additionalProperties: false },
);

export const RetrievedChunkSchema = Type.Object(
  {
    chunk_id: Type.String(),
    document_id: Uuid,
    document_name: Type.String(),
    text: Type.String(),
    snippet: Type.String(),
    pages: Type.Array(Type.Integer()),
    heading: Type.Array(Type.String()),
    tokens: Type.Integer(),
    scores: Scores,
  },
  { additionalProperties: false, title: 'RetrievedChunk' },
);

export const KnowledgeQueryResult = Type.Object(
  {
    mode: Type.Union([Type.Literal('hybrid'), Type.Literal('full_text')]),
    reason: Type.Optional(
      Type.Union([Type.Literal('embedding_disabled'), Type.Literal('embedding_failed')], {
        description: 'Why vectors were not used',
      }),
    ),
    error: Type.Optional(Type.String()),
    reranked: Type.Boolean(),
    candidates: Type.Integer({ description: 'Distinct chunks the two rankings proposed' }),
    chunks: Type.Array(RetrievedChunkSchema, { description: 'Best first, as a chat would put them in its prompt' }),
  },
  { additionalProperties: false, title: 'KnowledgeQueryResult' },
);
