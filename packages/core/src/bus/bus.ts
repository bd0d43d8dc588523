import { EventEmitter } from 'eventemitter3';

/** A handler for Bus messages on one channel. */
export type BusHandler = (payload: unknown) => void;

/**
 * Carries small signals between Preloop instances (an approval was decided, a
 * session ended, a key was revoked, the kill switch was pulled). Every instance,
 * the publisher included, receives each message once.
 */
export interface Bus {
  /** Sends `payload` (JSON-serializable, under 7 KB) to every subscriber of `channel` on every instance. */
  publish(channel: string, payload: unknown): Promise<void>;
  /** Subscribes to a channel; returns the function that unsubscribes. */
  subscribe(channel: string, handler: BusHandler): () => void;
  /** Stops delivering and releases connections. */
  close(): Promise<void>;
}

/**
 * Creates the in-process Bus: the default when only one instance runs.
 *
 * @example
 * ```ts
 * const bus = createMemoryBus();
 * bus.subscribe('approvals', (payload) => console.log(payload));
 * await bus.publish('approvals', { id: 'a1' });
 * ```
 */
export function createMemoryBus(): Bus {
  const emitter = new EventEmitter();
  return {
    async publish(channel, payload) {
      const copy = JSON.parse(JSON.stringify(payload ?? null)) as unknown;
      queueMicrotask(() => emitter.emit(channel, copy));
    },
    subscribe(channel, handler) {
      emitter.on(channel, handler);
      return () => emitter.off(channel, handler);
    },
    async close() {
      emitter.removeAllListeners();
    },
  };
}
