import type { ApprovalEventMap } from '@preloop/approvals/api';
import type { PreloopEventMap } from '@preloop/core';
import type { FlowEventMap } from '@preloop/flows/api';
import type { GatewayEventMap } from '@preloop/gateway/api';
import { createSseParser } from './sse-parser.js';

/** The kernel's events the live stream sends (core's own payload types; `hook-failed` and `principal-authenticated` stay on the server). */
type KernelLiveEvents = Pick<
  PreloopEventMap,
  | 'audit-recorded'
  | 'user-changed'
  | 'team-changed'
  | 'api-key-changed'
  | 'agent-changed'
  | 'session-started'
  | 'session-ended'
  | 'session-activity'
  | 'tracker-event'
  | 'tracker-sync-progress'
  | 'tracker-issue-synced'
>;

/**
 * The events of the admin API's live stream (`GET /api/v1/events`), by name,
 * with their payloads: the kernel's, then the plugins' (approvals, gateway),
 * each the type the server emits, imported from the types-only `/api` entry of
 * the package that emits it. Any other name is delivered with an
 * `unknown`-shaped payload. A policy version, the kill switch and model
 * aliases have no event of their own: their changes arrive as
 * `audit-recorded` (`policy.apply`, `kill-switch.activate`, `kill-switch.deactivate`, `gateway.model.*`).
 */
export interface PreloopLiveEventMap extends KernelLiveEvents, ApprovalEventMap, GatewayEventMap, FlowEventMap {
  /** Not from the server: the stream came back after a drop, so events may have been missed; refetch. */
  reconnected: Record<string, never>;
}

/** The name of a live event. */
export type LiveEventName = keyof PreloopLiveEventMap | (string & {});

/** The payload of live event `K`. */
export type LiveEventPayload<K extends string> = K extends keyof PreloopLiveEventMap ? PreloopLiveEventMap[K] : Record<string, unknown>;

/** The connection state of the live stream. */
export type LiveStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'unauthorized' | 'closed';

/** How {@link LiveEvents} opens the stream: a `fetch` returning the `text/event-stream` response. */
export type OpenStream = (signal: AbortSignal, lastEventId: string | null) => Promise<Response>;

/** Options of {@link LiveEvents}. */
export interface LiveEventsOptions {
  /** First reconnect delay in milliseconds; doubles on each failure. @default 1000 */
  initialDelayMs?: number;
  /** Largest reconnect delay in milliseconds. @default 30000 */
  maxDelayMs?: number;
  /** Milliseconds to keep the stream open after the last listener leaves (re-renders reuse it). @default 1000 */
  lingerMs?: number;
}

type Listener = (payload: unknown, name: string) => void;

/**
 * The admin API's server-sent event stream, shared by every element using one
 * client: it connects when the first listener subscribes, reconnects with
 * exponential backoff (honouring the server's `retry:`), sends `Last-Event-ID`,
 * emits `reconnected` after a drop so views refetch, stops on 401, and closes
 * when the last listener leaves. Built on `fetch` rather than `EventSource` so
 * bearer tokens work too.
 *
 * @example
 * ```ts
 * const off = client.live.on('session-started', (event) => console.log(event.sessionId));
 * off();
 * ```
 */
export class LiveEvents {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly statusListeners = new Set<(status: LiveStatus) => void>();
  private controller: AbortController | null = null;
  private currentStatus: LiveStatus = 'idle';
  private retryDelay: number;
  private serverRetry: number | null = null;
  private lastEventId: string | null = null;
  private everOpened = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private lingerTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly initialDelay: number;
  private readonly maxDelay: number;
  private readonly linger: number;

  constructor(
    private readonly open: OpenStream,
    options: LiveEventsOptions = {},
  ) {
    this.initialDelay = options.initialDelayMs ?? 1000;
    this.maxDelay = options.maxDelayMs ?? 30_000;
    this.linger = options.lingerMs ?? 1000;
    this.retryDelay = this.initialDelay;
  }

  /** The connection state. */
  get status(): LiveStatus {
    return this.currentStatus;
  }

  /**
   * Listens to one event name, several, or `'*'` for all; returns the function that stops listening.
   *
   * @example
   * ```ts
   * const off = live.on(['approval-created', 'approval-updated'], () => reload());
   * ```
   */
  on<K extends LiveEventName>(names: K | K[] | '*', listener: (payload: LiveEventPayload<K>, name: K) => void): () => void {
    const list = Array.isArray(names) ? names : [names];
    for (const name of list) {
      let set = this.listeners.get(name);
      if (!set) this.listeners.set(name, (set = new Set()));
      set.add(listener as Listener);
    }
    this.ensureConnected();
    return () => {
      for (const name of list) this.listeners.get(name)?.delete(listener as Listener);
      this.maybeDisconnect();
    };
  }

  /**
   * Listens to connection state changes; returns the function that stops listening. Does not open the stream by itself.
   *
   * @example
   * ```ts
   * live.onStatus((status) => (indicator.textContent = status));
   * ```
   */
  onStatus(listener: (status: LiveStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Closes the stream now and forgets every listener. */
  close(): void {
    this.listeners.clear();
    this.disconnect('closed');
  }

  /** Opens the stream again after a 401 (for example once the user has logged in). */
  resume(): void {
    if (this.currentStatus === 'unauthorized' || this.currentStatus === 'closed') this.setStatus('idle');
    this.ensureConnected();
  }

  private get listenerCount(): number {
    let count = 0;
    for (const set of this.listeners.values()) count += set.size;
    return count;
  }

  private setStatus(status: LiveStatus): void {
    if (status === this.currentStatus) return;
    this.currentStatus = status;
    for (const listener of [...this.statusListeners]) listener(status);
  }

  private emit(name: string, payload: unknown): void {
    for (const key of [name, '*']) {
      for (const listener of [...(this.listeners.get(key) ?? [])]) {
        try {
          listener(payload, name);
        } catch (error) {
          console.error(`preloop live event listener for "${name}" failed`, error);
        }
      }
    }
  }

  private ensureConnected(): void {
    if (this.lingerTimer) {
      clearTimeout(this.lingerTimer);
      this.lingerTimer = null;
    }
    if (this.listenerCount === 0 || this.controller || this.reconnectTimer || this.currentStatus === 'unauthorized') return;
    void this.connect();
  }

  private maybeDisconnect(): void {
    if (this.listenerCount > 0 || this.lingerTimer) return;
    this.lingerTimer = setTimeout(() => {
      this.lingerTimer = null;
      if (this.listenerCount === 0) this.disconnect('idle');
    }, this.linger);
  }

  private disconnect(status: LiveStatus): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.reconnectTimer = null;
    this.lingerTimer = null;
    const controller = this.controller;
    this.controller = null;
    controller?.abort();
    this.setStatus(status);
  }

  private async connect(): Promise<void> {
    const controller = new AbortController();
    this.controller = controller;
    this.setStatus(this.everOpened ? 'reconnecting' : 'connecting');
    try {
      const response = await this.open(controller.signal, this.lastEventId);
      if (response.status === 401) {
        await response.body?.cancel().catch(() => {});
        if (this.controller === controller) this.controller = null;
        this.setStatus('unauthorized');
        return;
      }
      if (!response.ok || !response.body) throw new Error(`event stream answered ${response.status}`);
      const reconnected = this.everOpened;
      this.everOpened = true;
      this.retryDelay = this.initialDelay;
      this.setStatus('open');
      if (reconnected) this.emit('reconnected', {});
      const parser = createSseParser(
        (event) => {
          this.lastEventId = event.id ?? this.lastEventId;
          let payload: unknown;
          try {
            payload = JSON.parse(event.data);
          } catch {
            payload = event.data;
          }
          this.emit(event.event, payload);
        },
        (milliseconds) => (this.serverRetry = milliseconds),
      );
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.feed(value);
      }
      throw new Error('event stream ended');
    } catch {
      if (this.controller !== controller) return; // closed on purpose
      this.controller = null;
      if (this.listenerCount === 0) return this.setStatus('idle');
      this.setStatus('reconnecting');
      const base = Math.max(this.serverRetry ?? 0, this.retryDelay);
      const delay = Math.min(this.maxDelay, base) * (0.8 + Math.random() * 0.4);
      this.retryDelay = Math.min(this.maxDelay, this.retryDelay * 2);
      this.reconnectTimer = setTimeout(() => {
        this.reconnectTimer = null;
        if (this.listenerCount > 0) void this.connect();
        else this.setStatus('idle');
      }, delay);
    }
  }
}
