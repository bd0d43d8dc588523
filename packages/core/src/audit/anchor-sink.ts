import { PreloopError } from '../errors.js';
import type { AuditCheckpoint } from './audit-trail.js';

/**
 * A signed checkpoint as an anchor holds it: the checkpoint's fields plus a
 * format version. Its signature covers `checkpointMessage({ accountId, seq, hash })`.
 */
export interface AnchoredCheckpoint extends AuditCheckpoint {
  /** The anchor format version: always 1. */
  v: 1;
}

/**
 * Where signed audit checkpoints are exported, outside the database, so that
 * whoever can rewrite the database cannot rewrite them: an append-only file on
 * another volume, a webhook receiver, an object-lock bucket. Preloop writes
 * every checkpoint (again after a key rotation re-signs it) and retries a
 * failed write later, so `write` may receive the same checkpoint twice.
 */
export interface AuditAnchorSink {
  /**
   * A stable, unique name (for example `file:/var/anchor/audit.jsonl`): Preloop
   * remembers per name which checkpoints the sink has received. Never put a
   * secret in it; it is logged.
   */
  readonly name: string;
  /** Durably stores one checkpoint; resolves only once it is stored (throw to have it retried). */
  write(checkpoint: AnchoredCheckpoint): Promise<void>;
  /** Every checkpoint stored, for `audit verify`. Sinks that cannot be read back (a webhook) leave it out. */
  read?(): Promise<AnchoredCheckpoint[]>;
  /** Releases resources when Preloop closes. */
  close?(): Promise<void>;
}

/**
 * The anchored form of a checkpoint.
 *
 * @example
 * ```ts
 * const line = JSON.stringify(toAnchoredCheckpoint(await preloop.audit.checkpoint('acc_default')));
 * ```
 */
export function toAnchoredCheckpoint(checkpoint: AuditCheckpoint): AnchoredCheckpoint {
  return {
    v: 1,
    id: checkpoint.id,
    accountId: checkpoint.accountId,
    seq: checkpoint.seq,
    hash: checkpoint.hash,
    keyId: checkpoint.keyId,
    signature: checkpoint.signature,
    time: checkpoint.time,
  };
}

/**
 * Validates a value read from an anchor as an {@link AnchoredCheckpoint};
 * throws `VALIDATION_ERROR` naming `where` and the first wrong field.
 *
 * @example
 * ```ts
 * const checkpoint = fromAnchoredCheckpoint(JSON.parse(line), 'audit.jsonl line 3');
 * ```
 */
export function fromAnchoredCheckpoint(value: unknown, where: string): AnchoredCheckpoint {
  const fail = (field: string, expected: string) =>
    new PreloopError('VALIDATION_ERROR', `${where}: ${field} must be ${expected} (not an audit checkpoint written by Preloop).`);
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw fail('the entry', 'a JSON object');
  const entry = value as Record<string, unknown>;
  if (entry.v !== 1) throw fail('v', '1');
  for (const field of ['id', 'accountId', 'keyId', 'signature'] as const) {
    if (typeof entry[field] !== 'string' || entry[field] === '') throw fail(field, 'a non-empty string');
  }
  if (typeof entry.hash !== 'string' || !/^[0-9a-f]{64}$/.test(entry.hash)) throw fail('hash', '64 lowercase hex characters');
  if (!Number.isSafeInteger(entry.seq) || (entry.seq as number) < 1) throw fail('seq', 'a positive integer');
  if (!Number.isSafeInteger(entry.time)) throw fail('time', 'an integer (epoch ms)');
  return {
    v: 1,
    id: entry.id as string,
    accountId: entry.accountId as string,
    seq: entry.seq as number,
    hash: entry.hash,
    keyId: entry.keyId as string,
    signature: entry.signature as string,
    time: entry.time as number,
  };
}
