import type { Kysely } from 'kysely';
import type { Page } from '../api/respond.js';
import { PreloopError } from '../errors.js';
import type { PreloopEvents } from '../events/create-event-bus.js';
import type { HookRunner } from '../hooks/hook-runner.js';
import { createLogger, type Logger } from '../logger.js';
import { postgresPoolOf, sqliteConnectionOf, type DialectName } from '../storage/database.js';
import type { KernelTables } from '../storage/schema.js';
import { createAnchorExporter, type AnchorExportResult } from './anchor-export.js';
import { archiveAuditRecords, type AuditArchiveResult, type AuditArchiveWriter } from './audit-archive.js';
import type { AnchoredCheckpoint, AuditAnchorSink } from './anchor-sink.js';
import { appendAuditBatch, inWriteTransaction, signHeadCheckpoint, type AuditHead } from './audit-append.js';
import { appendAuditBatchAtHead, postgresAppendChunk } from './audit-append-postgres.js';
import { createSqliteAuditAppender } from './audit-append-sqlite.js';
import { rotateCheckpointSignatures } from './audit-rotate.js';
import { getAuditRecord, queryAuditRecords, type AuditQuery } from './audit-query.js';
import { prepareAuditRecord, type AuditRow, type PreparedAuditRecord } from './audit-rows.js';
import type { AuditRecord, AuditRecordInput } from './audit-types.js';
import { verifyAuditChain, type AuditVerifyOptions, type AuditVerifyReport } from './audit-verify.js';
import { createCheckpointSigner, type CheckpointPublicKey } from './checkpoints.js';
import type { RedactionLimits } from './redact.js';

/** Options of {@link createAuditTrail}. */
export interface AuditTrailOptions {
  /** The database (with the kernel's audit tables). */
  db: Kysely<KernelTables>;
  /** Which SQL dialect `db` speaks. */
  dialect: DialectName;
  /** The secret key; the checkpoint signing key is derived from it. */
  secretKey: string;
  /** Earlier secret keys, so checkpoints they signed still verify. @default [] */
  previousSecretKeys?: readonly string[];
  /** Where `audit-recorded` is emitted. @default no events */
  events?: PreloopEvents;
  /** Where records are handed to `audit.record` sinks. @default no sinks */
  hooks?: Pick<HookRunner, 'sendToAuditSinks'>;
  /** Logger for sink failures. @default a silent logger */
  logger?: Logger;
  /** The account of records whose input and actor name none. */
  defaultAccountId: string;
  /** Sign a checkpoint whenever the chain reaches a multiple of this many records. @default 1000 */
  checkpointEvery?: number;
  /** Most records written in one transaction (group commit). @default 500 */
  maxBatchSize?: number;
  /** Size limits of record data. @default see {@link RedactionLimits} */
  redaction?: RedactionLimits;
  /**
   * Where every signed checkpoint is exported, outside the database (see
   * {@link AuditAnchorSink}); `verify` checks the chain against the readable ones.
   * @default []
   */
  anchors?: readonly AuditAnchorSink[];
}

/** Options of {@link AuditTrail.verify}. */
export interface AuditTrailVerifyOptions extends Omit<AuditVerifyOptions, 'anchor'> {
  /**
   * What to check the chain against: anchored checkpoints, a sink to read them
   * from, or `false` for the database alone.
   * @default the configured anchors that can be read back
   */
  anchor?: readonly AnchoredCheckpoint[] | AuditAnchorSink | false;
}

/** Options of {@link AuditTrail.archive}. */
export interface AuditTrailArchiveOptions {
  /** The account to archive. @default every account with records */
  accountId?: string;
  /** Archive records written before this time, or up to this position; the cut is the last signed checkpoint at or before it. */
  before: Date | number;
  /** Where each segment goes (see `createArchiveFileWriter`); it resolves once the segment is durably stored. */
  write: AuditArchiveWriter;
}

/** A signed checkpoint. */
export interface AuditCheckpoint {
  id: string;
  accountId: string;
  /** The position covered. */
  seq: number;
  /** The hash of the record at `seq`. */
  hash: string;
  /** The checkpoint key's id. */
  keyId: string;
  /** Ed25519 signature (base64) over `checkpointMessage({ accountId, seq, hash })`. */
  signature: string;
  time: number;
}

/** The tamper-evident audit trail: an append-only hash chain per account with signed checkpoints. */
export interface AuditTrail {
  /**
   * Appends a record and resolves once it is committed. Throws when it cannot be
   * stored, so a caller can deny the action it was about to take.
   */
  record(input: AuditRecordInput): Promise<AuditRecord>;
  /** Lists records newest first, filtered, with an opaque cursor. */
  query(query: AuditQuery): Promise<Page<AuditRecord>>;
  /** One record; `NOT_FOUND` when absent. */
  get(accountId: string, id: string): Promise<AuditRecord>;
  /**
   * Verifies an account's whole chain (records, checkpoint signatures, one
   * checkpoint per full interval, and the anchors) and names the first break.
   */
  verify(accountId: string, options?: AuditTrailVerifyOptions): Promise<AuditVerifyReport>;
  /** Signs a checkpoint at the account's current head now; null when the chain is empty. */
  checkpoint(accountId: string): Promise<AuditCheckpoint | null>;
  /** The Ed25519 public key that verifies checkpoints. */
  publicKey(): CheckpointPublicKey;
  /**
   * After a secret key rotation: re-signs with the current key every checkpoint
   * signed by a previous key, once that account's chain verifies (a broken chain
   * is reported with `CONFLICT` and left unchanged). Run it with `secrets.rotate()`.
   */
  rotate(): Promise<{ resigned: number }>;
  /**
   * Exports the checkpoints the anchors have not received yet, now, and
   * resolves when done (failures are logged and retried later, never thrown).
   */
  exportAnchors(): Promise<AnchorExportResult>;
  /**
   * Archive-then-prune: per account, exports the records up to the last
   * checkpoint at or before `before` as a self-verifying segment to `write`,
   * and once it is stored deletes them, keeping a boundary (that checkpoint's
   * position and hash) that verification starts from. Records an
   * `audit.archive` record per segment. Resolves with what was archived
   * (empty when nothing was due); `CONFLICT` when a chain does not verify.
   */
  archive(options: AuditTrailArchiveOptions): Promise<AuditArchiveResult[]>;
  /** Waits for pending appends (and sink deliveries, up to 5 s), then refuses new records. */
  close(): Promise<void>;
}

interface Pending {
  record: PreparedAuditRecord;
  resolve(record: AuditRecord): void;
  reject(error: unknown): void;
}

interface AccountQueue {
  items: Pending[];
  running: Promise<void> | null;
}

const sinkDrainTimeoutMs = 5000;

/**
 * Creates the audit trail. Appends are serialized per account and batched: the
 * records that arrive in the same tick, or while a write runs, are written
 * together in one transaction (group commit), and each `record()` resolves only
 * after that transaction committed.
 *
 * On SQLite opened by `openDatabase`, a batch is one synchronous `BEGIN
 * IMMEDIATE` transaction on the `better-sqlite3` connection with statements
 * prepared once; processes sharing the file serialize on the write lock. On
 * PostgreSQL the trail remembers each account's head and writes a batch in one
 * statement that moves the head only if it is still the remembered one (one
 * round trip); when another instance moved it, the batch is written again in a
 * transaction that locks the head row (`SELECT … FOR UPDATE`), so several
 * instances on one database extend a single chain. A host's own SQLite Kysely
 * instance takes that transactional path too.
 *
 * @example
 * ```ts
 * const audit = createAuditTrail({ db, dialect: 'sqlite', secretKey, events, hooks, logger, defaultAccountId: 'acc_default' });
 * await audit.record({ actor: principal, action: 'api-key.create', target: { type: 'api_key', id }, outcome: 'success' });
 * const report = await audit.verify('acc_default');
 * ```
 */
export function createAuditTrail(options: AuditTrailOptions): AuditTrail {
  const { db, dialect } = options;
  const signer = createCheckpointSigner(options.secretKey, options.previousSecretKeys);
  const logger = options.logger ?? createLogger({ level: 'silent' });
  const checkpointEvery = Math.max(1, Math.trunc(options.checkpointEvery ?? 1000));
  const maxBatchSize = Math.max(1, Math.trunc(options.maxBatchSize ?? 500));
  const queues = new Map<string, AccountQueue>();
  /** The head each account's last write left (PostgreSQL: the expected head of the next one-statement append). */
  const heads = new Map<string, AuditHead>();
  const sqliteConnection = dialect === 'sqlite' ? sqliteConnectionOf(db) : null;
  const appendSqlite = sqliteConnection ? createSqliteAuditAppender(sqliteConnection, { signer, checkpointEvery }) : null;
  const postgresPool = dialect === 'postgres' ? postgresPoolOf(db) : null;
  const sinkDeliveries = new Set<Promise<void>>();
  let closed = false;
  const anchors = options.anchors ?? [];
  const names = new Set<string>();
  for (const anchor of anchors) {
    if (!anchor || typeof anchor.name !== 'string' || anchor.name === '' || typeof anchor.write !== 'function') {
      throw new PreloopError('CONFIGURATION_ERROR', 'auditAnchors: each anchor needs a name and a write(checkpoint) function.');
    }
    if (names.has(anchor.name)) throw new PreloopError('CONFIGURATION_ERROR', `auditAnchors: two anchors are named ${anchor.name}.`);
    names.add(anchor.name);
  }
  const exporter = createAnchorExporter({ db, sinks: anchors, logger });
  // Checkpoints signed before a restart, or while an anchor was unreachable, are exported now.
  exporter.kick();

  const deliver = (record: AuditRecord) => {
    options.events?.emit('audit-recorded', {
      accountId: record.accountId,
      id: record.id,
      seq: record.seq,
      action: record.action,
      outcome: record.outcome,
      time: record.time,
    });
    if (!options.hooks) return;
    const delivery = Promise.resolve()
      .then(() => options.hooks!.sendToAuditSinks(record))
      .catch((error: unknown) => logger.warn('audit sink delivery failed', { error, auditRecordId: record.id }))
      .finally(() => sinkDeliveries.delete(delivery));
    sinkDeliveries.add(delivery);
  };

  const write = async (accountId: string, records: PreparedAuditRecord[]): Promise<AuditRow[]> => {
    const written = appendSqlite?.(accountId, records);
    if (written) return written;
    const head = heads.get(accountId);
    if (dialect === 'postgres' && head && records.length <= postgresAppendChunk) {
      const rows = await appendAuditBatchAtHead(db, accountId, records, head, { signer, checkpointEvery }, postgresPool);
      if (rows) return rows;
      // Another instance moved the head: chain after it, under its lock.
    }
    return inWriteTransaction(db, dialect, (trx) =>
      appendAuditBatch(trx, accountId, records, { dialect, signer, checkpointEvery, headKnown: heads.has(accountId) }),
    );
  };

  const drain = async (accountId: string, queue: AccountQueue) => {
    try {
      while (queue.items.length > 0) {
        const batch = queue.items.splice(0, maxBatchSize);
        let stored: AuditRecord[];
        try {
          const rows = await write(
            accountId,
            batch.map((item) => item.record),
          );
          const last = rows[rows.length - 1]!;
          heads.set(accountId, { seq: Number(last.seq), hash: last.hash });
          stored = rows.map((row, index) => ({
            ...toRecord(batch[index]!.record),
            seq: Number(row.seq),
            prevHash: row.prev_hash,
            hash: row.hash,
          }));
        } catch (cause) {
          heads.delete(accountId);
          logger.error('audit write failed', { error: cause, accountId, records: batch.length });
          const error =
            cause instanceof PreloopError
              ? cause
              : new PreloopError('INTERNAL_ERROR', 'The audit record could not be stored; the action must not proceed.', { cause });
          for (const item of batch) item.reject(error);
          continue;
        }
        for (let index = 0; index < batch.length; index++) batch[index]!.resolve(stored[index]!);
        if (stored.some((record) => record.seq % checkpointEvery === 0)) exporter.kick();
        for (const record of stored) deliver(record);
      }
    } finally {
      queue.running = null;
      if (queue.items.length === 0) queues.delete(accountId);
    }
  };

  return {
    record(input) {
      if (closed) return Promise.reject(new PreloopError('GONE', 'The audit trail is closed.'));
      let prepared: PreparedAuditRecord;
      try {
        prepared = prepareAuditRecord(input, options.defaultAccountId, options.redaction);
      } catch (error) {
        return Promise.reject(error);
      }
      return new Promise<AuditRecord>((resolve, reject) => {
        let queue = queues.get(prepared.accountId);
        if (!queue) {
          queue = { items: [], running: null };
          queues.set(prepared.accountId, queue);
        }
        queue.items.push({ record: prepared, resolve, reject });
        // Drained after this tick, so the records of callers running in the same tick share one transaction.
        if (!queue.running) queue.running = Promise.resolve().then(() => drain(prepared.accountId, queue!));
      });
    },
    query: (query) => queryAuditRecords(db, query),
    get: (accountId, id) => getAuditRecord(db, accountId, id),
    async verify(accountId, verifyOptions = {}) {
      const { anchor, ...rest } = verifyOptions;
      let anchored: readonly AnchoredCheckpoint[] | undefined;
      if (Array.isArray(anchor)) anchored = anchor as readonly AnchoredCheckpoint[];
      else if (anchor && typeof anchor === 'object') {
        const sink = anchor as AuditAnchorSink;
        if (typeof sink.read !== 'function')
          throw new PreloopError('VALIDATION_ERROR', `The audit anchor ${sink.name} cannot be read back, so it cannot verify the chain.`);
        anchored = await sink.read();
      } else if (anchor === undefined && anchors.some((sink) => typeof sink.read === 'function')) {
        anchored = (await Promise.all(anchors.map((sink) => sink.read?.() ?? []))).flat();
      }
      return verifyAuditChain(db, accountId, signer, { checkpointEvery, ...rest, ...(anchored ? { anchor: anchored } : {}) });
    },
    async checkpoint(accountId) {
      const row = await inWriteTransaction(db, dialect, (trx) => signHeadCheckpoint(trx, accountId, dialect, signer));
      if (!row) return null;
      exporter.kick();
      return {
        id: row.id,
        accountId: row.account_id,
        seq: Number(row.seq),
        hash: row.hash,
        keyId: row.key_id,
        signature: row.signature,
        time: Number(row.time),
      };
    },
    publicKey: () => signer.publicKey,
    async rotate() {
      try {
        return await rotateCheckpointSignatures(db, signer);
      } finally {
        // Re-signed checkpoints carry new signatures: anchor them too (also after a partial rotation).
        exporter.kick();
      }
    },
    exportAnchors: () => exporter.flush(),
    async archive(archiveOptions) {
      // Anchors receive the checkpoints first, so an anchor never misses one that is about to be pruned.
      await exporter.flush();
      const accountIds =
        archiveOptions.accountId !== undefined
          ? [archiveOptions.accountId]
          : (await db.selectFrom('audit_heads').select('account_id').orderBy('account_id').execute()).map((row) => row.account_id);
      const results: AuditArchiveResult[] = [];
      for (const accountId of accountIds) {
        // The audit.archive record is written before the prune: verification requires one naming the boundary.
        const result = await archiveAuditRecords(db, signer, {
          accountId,
          before: archiveOptions.before,
          write: archiveOptions.write,
          onStored: async (stored) => {
            await this.record({
              accountId,
              actor: { type: 'system' },
              action: 'audit.archive',
              target: { type: 'audit_segment', id: `${stored.firstSeq}-${stored.lastSeq}` },
              outcome: 'success',
              data: {
                firstSeq: stored.firstSeq,
                lastSeq: stored.lastSeq,
                lastHash: stored.lastHash,
                records: stored.records,
                segmentSha256: stored.sha256,
              },
            });
          },
        });
        if (result) results.push(result);
      }
      return results;
    },
    async close() {
      closed = true;
      for (let pending = [...queues.values()].flatMap((queue) => (queue.running ? [queue.running] : [])); pending.length > 0; ) {
        await Promise.all(pending);
        pending = [...queues.values()].flatMap((queue) => (queue.running ? [queue.running] : []));
      }
      if (sinkDeliveries.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, sinkDrainTimeoutMs);
          timer.unref?.();
        });
        await Promise.race([Promise.allSettled([...sinkDeliveries]), timeout]);
        clearTimeout(timer);
      }
      await exporter.close(sinkDrainTimeoutMs);
    },
  };
}

function toRecord(prepared: PreparedAuditRecord): Omit<AuditRecord, 'seq' | 'prevHash' | 'hash'> {
  return {
    id: prepared.id,
    accountId: prepared.accountId,
    time: prepared.time,
    actorType: prepared.actorType,
    actorId: prepared.actorId,
    principal: prepared.principal,
    runtimeSessionId: prepared.runtimeSessionId,
    action: prepared.action,
    targetType: prepared.targetType,
    targetId: prepared.targetId,
    outcome: prepared.outcome,
    data: prepared.data,
  };
}

export type { AuditQuery } from './audit-query.js';
export type { AuditBreak, AuditBreakReason, AuditVerifyOptions, AuditVerifyReport } from './audit-verify.js';
export type { AnchoredCheckpoint, AuditAnchorSink } from './anchor-sink.js';
export type { AnchorExportResult } from './anchor-export.js';
export type { AuditArchiveResult, AuditArchiveWriter, AuditSegmentHeader } from './audit-archive.js';
export type { CheckpointPublicKey } from './checkpoints.js';
