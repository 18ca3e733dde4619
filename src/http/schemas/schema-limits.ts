import type { Config } from '../../config/config.js';

/** The bounds of request schemas that settings change: routes and /openapi.json are built from them at start. */
export type SchemaLimits = Pick<
  Config,
  | 'maxNameLength'
  | 'maxMessageLength'
  | 'maxTitleLength'
  | 'maxDescriptionLength'
  | 'maxPageSize'
  | 'maxMessagesPageSize'
  | 'maxEventsPageSize'
>;
