import type { ProjectStatus } from '../domain/conversation/conversation.commands.js';

/** What an import needs besides the file: where the conversations go, new ids, the time, the limits. */
export type ImportContext = {
  newId: () => string;
  /** ISO 8601, UTC: for what the file does not date. */
  now: string;
  project_id: string | null;
  project_status: ProjectStatus | null;
  metadataMaxBytes: number;
  metadataMaxDepth: number;
  /** MAX_TITLE_LENGTH: longer titles are refused in an export of this API, cut in ChatGPT's. */
  maxTitleLength: number;
};
