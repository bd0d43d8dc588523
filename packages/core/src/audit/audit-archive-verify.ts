import { createPublicKey, type KeyObject } from 'node:crypto';
import type { AuditRecord } from './audit-types.js';
import { auditSegmentFormat, type AuditSegmentHeader } from './audit-archive.js';
import { verifyCheckpoint, type CheckpointPublicKey } from './checkpoints.js';
import { hashAuditRecord } from './hash-chain.js';

/** Why an archived segment fails verification. */
export type AuditArchiveBreakReason = 'malformed' | 'missing' | 'broken_link' | 'hash_mismatch' | 'bad_checkpoint' | 'unsigned_end';

/** The result of {@link verifyAuditArchive}. */
export interface AuditArchiveReport {
  /** True when every record links and hashes, every checkpoint verifies, and a checkpoint signs the last record. */
  ok: boolean;
  /** The header, when it could be read. */
  header?: AuditSegmentHeader;
  /** Records verified (up to the first break). */
  records: number;
  /** Checkpoint signatures verified. */
  checkpoints: number;
  /** The hash of the last record verified: for a complete segment, the live chain's `boundary.hash` or the next segment's `prevHash`. */
  lastHash?: string;
  /** The first problem, when not ok. */
  firstBroken?: { line: number; seq?: number; reason: AuditArchiveBreakReason; message: string };
}

/** A checkpoint verification key: PEM, raw base64, a KeyObject, or the answer of `GET /api/v1/audit/public-key`. */
export type AuditArchiveKey = string | KeyObject | Pick<CheckpointPublicKey, 'pem'>;

/**
 * Verifies an archived audit segment on its own, with only the checkpoint
 * public key(s): the header is well-formed, records are contiguous from
 * `firstSeq` to `lastSeq`, each links to the previous hash (the first to the
 * header's `prevHash`) and matches its own hash, every checkpoint verifies with
 * one of the keys and signs the hash at its position, and one signs `lastSeq`.
 * `segment` is the whole text, or its lines.
 *
 * @example
 * ```ts
 * const report = await verifyAuditArchive(readFileSync('audit-acc_default-1-1000.jsonl', 'utf8'), publicKeyPem);
 * if (report.ok && report.lastHash === liveReport.boundary?.hash) console.log('continuous across the boundary');
 * ```
 */
export async function verifyAuditArchive(
  segment: string | Iterable<string> | AsyncIterable<string>,
  publicKey: AuditArchiveKey | readonly AuditArchiveKey[],
): Promise<AuditArchiveReport> {
  const keys = (Array.isArray(publicKey) ? publicKey : [publicKey]).map(toKey);
  const source = typeof segment === 'string' ? segment.split('\n') : segment;
  let header: AuditSegmentHeader | undefined;
  let records = 0;
  let checkpoints = 0;
  let lineNumber = 0;
  let prevHash = '';
  let expected = 0;
  // Only the hashes at the positions the header announces checkpoints for are kept: memory does not grow with the segment.
  const hashes = new Map<number, string>();
  let announced = new Set<number>();
  let endSigned = false;
  const fail = (reason: AuditArchiveBreakReason, message: string, seq?: number): AuditArchiveReport => ({
    ok: false,
    ...(header ? { header } : {}),
    records,
    checkpoints,
    ...(records > 0 ? { lastHash: prevHash } : {}),
    firstBroken: { line: lineNumber, ...(seq !== undefined ? { seq } : {}), reason, message },
  });
  for await (const raw of source) {
    lineNumber++;
    const line = raw.trim();
    if (line === '') continue;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return fail('malformed', `Line ${lineNumber} is not JSON.`);
    }
    if (!header) {
      if (entry.type !== 'segment' || entry.format !== auditSegmentFormat || !isHeader(entry)) {
        return fail('malformed', `Line ${lineNumber} is not a ${auditSegmentFormat} header.`);
      }
      header = entry;
      announced = new Set(header.checkpointSeqs);
      prevHash = header.prevHash;
      expected = header.firstSeq;
      continue;
    }
    if (entry.type === 'record') {
      const { type: _type, ...record } = entry as unknown as AuditRecord & { type: string };
      if (record.accountId !== header.accountId)
        return fail('malformed', `Line ${lineNumber}: a record of another account (${String(record.accountId)}).`);
      if (record.seq > header.lastSeq)
        return fail(
          'malformed',
          `Line ${lineNumber}: position ${record.seq} is past the header's last position ${header.lastSeq}.`,
          record.seq,
        );
      if (record.seq !== expected)
        return fail('missing', `No record at position ${expected}; line ${lineNumber} holds position ${String(record.seq)}.`, expected);
      if (record.prevHash !== prevHash)
        return fail('broken_link', `Record ${record.id} at position ${record.seq} does not link to the hash before it.`, record.seq);
      if (hashAuditRecord(prevHash, record) !== record.hash)
        return fail('hash_mismatch', `Record ${record.id} at position ${record.seq} does not match its hash (changed).`, record.seq);
      prevHash = record.hash;
      if (announced.has(record.seq)) hashes.set(record.seq, record.hash);
      records++;
      expected++;
      continue;
    }
    if (entry.type === 'checkpoint') {
      const seq = Number(entry.seq);
      const payload = { accountId: header.accountId, seq, hash: String(entry.hash) };
      if (entry.accountId !== header.accountId || !keys.some((key) => verifyCheckpoint(key, payload, String(entry.signature)))) {
        return fail('bad_checkpoint', `Checkpoint ${String(entry.id)} at position ${seq} does not verify with the public key.`, seq);
      }
      if (!announced.has(seq))
        return fail('malformed', `Checkpoint ${String(entry.id)} at position ${seq} is not announced in the header's checkpointSeqs.`, seq);
      if (hashes.get(seq) !== payload.hash)
        return fail('bad_checkpoint', `Checkpoint ${String(entry.id)} signs another hash for position ${seq} than the segment holds.`, seq);
      checkpoints++;
      if (seq === header.lastSeq) endSigned = true;
      continue;
    }
    return fail('malformed', `Line ${lineNumber} is neither a record nor a checkpoint.`);
  }
  if (!header) return fail('malformed', 'The segment is empty.');
  if (expected <= header.lastSeq)
    return fail('missing', `The segment ends at position ${expected - 1}; its header names ${header.lastSeq} (truncated).`, expected);
  if (!endSigned)
    return fail('unsigned_end', `No checkpoint signs the segment's last record (position ${header.lastSeq}).`, header.lastSeq);
  return { ok: true, header, records, checkpoints, lastHash: prevHash };
}

function toKey(key: AuditArchiveKey): string | KeyObject {
  if (typeof key === 'string') return key.includes('BEGIN PUBLIC KEY') ? createPublicKey(key) : key;
  if ('pem' in key && typeof key.pem === 'string') return createPublicKey(key.pem);
  return key as KeyObject;
}

function isHeader(entry: Record<string, unknown>): entry is AuditSegmentHeader & Record<string, unknown> {
  const whole = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 0;
  return (
    typeof entry.accountId === 'string' &&
    whole(entry.firstSeq) &&
    (entry.firstSeq as number) >= 1 &&
    whole(entry.lastSeq) &&
    (entry.lastSeq as number) >= (entry.firstSeq as number) &&
    Array.isArray(entry.checkpointSeqs) &&
    entry.checkpointSeqs.every(whole) &&
    typeof entry.prevHash === 'string' &&
    /^[0-9a-f]{64}$/.test(entry.prevHash)
  );
}
