import { conversationEventTypes, type ConversationEvent } from './conversation/conversation.events.js';
import { documentEventTypes, type DocumentEvent } from './document/document.events.js';
import { projectEventTypes, type ProjectEvent } from './project/project.events.js';

export type DomainEvent = ProjectEvent | ConversationEvent | DocumentEvent;
export type DomainEventType = DomainEvent['type'];
export type StreamType = 'project' | 'conversation' | 'document';

export const domainEventTypes: readonly DomainEventType[] = [
  ...projectEventTypes,
  ...conversationEventTypes,
  ...documentEventTypes,
];
