import type { Principal } from '../identity/principal.js';

/** How an audited action ended. */
export type AuditOutcome = 'success' | 'failure' | 'denied' | 'pending' | (string & {});

/** What a caller passes to `preloop.audit.record()`. */
export interface AuditRecordInput {
  /** The account the record belongs to. @default the principal's account, else the default account */
  accountId?: string;
  /** Who acted: a principal, or `system` for the kernel itself. */
  actor: Principal | { type: 'system'; id?: string | null; name?: string };
  /** Dotted verb, for example `api-key.create`, `tool.call`, `approval.decide`. */
  action: string;
  /** What was acted on. */
  target?: { type: string; id?: string | null };
  /** How it ended. */
  outcome: AuditOutcome;
  /** The runtime session, when the action belongs to one. @default the principal's runtime session */
  runtimeSessionId?: string | null;
  /** Structured details. Secrets are redacted and sizes bounded before storage. */
  data?: Record<string, unknown>;
}

/** A stored audit record: a link of the hash chain. */
export interface AuditRecord {
  id: string;
  accountId: string;
  /** Position in the account's chain, from 1. */
  seq: number;
  time: number;
  actorType: string;
  actorId: string | null;
  /** A snapshot of the acting principal (type, id, name, role, agent, key), if any. */
  principal: Record<string, unknown> | null;
  runtimeSessionId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: string;
  data: Record<string, unknown>;
  /** Hash of the previous record (64 zeros for the first). */
  prevHash: string;
  /** SHA-256 over the previous hash and this record's canonical content. */
  hash: string;
}
