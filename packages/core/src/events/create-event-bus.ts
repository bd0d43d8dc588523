import { EventEmitter } from 'eventemitter3';
import type { PreloopEventMap } from './event-map.js';

/** One listener per kernel event, typed by its payload. */
export type PreloopEventListeners = { [K in keyof PreloopEventMap]: (payload: PreloopEventMap[K]) => void };

/** A listener for every event (used by the admin API's server-sent event stream). */
export type AnyEventListener = (name: string, payload: unknown) => void;

/** The kernel's typed event emitter (eventemitter3), plus `onAny` to observe every event. */
export type PreloopEvents = EventEmitter<PreloopEventListeners> & {
  /** Observes every event; returns the function that stops observing. */
  onAny(listener: AnyEventListener): () => void;
};

/**
 * Creates the typed event emitter behind `preloop.events`. A listener that
 * throws never breaks the operation that emitted (it becomes a process warning).
 *
 * @example
 * ```ts
 * const events = createEvents();
 * events.on('session-ended', ({ sessionId }) => console.log(sessionId));
 * ```
 */
export function createEvents(): PreloopEvents {
  const events = new EventEmitter<PreloopEventListeners>() as PreloopEvents;
  const anyListeners = new Set<AnyEventListener>();
  const emit = events.emit.bind(events);
  const warn = (name: unknown, error: unknown) =>
    process.emitWarning(`A listener of "${String(name)}" threw: ${(error as Error)?.message ?? String(error)}`, 'PreloopEventWarning');
  events.emit = ((name: keyof PreloopEventMap, payload: never) => {
    for (const listener of anyListeners) {
      try {
        listener(name, payload);
      } catch (error) {
        warn(name, error);
      }
    }
    try {
      return emit(name, payload);
    } catch (error) {
      warn(name, error);
      return true;
    }
  }) as typeof events.emit;
  events.onAny = (listener) => {
    anyListeners.add(listener);
    return () => anyListeners.delete(listener);
  };
  return events;
}
