import { EventEmitter } from 'eventemitter3';

/**
 * The channel on which a Bus tells its own instance that it reconnected after
 * an outage: signals sent meanwhile may be lost, so caches drop what they hold.
 * Only delivered locally, never published.
 */
export const busReconnectedChannel = 'bus.reconnected';

/** Whether a Bus can currently receive other instances' signals (see {@link Bus.status}). */
export interface BusStatus {
  /** False while the Bus's listening connection is down (it reconnects by itself). */
  connected: boolean;
  /** Why it is down. */
  reason?: string;
}

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
  /** Whether signals from other instances arrive now; a Bus without the method is always connected. */
  status?(): BusStatus;
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
