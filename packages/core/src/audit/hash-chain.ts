import type { AuditRecord } from './audit-types.js';
import type { KernelTables } from '../storage/schema.js';
import { canonicalJson, sha256Hex } from '../json/canonical-json.js';

/** The `prevHash` of an account's first record: 64 zeros. */
export const genesisHash = '0'.repeat(64);

/** The part of an audit record covered by its hash: everything except `prevHash` and `hash`. */
export type AuditRecordContent = Omit<AuditRecord, 'prevHash' | 'hash'>;

/**
 * The hash of a record: hex SHA-256 over the previous record's hash followed by
 * the canonical JSON of this record's content.
 *
 * @example
 * ```ts
 * const hash = hashAuditRecord(genesisHash, content);
 * ```
 */
export function hashAuditRecord(prevHash: string, content: AuditRecordContent): string {
  return sha256Hex(prevHash + canonicalJson(contentOf(content)));
}

/**
 * The hash of a stored record from its columns, where `data` and `principal`
 * hold canonical JSON text: the same value as {@link hashAuditRecord} without
 * parsing the JSON columns (verification speed). Hand-built key order below is
 * the sorted order of {@link AuditRecordContent}'s keys.
 *
 * @example
 * ```ts
 * const ok = hashStoredAuditRecord(row) === row.hash;
 * ```
 */
export function hashStoredAuditRecord(row: StoredAuditRecord): string {
  const text =
    `{"accountId":${JSON.stringify(row.account_id)}` +
    `,"action":${JSON.stringify(row.action)}` +
    `,"actorId":${JSON.stringify(row.actor_id ?? null)}` +
    `,"actorType":${JSON.stringify(row.actor_type)}` +
    `,"data":${row.data}` +
    `,"id":${JSON.stringify(row.id)}` +
    `,"outcome":${JSON.stringify(row.outcome)}` +
    `,"principal":${row.principal ?? 'null'}` +
    `,"runtimeSessionId":${JSON.stringify(row.runtime_session_id ?? null)}` +
    `,"seq":${JSON.stringify(Number(row.seq))}` +
    `,"targetId":${JSON.stringify(row.target_id ?? null)}` +
    `,"targetType":${JSON.stringify(row.target_type ?? null)}` +
    `,"time":${JSON.stringify(Number(row.time))}}`;
  return sha256Hex(row.prev_hash + text);
}

/** The columns of a stored audit record that its hash covers: the row, less its own hash. */
export type StoredAuditRecord = Omit<KernelTables['audit_records'], 'hash'>;

function contentOf(record: AuditRecordContent): AuditRecordContent {
  return {
    id: record.id,
    accountId: record.accountId,
    seq: record.seq,
    time: record.time,
    actorType: record.actorType,
    actorId: record.actorId ?? null,
    principal: record.principal ?? null,
    runtimeSessionId: record.runtimeSessionId ?? null,
    action: record.action,
    targetType: record.targetType ?? null,
    targetId: record.targetId ?? null,
    outcome: record.outcome,
    data: record.data,
  };
}
