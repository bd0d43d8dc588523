import type { TrackerEvent } from '../contracts/tracker.js';
import type { Principal } from '../identity/principal.js';

/**
 * The kernel's typed events. Events observe; they never decide. Plugins add
 * their own by merging into this interface:
 *
 * @example
 * ```ts
 * declare module '@preloop/core' {
 *   interface PreloopEventMap { 'widget-created': { id: string } }
 * }
 * ```
 */
export interface PreloopEventMap {
  /** An audit record was appended. */
  'audit-recorded': { accountId: string; id: string; seq: number; action: string; outcome: string; time: number };
  /** A hook or audit sink failed; the request went on (or was denied, for policy). */
  'hook-failed': { hook: string; pluginId: string; error: Error };
  /** A user was created, changed or removed. */
  'user-changed': { accountId: string; userId: string; change: 'created' | 'updated' | 'deleted' };
  /** A team was created, changed or removed. */
  'team-changed': { accountId: string; teamId: string; change: 'created' | 'updated' | 'deleted' };
  /** An API key was created or revoked. */
  'api-key-changed': { accountId: string; apiKeyId: string; change: 'created' | 'revoked' };
  /** A managed agent was enrolled or changed lifecycle state. */
  'agent-changed': { accountId: string; agentId: string; state: string };
  /** A runtime session started. */
  'session-started': { accountId: string; sessionId: string; agentId: string | null };
  /** A runtime session ended. */
  'session-ended': { accountId: string; sessionId: string; reason: string };
  /** Something happened in a runtime session (a tool call, a model call). */
  'session-activity': { accountId: string; sessionId: string; kind: string; status: string; summary: string };
  /** A principal authenticated (for last-seen tracking). */
  'principal-authenticated': { principal: Principal };
  /** A tracker webhook delivery was verified and deduplicated: one event per change it carries. */
  'tracker-event': TrackerEvent;
  /** The issue store imported a page of a project (or the import changed state): progress for the console. */
  'tracker-sync-progress': {
    accountId: string;
    connectionId: string;
    project: string;
    status: 'importing' | 'waiting' | 'done' | 'failed';
    imported: number;
    error: string | null;
  };
  /** The issue store wrote an issue or pull request from a webhook event (the unified view refreshes on it). */
  'tracker-issue-synced': { accountId: string; connectionId: string; issueId: string; kind: 'issue' | 'pull_request' };
}

/** The name of a kernel or plugin event. */
export type PreloopEventName = keyof PreloopEventMap;
