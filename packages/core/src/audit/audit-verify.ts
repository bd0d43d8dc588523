import type { Kysely } from 'kysely';
import type { KernelTables } from '../storage/schema.js';
import type { AnchoredCheckpoint } from './anchor-sink.js';
import type { CheckpointSigner } from './checkpoints.js';
import { createAuditVerifyPageReader, type VerifiedAuditRow } from './audit-verify-pages.js';
import { genesisHash } from './hash-chain.js';

/** Why a record (or checkpoint) fails verification. */
export type AuditBreakReason =
  | 'hash_mismatch'
  | 'broken_link'
  | 'missing'
  | 'reordered'
  | 'bad_checkpoint'
  | 'missing_checkpoint'
  | 'anchor_mismatch'
  | 'anchored_checkpoint_missing'
  | 'truncated';

/** The first place the chain is broken. */
export interface AuditBreak {
  /** The chain position (seq) where verification failed. */
  seq: number;
  /** The record at that position, or null when it is missing. */
  id: string | null;
  /**
   * - `hash_mismatch`: the record's content no longer matches its hash (edited in place);
   * - `broken_link`: the record does not point at the hash of the record before it;
   * - `missing`: no record at this position (deleted), though later records, the head or a checkpoint cover it;
   * - `reordered`: the record points at a record stored at another position (records swapped or moved);
   * - `bad_checkpoint`: a checkpoint at this position has an invalid signature, an unknown key, or signs another hash;
   * - `missing_checkpoint`: a full checkpoint interval ends here without a signed checkpoint (checkpoints deleted);
   * - `anchor_mismatch`: the anchor holds a checkpoint for this position whose hash differs from the chain's
   *   (records up to here were rewritten, even if re-signed with the database-held key), or whose signature is invalid;
   * - `anchored_checkpoint_missing`: the anchor holds a checkpoint for this position that the database no longer has;
   * - `truncated`: the chain ends before a position the anchor holds a checkpoint for (records deleted from the end).
   */
  reason: AuditBreakReason;
  /** One readable sentence. */
  message: string;
}

/** The result of verifying one account's chain. */
export interface AuditVerifyReport {
  /** True when every record and checkpoint verified. */
  ok: boolean;
  accountId: string;
  /** Records checked (up to the first break). */
  records: number;
  /** Checkpoint signatures verified (up to the first break). */
  checkpoints: number;
  /** With an anchor: the anchored checkpoints of this account that matched the chain (up to the first break). */
  anchored?: number;
  /** The seq of the chain head (0 for an empty chain). */
  headSeq: number;
  /**
   * When records were archived and pruned: the last pruned position and its
   * hash. Verification started after it; the archived segment ending there
   * must end with this hash (see `verifyAuditArchive`).
   */
  boundary?: { seq: number; hash: string };
  /** The first break, when not ok. */
  firstBroken?: AuditBreak;
  /** How long verification took. */
  durationMs: number;
}

/** Options of {@link verifyAuditChain}. */
export interface AuditVerifyOptions {
  /** Called after each page of records with the records checked so far and the records in the account when verification started. */
  onProgress?: (checked: number, total: number) => void;
  /** Records read per query. @default 2000 */
  pageSize?: number;
  /**
   * The checkpoint interval: every run of this many records must end at (or
   * contain) a signed checkpoint, else `missing_checkpoint`. 0 turns the check off.
   * @default 0 (the audit trail passes its `checkpointEvery`)
   */
  checkpointEvery?: number;
  /**
   * Checkpoints read from an anchor outside the database (every account's; the
   * others are ignored): each must match the chain and the database's
   * checkpoint at its position. @default no anchor
   */
  anchor?: readonly AnchoredCheckpoint[];
}

type CheckpointRow = KernelTables['audit_checkpoints'];

/** The empty list of a position without checkpoints (not allocated per record). */
const none: readonly never[] = [];

/**
 * Verifies one account's audit chain from the first record: positions are
 * contiguous, every record links to its predecessor's hash and matches its own
 * hash, every checkpoint is validly signed over the hash at its position, every
 * full interval of `checkpointEvery` records has a checkpoint, the head (and the
 * last checkpoint) are covered by stored records, and, with an anchor, every
 * anchored checkpoint matches the chain and the database's checkpoint at its
 * position. Stops at the first break and names it.
 *
 * @example
 * ```ts
 * const report = await verifyAuditChain(db, 'acc_default', signer, { onProgress: (checked, total) => console.log(checked, total) });
 * if (!report.ok) console.error(report.firstBroken);
 * ```
 */
export async function verifyAuditChain(
  db: Kysely<KernelTables>,
  accountId: string,
  signer: CheckpointSigner,
  options: AuditVerifyOptions = {},
): Promise<AuditVerifyReport> {
  const started = performance.now();
  const pageSize = Math.max(1, options.pageSize ?? 2000);
  const head = await db.selectFrom('audit_heads').select(['seq', 'hash']).where('account_id', '=', accountId).executeTakeFirst();
  // Records up to the archive boundary were exported and pruned (or are being pruned): the chain starts after it.
  const boundaryRow = await db
    .selectFrom('audit_boundaries')
    .select(['seq', 'hash'])
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  const boundary = boundaryRow ? { seq: Number(boundaryRow.seq), hash: boundaryRow.hash } : null;
  const boundarySeq = boundary?.seq ?? 0;
  const { total } = await db
    .selectFrom('audit_records')
    .select((eb) => eb.fn.countAll<number | string>().as('total'))
    .where('account_id', '=', accountId)
    .where('seq', '>', boundarySeq)
    .executeTakeFirstOrThrow();
  const checkpointRows = await db
    .selectFrom('audit_checkpoints')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('seq', '>=', boundarySeq)
    .orderBy('seq')
    .orderBy('id')
    .execute();
  const checkpointEvery = Math.max(0, Math.trunc(options.checkpointEvery ?? 0));
  const anchorBySeq = new Map<number, AnchoredCheckpoint[]>();
  for (const anchored of options.anchor ?? []) {
    // Anchored checkpoints before the boundary sign archived records: the archive's verification checks them.
    if (anchored.accountId !== accountId || anchored.seq < boundarySeq) continue;
    const list = anchorBySeq.get(anchored.seq) ?? [];
    list.push(anchored);
    anchorBySeq.set(anchored.seq, list);
  }
  const checkpointsBySeq = new Map<number, CheckpointRow[]>();
  for (const checkpoint of checkpointRows) {
    const list = checkpointsBySeq.get(Number(checkpoint.seq)) ?? [];
    list.push(checkpoint);
    checkpointsBySeq.set(Number(checkpoint.seq), list);
  }

  let checked = 0;
  let checkpoints = 0;
  let anchoredMatched = 0;
  let lastCheckpointSeq = boundarySeq;
  let expected = boundarySeq + 1;
  let prevHash = boundary?.hash ?? genesisHash;
  let lastId: string | null = null;
  const report = (firstBroken?: AuditBreak): AuditVerifyReport => ({
    ok: firstBroken === undefined,
    accountId,
    records: checked,
    checkpoints,
    ...(options.anchor ? { anchored: anchoredMatched } : {}),
    headSeq: head ? Number(head.seq) : 0,
    ...(boundary ? { boundary } : {}),
    ...(firstBroken ? { firstBroken } : {}),
    durationMs: Math.round(performance.now() - started),
  });
  const checkCheckpoints = (seq: number, hash: string | null, id: string | null): AuditBreak | undefined => {
    for (const checkpoint of checkpointsBySeq.get(seq) ?? none) {
      const problem = checkpointProblem(checkpoint, accountId, signer, hash);
      if (problem) return { seq, id, reason: 'bad_checkpoint', message: problem };
      checkpoints++;
    }
    return undefined;
  };
  const checkAnchor = (seq: number, hash: string, id: string | null): AuditBreak | undefined => {
    for (const anchored of anchorBySeq.get(seq) ?? none) {
      if (signer.knows(anchored.keyId) && !signer.verify({ accountId, seq, hash: anchored.hash }, anchored.keyId, anchored.signature)) {
        return {
          seq,
          id,
          reason: 'anchor_mismatch',
          message: `The anchored checkpoint ${anchored.id} at position ${seq} has an invalid signature (the anchor was altered).`,
        };
      }
      if (anchored.hash !== hash) {
        return {
          seq,
          id,
          reason: 'anchor_mismatch',
          message: `The anchored checkpoint ${anchored.id} signed another hash for position ${seq} than the chain now holds (records up to position ${seq} were rewritten after it was anchored).`,
        };
      }
      if (!(checkpointsBySeq.get(seq) ?? []).some((checkpoint) => checkpoint.hash === anchored.hash)) {
        return {
          seq,
          id,
          reason: 'anchored_checkpoint_missing',
          message: `The anchor holds checkpoint ${anchored.id} at position ${seq}, but the database has no checkpoint there (deleted).`,
        };
      }
      anchoredMatched++;
    }
    return undefined;
  };

  const readPage = createAuditVerifyPageReader(db, accountId, pageSize);
  const fetchPage = (fromSeq: number): Promise<VerifiedAuditRow[]> => {
    const page = readPage(fromSeq);
    page.catch(() => {}); // A prefetched page may be abandoned at a break; its error surfaces when awaited.
    return page;
  };
  if (boundary) {
    // The boundary must be the position and hash a checkpoint signed (a moved or rewritten boundary is not).
    if (!(checkpointsBySeq.get(boundarySeq) ?? []).some((checkpoint) => checkpoint.hash === boundary.hash)) {
      return report({
        seq: boundarySeq,
        id: null,
        reason: 'bad_checkpoint',
        message: `The archive boundary at position ${boundarySeq} is not signed by a checkpoint at that position (the boundary or its checkpoint was changed or deleted).`,
      });
    }
    const broken = checkCheckpoints(boundarySeq, boundary.hash, null) ?? checkAnchor(boundarySeq, boundary.hash, null);
    if (broken) return report(broken);
  }
  let nextPage: Promise<VerifiedAuditRow[]> | null = fetchPage(boundarySeq + 1);
  while (nextPage) {
    const rows: VerifiedAuditRow[] = await nextPage;
    // Read the next page while this one is checked (PostgreSQL overlaps the two).
    nextPage = rows.length === pageSize ? fetchPage(rows[rows.length - 1]!.seq + 1) : null;
    for (const row of rows) {
      const seq = row.seq;
      if (seq !== expected) {
        return report({
          seq: expected,
          id: null,
          reason: 'missing',
          message: `No record at position ${expected}; the next stored record is at ${seq} (deleted?).`,
        });
      }
      if (row.prevHash !== prevHash) {
        const pointedAt = await db
          .selectFrom('audit_records')
          .select(['seq', 'id'])
          .where('account_id', '=', accountId)
          .where('hash', '=', row.prevHash)
          .executeTakeFirst();
        if (pointedAt && Number(pointedAt.seq) !== seq - 1) {
          return report({
            seq,
            id: row.id,
            reason: 'reordered',
            message: `Record ${row.id} at position ${seq} follows the record now stored at position ${Number(pointedAt.seq)} (records swapped or moved).`,
          });
        }
        return report({
          seq,
          id: row.id,
          reason: 'broken_link',
          message: `Record ${row.id} at position ${seq} does not link to the hash of the record before it (that record or this link was changed).`,
        });
      }
      if (!row.contentMatches) {
        return report({
          seq,
          id: row.id,
          reason: 'hash_mismatch',
          message: `Record ${row.id} at position ${seq} does not match its hash (its content was changed).`,
        });
      }
      const broken = checkCheckpoints(seq, row.hash, row.id) ?? checkAnchor(seq, row.hash, row.id);
      if (broken) return report(broken);
      if (checkpointsBySeq.has(seq)) lastCheckpointSeq = seq;
      else if (checkpointEvery > 0 && seq - lastCheckpointSeq >= checkpointEvery) {
        return report({
          seq,
          id: row.id,
          reason: 'missing_checkpoint',
          message: `No signed checkpoint covers positions ${lastCheckpointSeq + 1}–${seq}, a full interval of ${checkpointEvery} records (checkpoints deleted?).`,
        });
      }
      checked++;
      prevHash = row.hash;
      lastId = row.id;
      expected = seq + 1;
    }
    options.onProgress?.(checked, Number(total));
  }

  const lastSeq = expected - 1;
  // Checkpoints past the last record are signed evidence of records that are gone.
  const laterCheckpoints = checkpointRows.filter((checkpoint) => Number(checkpoint.seq) > lastSeq);
  for (const checkpoint of laterCheckpoints) {
    const problem = checkpointProblem(checkpoint, accountId, signer, null);
    if (problem) return report({ seq: Number(checkpoint.seq), id: null, reason: 'bad_checkpoint', message: problem });
  }
  const coveredSeq = Math.max(head ? Number(head.seq) : 0, ...laterCheckpoints.map((checkpoint) => Number(checkpoint.seq)));
  if (coveredSeq > lastSeq) {
    return report({
      seq: lastSeq + 1,
      id: null,
      reason: 'missing',
      message: `The chain ends at position ${lastSeq}, but ${head && Number(head.seq) === coveredSeq ? 'the chain head' : 'a signed checkpoint'} covers position ${coveredSeq} (records deleted from the end).`,
    });
  }
  const anchoredBeyond = Math.max(0, ...[...anchorBySeq.keys()].filter((seq) => seq > lastSeq));
  if (anchoredBeyond > 0) {
    return report({
      seq: lastSeq + 1,
      id: null,
      reason: 'truncated',
      message: `The chain ends at position ${lastSeq}, but the anchor holds a signed checkpoint at position ${anchoredBeyond} (records deleted from the end).`,
    });
  }
  if (!head && lastSeq > 0) {
    return report({ seq: lastSeq, id: lastId, reason: 'broken_link', message: 'The chain head is missing.' });
  }
  if (head && Number(head.seq) < lastSeq) {
    return report({
      seq: Number(head.seq) + 1,
      id: null,
      reason: 'broken_link',
      message: `Records after position ${Number(head.seq)} are not covered by the chain head (inserted outside the trail).`,
    });
  }
  if (head && head.hash !== prevHash) {
    return report({
      seq: lastSeq,
      id: lastId,
      reason: 'hash_mismatch',
      message: `The chain head names another hash for position ${lastSeq} (the last record was changed).`,
    });
  }
  if (boundary) {
    // A boundary is only legitimate when the verified live chain holds the audit.archive record written before that prune.
    const archiveRecords = await db
      .selectFrom('audit_records')
      .select('data')
      .where('account_id', '=', accountId)
      .where('action', '=', 'audit.archive')
      .where('seq', '>', boundarySeq)
      .execute();
    const recorded = archiveRecords.some((row) => {
      const data = JSON.parse(row.data) as { lastSeq?: unknown; lastHash?: unknown };
      return data.lastSeq === boundarySeq && data.lastHash === boundary.hash;
    });
    if (!recorded) {
      return report({
        seq: boundarySeq,
        id: null,
        reason: 'missing',
        message: `Records up to position ${boundarySeq} are gone, but no audit.archive record in the live chain names that boundary (deleted outside archive-then-prune).`,
      });
    }
  }
  return report();
}

function checkpointProblem(
  checkpoint: CheckpointRow,
  accountId: string,
  signer: CheckpointSigner,
  recordHash: string | null,
): string | null {
  const seq = Number(checkpoint.seq);
  if (!signer.knows(checkpoint.key_id)) {
    return `Checkpoint ${checkpoint.id} at position ${seq} is signed by key ${checkpoint.key_id}, which is neither the current nor a previous secret key.`;
  }
  if (!signer.verify({ accountId, seq, hash: checkpoint.hash }, checkpoint.key_id, checkpoint.signature)) {
    return `Checkpoint ${checkpoint.id} at position ${seq} has an invalid signature (forged or altered).`;
  }
  if (recordHash !== null && checkpoint.hash !== recordHash) {
    return `Checkpoint ${checkpoint.id} signed another hash for position ${seq} than the record stored there (the chain was rewritten).`;
  }
  return null;
}
