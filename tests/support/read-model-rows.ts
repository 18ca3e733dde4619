import { MikroORM, type EntityName } from '@mikro-orm/core';
import { ormConfig } from '../../mikro-orm.config.js';
import { ConversationView } from '../../projections/conversation.entity.js';
import { DocumentTextView, DocumentView, KnowledgeChunkView } from '../../projections/knowledge.entity.js';
import { MessageView } from '../../projections/message.entity.js';
import { ProjectView } from '../../projections/project.entity.js';
import { SearchDocumentView } from '../../projections/search.entity.js';
import { UsageMessageView } from '../../projections/usage.entity.js';

/** Runs `use` with an ORM of its own on the database, as another process would. */
export async function withOrm<T>(databaseUrl: string, use: (orm: MikroORM) => Promise<T>): Promise<T> {
  const orm = await MikroORM.init(await ormConfig(databaseUrl));
  try {
    return await use(orm);
  } finally {
    await orm.close(true);
  }
}

/** Every row of the read model tables, every column, in id order. */
export async function tableRows(databaseUrl: string): Promise<Record<string, unknown[]>> {
  return withOrm(databaseUrl, async (orm) => {
    const all = async <T extends { id: string }>(entity: EntityName<T>) => {
      const found = await orm.em.fork().find(entity, {}, { disableIdentityMap: true });
      return found.map((row) => ({ ...row })).sort((a, b) => (a.id < b.id ? -1 : 1));
    };
    return {
      projects: await all(ProjectView),
      conversations: await all(ConversationView),
      messages: await all(MessageView),
      search_documents: await all(SearchDocumentView),
      usage_messages: await all(UsageMessageView),
      documents: await all(DocumentView),
      document_texts: await all(DocumentTextView),
      knowledge_chunks: await all(KnowledgeChunkView),
    };
  });
}
