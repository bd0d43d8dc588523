import { PreloopError } from '../errors.js';
import { createId } from '../ids.js';
import type { Principal } from '../identity/principal.js';
import type { KernelTables } from '../storage/schema.js';
import type { AuditRecord, AuditRecordInput } from './audit-types.js';
import { canonicalJson } from '../json/canonical-json.js';
import { redactAuditData, redactString, type RedactionLimits } from './redact.js';

/** A stored audit row. */
export type AuditRow = KernelTables['audit_records'];

/** The columns of `audit_records`, in the order the batched write paths insert them. */
export const auditRecordColumns = [
  'id',
  'account_id',
  'seq',
  'time',
  'actor_type',
  'actor_id',
  'principal',
  'runtime_session_id',
  'action',
  'target_type',
  'target_id',
  'outcome',
  'data',
  'prev_hash',
  'hash',
] as const;

/** The columns of `audit_checkpoints`, in the order the batched write paths insert them. */
export const auditCheckpointColumns = ['id', 'account_id', 'seq', 'hash', 'key_id', 'signature', 'time'] as const;

/** A record ready to be chained: everything but its account position and hashes. */
export interface PreparedAuditRecord {
  id: string;
  accountId: string;
  time: number;
  actorType: string;
  actorId: string | null;
  principal: Record<string, unknown> | null;
  runtimeSessionId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: string;
  data: Record<string, unknown>;
  /** `principal` as canonical JSON text (null when none). */
  principalText: string | null;
  /** `data` as canonical JSON text. */
  dataText: string;
}

type ActorLike = Partial<Omit<Principal, 'type'>> & { type?: string; id?: string | null; name?: string };

const limits = { action: 200, outcome: 64, targetType: 200, targetId: 500, id: 500 };

/**
 * Validates and normalizes an audit input: resolves the account and runtime
 * session, snapshots the principal, redacts and bounds the data.
 *
 * @example
 * ```ts
 * const prepared = prepareAuditRecord({ actor: principal, action: 'api-key.create', outcome: 'success' }, 'acc_default');
 * ```
 */
export function prepareAuditRecord(input: AuditRecordInput, defaultAccountId: string, redaction?: RedactionLimits): PreparedAuditRecord {
  if (!input || typeof input !== 'object') throw invalid('input', 'must be an object');
  const actor = input.actor as unknown as ActorLike;
  if (!actor || typeof actor !== 'object' || typeof actor.type !== 'string' || actor.type === '')
    throw invalid('actor', 'must be a principal or { type: "system" }');
  const action = text(input.action, 'action', limits.action, true)!;
  const outcome = text(input.outcome, 'outcome', limits.outcome, true)!;
  const targetType = input.target ? text(input.target.type, 'target.type', limits.targetType, true) : null;
  const targetId = input.target ? text(input.target.id ?? null, 'target.id', limits.targetId, false) : null;
  const isPrincipal = actor.type !== 'system';
  const accountId =
    text(input.accountId ?? null, 'accountId', limits.id, false) ??
    (isPrincipal && typeof actor.accountId === 'string' ? actor.accountId : defaultAccountId);
  const runtimeSessionId =
    input.runtimeSessionId !== undefined
      ? text(input.runtimeSessionId, 'runtimeSessionId', limits.id, false)
      : isPrincipal
        ? text(actor.runtimeSessionId ?? null, 'actor.runtimeSessionId', limits.id, false)
        : null;
  const actorId = text(actor.id ?? null, 'actor.id', limits.id, false);
  const principal = snapshotPrincipal(actor, isPrincipal);
  const data = redactAuditData(input.data ?? {}, redaction);
  return {
    id: createId('aud'),
    accountId,
    time: Date.now(),
    actorType: redactString(actor.type).slice(0, 64),
    actorId,
    principal,
    runtimeSessionId,
    action,
    targetType,
    targetId,
    outcome,
    data,
    principalText: principal === null ? null : canonicalJson(principal),
    dataText: canonicalJson(data),
  };
}

/**
 * Converts a stored row to the public record shape.
 *
 * @example
 * ```ts
 * const record = toAuditRecord(row);
 * ```
 */
export function toAuditRecord(row: AuditRow): AuditRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    seq: Number(row.seq),
    time: Number(row.time),
    actorType: row.actor_type,
    actorId: row.actor_id,
    principal: row.principal === null ? null : (JSON.parse(row.principal) as Record<string, unknown>),
    runtimeSessionId: row.runtime_session_id,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    outcome: row.outcome,
    data: JSON.parse(row.data) as Record<string, unknown>,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/**
 * The stored row of a prepared record at a chain position.
 *
 * @example
 * ```ts
 * const row = toAuditRow(prepared, 42, prevHash, hash);
 * ```
 */
export function toAuditRow(record: PreparedAuditRecord, seq: number, prevHash: string, hash: string): AuditRow {
  return {
    id: record.id,
    account_id: record.accountId,
    seq,
    time: record.time,
    actor_type: record.actorType,
    actor_id: record.actorId,
    principal: record.principalText,
    runtime_session_id: record.runtimeSessionId,
    action: record.action,
    target_type: record.targetType,
    target_id: record.targetId,
    outcome: record.outcome,
    data: record.dataText,
    prev_hash: prevHash,
    hash,
  };
}

function snapshotPrincipal(actor: ActorLike, isPrincipal: boolean): Record<string, unknown> | null {
  const clean = (value: unknown, max = limits.id) => (typeof value === 'string' ? redactString(value).slice(0, max) : null);
  if (!isPrincipal) {
    if (actor.name === undefined && (actor.id === undefined || actor.id === null)) return null;
    return { type: 'system', id: clean(actor.id), name: clean(actor.name, 200) };
  }
  return {
    type: clean(actor.type, 64),
    id: clean(actor.id),
    name: clean(actor.name, 200),
    role: clean(actor.role, 32),
    userId: clean(actor.userId),
    apiKeyId: clean(actor.apiKeyId),
    agentId: clean(actor.agentId),
    runtimeSessionId: clean(actor.runtimeSessionId),
  };
}

function text(value: unknown, field: string, max: number, required: boolean): string | null {
  if (value === null || value === undefined) {
    if (required) throw invalid(field, 'is required');
    return null;
  }
  if (typeof value !== 'string') throw invalid(field, 'must be a string');
  const cleaned = redactString(value).trim();
  if (cleaned === '') {
    if (required) throw invalid(field, 'must not be empty');
    return null;
  }
  if (cleaned.length > max) throw invalid(field, `must be at most ${max} characters`);
  return cleaned;
}

function invalid(field: string, message: string): PreloopError {
  return new PreloopError('VALIDATION_ERROR', `Invalid audit record: ${field} ${message}`, {
    details: { issues: [{ path: field, message }] },
  });
}
