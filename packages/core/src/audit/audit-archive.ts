import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { PreloopError } from '../errors.js';
import type { KernelTables } from '../storage/schema.js';
import { toAuditRecord, type AuditRow } from './audit-rows.js';
import type { CheckpointSigner } from './checkpoints.js';
import { genesisHash, hashStoredAuditRecord } from './hash-chain.js';

/** The format name in every segment's header line. */
export const auditSegmentFormat = 'preloop-audit-segment/v1';

/** The first line of an archived segment: which records of which account it holds. */
export interface AuditSegmentHeader {
  type: 'segment';
  format: typeof auditSegmentFormat;
  accountId: string;
  /** The first record's seq (the previous segment's `lastSeq` + 1; 1 for the first segment). */
  firstSeq: number;
  /** The last record's seq: a signed checkpoint's position. */
  lastSeq: number;
  /** The hash the first record links to: the previous segment's last hash, or 64 zeros. */
  prevHash: string;
  /** Records in the segment (`lastSeq - firstSeq + 1`). */
  records: number;
  /** The positions of the checkpoint lines that follow the records (so a verifier keeps only those hashes). */
  checkpointSeqs: number[];
  /** When it was written (epoch ms). */
  createdAt: number;
}

/** What {@link archiveAuditRecords} exported and pruned for one account. */
export interface AuditArchiveResult {
  accountId: string;
  firstSeq: number;
  lastSeq: number;
  prevHash: string;
  /** The hash of the record at `lastSeq`: the live chain's boundary hash from now on. */
  lastHash: string;
  records: number;
  /** Checkpoints in the segment (the last one signs `lastSeq`). */
  checkpoints: number;
  /** Hex SHA-256 over the segment's bytes as written (every line, each followed by `\n`). */
  sha256: string;
}

/**
 * Receives a segment's lines (each without its newline) and resolves only once
 * they are durably stored. It must read the lines to the end: a segment whose
 * records turn out not to verify throws from the iterable, and the write must
 * then reject. It may be called again with the same segment (a re-run after a
 * crash before the prune): store it again or keep the first copy.
 */
export type AuditArchiveWriter = (header: AuditSegmentHeader, lines: AsyncIterable<string>) => Promise<void>;

/** Options of {@link archiveAuditRecords}. */
export interface ArchiveAuditOptions {
  accountId: string;
  /** Archive records written before this time, or up to this seq; the cut is the last checkpoint at or before it. */
  before: Date | number;
  write: AuditArchiveWriter;
  /** Records read (and deleted) per statement. @default 5000 */
  pageSize?: number;
  /** The clock. @default Date.now */
  now?: () => number;
  /**
   * Called once the segment is stored, before anything is deleted (the audit
   * trail records `audit.archive` here, which verification requires for the boundary).
   * @default nothing
   */
  onStored?: (result: AuditArchiveResult) => Promise<void>;
}

/**
 * Exports an account's records up to the last signed checkpoint at or before
 * `before` (after the current boundary) as a self-verifying segment, and only
 * once `write` resolved, prunes them: moves the account's boundary to the
 * checkpoint (kept, it signs the boundary), deletes the older checkpoints and
 * the records in bounded batches. Resolves with null when nothing is left to
 * archive. A chain that does not verify in the exported range is refused
 * (`CONFLICT`) and nothing is deleted. Idempotent: after a crash between the
 * write and the prune, a re-run writes the same segment and prunes.
 *
 * @example
 * ```ts
 * const result = await archiveAuditRecords(db, signer, { accountId: 'acc_default', before: new Date('2026-01-01'), write });
 * ```
 */
export async function archiveAuditRecords(
  db: Kysely<KernelTables>,
  signer: CheckpointSigner,
  options: ArchiveAuditOptions,
): Promise<AuditArchiveResult | null> {
  const { accountId } = options;
  const pageSize = Math.max(1, options.pageSize ?? 5000);
  const now = options.now ?? Date.now;
  const boundary = await db.selectFrom('audit_boundaries').select(['seq', 'hash']).where('account_id', '=', accountId).executeTakeFirst();
  const boundarySeq = boundary ? Number(boundary.seq) : 0;
  let limitSeq: number;
  if (options.before instanceof Date) {
    const time = options.before.getTime();
    if (!Number.isFinite(time)) throw new PreloopError('VALIDATION_ERROR', 'before: an invalid date.');
    const last = await db
      .selectFrom('audit_records')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .where('account_id', '=', accountId)
      .where('seq', '>', boundarySeq)
      .where('time', '<', time)
      .executeTakeFirst();
    limitSeq = last?.seq === null || last?.seq === undefined ? 0 : Number(last.seq);
  } else if (Number.isSafeInteger(options.before) && options.before >= 0) {
    limitSeq = options.before;
  } else {
    throw new PreloopError('VALIDATION_ERROR', 'before: a Date or a record position (a whole number).');
  }
  const cut = await db
    .selectFrom('audit_checkpoints')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('seq', '>', boundarySeq)
    .where('seq', '<=', limitSeq)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!cut) {
    await deletePrunedRecords(db, accountId, boundarySeq, pageSize);
    return null;
  }
  const lastSeq = Number(cut.seq);
  const checkpointRows = await db
    .selectFrom('audit_checkpoints')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('seq', '>', boundarySeq)
    .where('seq', '<=', lastSeq)
    .orderBy('seq')
    .orderBy('id')
    .execute();
  const header: AuditSegmentHeader = {
    type: 'segment',
    format: auditSegmentFormat,
    accountId,
    firstSeq: boundarySeq + 1,
    lastSeq,
    prevHash: boundary?.hash ?? genesisHash,
    records: lastSeq - boundarySeq,
    checkpointSeqs: [...new Set(checkpointRows.map((row) => Number(row.seq)))],
    createdAt: now(),
  };
  const digest = createHash('sha256');
  let checkpoints = 0;
  let complete = false;
  const conflict = (seq: number, what: string) =>
    new PreloopError(
      'CONFLICT',
      `The audit chain of ${accountId} does not verify at position ${seq} (${what}); nothing was archived or pruned. Run audit verify.`,
    );
  async function* lines(): AsyncGenerator<string> {
    const emit = (line: string) => {
      digest.update(`${line}\n`);
      return line;
    };
    yield emit(JSON.stringify(header));
    let prevHash = header.prevHash;
    let expected = header.firstSeq;
    while (expected <= lastSeq) {
      const rows = (await db
        .selectFrom('audit_records')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('seq', '>=', expected)
        .where('seq', '<=', lastSeq)
        .orderBy('seq')
        .limit(pageSize)
        .execute()) as AuditRow[];
      if (rows.length === 0) throw conflict(expected, 'record missing');
      for (const row of rows) {
        if (Number(row.seq) !== expected) throw conflict(expected, 'record missing');
        if (row.prev_hash !== prevHash) throw conflict(expected, 'broken link');
        if (hashStoredAuditRecord(row) !== row.hash) throw conflict(expected, 'hash mismatch');
        prevHash = row.hash;
        expected++;
        yield emit(JSON.stringify({ type: 'record', ...toAuditRecord(row) }));
      }
    }
    if (prevHash !== cut!.hash) throw conflict(lastSeq, 'the checkpoint signs another hash');
    for (const row of checkpointRows) {
      const payload = { accountId, seq: Number(row.seq), hash: row.hash };
      if (!signer.verify(payload, row.key_id, row.signature)) throw conflict(payload.seq, 'checkpoint signature invalid');
      checkpoints++;
      yield emit(
        JSON.stringify({ type: 'checkpoint', id: row.id, ...payload, keyId: row.key_id, signature: row.signature, time: Number(row.time) }),
      );
    }
    complete = true;
  }
  await options.write(header, lines());
  if (!complete)
    throw new PreloopError('INTERNAL_ERROR', 'The audit archive writer resolved before reading the whole segment; nothing was pruned.');
  const result: AuditArchiveResult = {
    accountId,
    firstSeq: header.firstSeq,
    lastSeq,
    prevHash: header.prevHash,
    lastHash: cut.hash,
    records: header.records,
    checkpoints,
    sha256: digest.digest('hex'),
  };
  await options.onStored?.(result);

  // The segment is stored: move the boundary (never backwards), then delete what it covers.
  await db
    .insertInto('audit_boundaries')
    .values({ account_id: accountId, seq: lastSeq, hash: cut.hash, checkpoint_id: cut.id, archived_at: now() })
    .onConflict((oc) =>
      oc
        .column('account_id')
        .doUpdateSet({ seq: lastSeq, hash: cut.hash, checkpoint_id: cut.id, archived_at: now() })
        .where('audit_boundaries.seq', '<', lastSeq),
    )
    .execute();
  const stale = db.selectFrom('audit_checkpoints').select('id').where('account_id', '=', accountId).where('seq', '<', lastSeq);
  await db.deleteFrom('audit_anchor_exports').where('checkpoint_id', 'in', stale).execute();
  await db.deleteFrom('audit_checkpoints').where('account_id', '=', accountId).where('seq', '<', lastSeq).execute();
  await deletePrunedRecords(db, accountId, lastSeq, pageSize);
  return result;
}

/** Deletes an account's records at or before `throughSeq`, `batch` positions per statement (never one long lock). */
async function deletePrunedRecords(db: Kysely<KernelTables>, accountId: string, throughSeq: number, batch: number): Promise<void> {
  if (throughSeq <= 0) return;
  const first = await db
    .selectFrom('audit_records')
    .select((eb) => eb.fn.min('seq').as('seq'))
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  if (first?.seq === null || first?.seq === undefined) return;
  for (let from = Number(first.seq); from <= throughSeq; from += batch) {
    await db
      .deleteFrom('audit_records')
      .where('account_id', '=', accountId)
      .where('seq', '>=', from)
      .where('seq', '<=', Math.min(throughSeq, from + batch - 1))
      .execute();
  }
}
