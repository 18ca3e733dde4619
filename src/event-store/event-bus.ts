import { EventEmitter } from 'eventemitter3';
import type { StoredEvent } from './stored-event.js';

type BusEvents = { committed: (events: StoredEvent[]) => void };

/** In-process publication of committed events, in commit order. */
export type EventBus = EventEmitter<BusEvents>;

export const createEventBus = (): EventBus => new EventEmitter<BusEvents>();
