/** What an id can name. Ids are one space: a client-made id names one thing or none. */
export type IdOwner = 'project' | 'conversation' | 'document' | 'message' | 'chat session';

/**
 * What else a new stream's id already names, as the command layer found it: null when nothing, or when the id was
 * made by this server (fresh by construction, so not looked up).
 */
export type IdTakenBy = IdOwner | null;
