import { conversationEventTypes, type ConversationEvent } from './conversation/conversation.events.js';
import { projectEventTypes, type ProjectEvent } from './project/project.events.js';

export type DomainEvent = ProjectEvent | ConversationEvent;
export type DomainEventType = DomainEvent['type'];
export type StreamType = 'project' | 'conversation';

export const domainEventTypes: readonly DomainEventType[] = [...projectEventTypes, ...conversationEventTypes];
