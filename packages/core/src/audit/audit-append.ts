import { sql, type Kysely } from 'kysely';
import { PreloopError } from '../errors.js';
import { createId } from '../ids.js';
import type { DialectName } from '../storage/database.js';
import type { KernelTables } from '../storage/schema.js';
import { toAuditRow, type AuditRow, type PreparedAuditRecord } from './audit-rows.js';
import type { CheckpointSigner } from './checkpoints.js';
import { genesisHash, hashStoredAuditRecord } from './hash-chain.js';

/** The most rows in one multi-row INSERT (15 parameters each stays far below both dialects' limits). */
const insertChunk = 500;

/**
 * Runs `work` in one write transaction: `BEGIN IMMEDIATE` on SQLite (the write
 * lock is taken up front, so processes sharing the file serialize instead of
 * failing to upgrade), an ordinary transaction on PostgreSQL.
 *
 * @example
 * ```ts
 * await inWriteTransaction(db, 'sqlite', (trx) => trx.insertInto('t').values(row).execute());
 * ```
 */
export async function inWriteTransaction<DB, T>(db: Kysely<DB>, dialect: DialectName, work: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
  if (dialect === 'postgres') return db.transaction().execute(work);
  return db.connection().execute(async (connection) => {
    await sql`begin immediate`.execute(connection);
    try {
      const result = await work(connection);
      await sql`commit`.execute(connection);
      return result;
    } catch (error) {
      await sql`rollback`.execute(connection).catch(() => {});
      throw error;
    }
  });
}

/** Options of {@link appendAuditBatch}. */
export interface AppendBatchOptions {
  dialect: DialectName;
  signer: CheckpointSigner;
  /** Sign a checkpoint at every seq that is a multiple of this. */
  checkpointEvery: number;
  /** Skip creating the head row (it is known to exist). */
  headKnown: boolean;
}

/**
 * Appends records of one account at the chain head, inside the caller's
 * transaction: locks the head (`SELECT … FOR UPDATE` on PostgreSQL, the write
 * lock on SQLite), chains and inserts the rows, moves the head and signs the
 * checkpoints that fall in the batch. Returns the stored rows in order.
 *
 * @example
 * ```ts
 * const rows = await inWriteTransaction(db, dialect, (trx) => appendAuditBatch(trx, accountId, prepared, options));
 * ```
 */
export async function appendAuditBatch(
  db: Kysely<KernelTables>,
  accountId: string,
  records: readonly PreparedAuditRecord[],
  options: AppendBatchOptions,
): Promise<AuditRow[]> {
  let head = await readHead(db, accountId, options.dialect);
  if (!head && !options.headKnown) {
    // First record of the account: create the genesis head, unless records exist without one (tampering).
    await db
      .insertInto('audit_heads')
      .columns(['account_id', 'seq', 'hash'])
      .expression(
        db
          .selectNoFrom((eb) => [eb.val(accountId).as('account_id'), eb.lit(0).as('seq'), eb.val(genesisHash).as('hash')])
          .where(({ not, exists, selectFrom }) =>
            not(exists(selectFrom('audit_records').select('id').where('account_id', '=', accountId))),
          ),
      )
      .onConflict((conflict) => conflict.column('account_id').doNothing())
      .execute();
    head = await readHead(db, accountId, options.dialect);
  }
  if (!head) {
    throw new PreloopError(
      'INTERNAL_ERROR',
      `The audit chain head of account ${accountId} is missing while records exist; run \`preloop audit verify\`.`,
    );
  }

  const { rows, checkpoints, seq, hash } = chainAuditRecords(accountId, records, { seq: Number(head.seq), hash: head.hash }, options);
  for (let start = 0; start < rows.length; start += insertChunk) {
    await db
      .insertInto('audit_records')
      .values(rows.slice(start, start + insertChunk))
      .execute();
  }
  await db.updateTable('audit_heads').set({ seq, hash }).where('account_id', '=', accountId).execute();
  if (checkpoints.length > 0) await db.insertInto('audit_checkpoints').values(checkpoints).execute();
  return rows;
}

/** An account's chain head: the position and hash of its last record (0 and {@link genesisHash} when empty). */
export interface AuditHead {
  seq: number;
  hash: string;
}

/** Records chained onto a head, ready to be written. */
export interface ChainedAuditBatch {
  /** The rows, in chain order. */
  rows: AuditRow[];
  /** The checkpoints that fall in the batch, signed. */
  checkpoints: KernelTables['audit_checkpoints'][];
  /** The new head's position. */
  seq: number;
  /** The new head's hash. */
  hash: string;
}

/**
 * Chains records of one account onto `head`: numbers them, hashes each over its
 * predecessor's hash, and signs a checkpoint at every multiple of
 * `checkpointEvery`. Pure: the caller writes the result (and must make sure the
 * head did not move meanwhile).
 *
 * @example
 * ```ts
 * const { rows, checkpoints, seq, hash } = chainAuditRecords(accountId, prepared, { seq: 0, hash: genesisHash }, { signer, checkpointEvery: 1000 });
 * ```
 */
export function chainAuditRecords(
  accountId: string,
  records: readonly PreparedAuditRecord[],
  head: AuditHead,
  options: Pick<AppendBatchOptions, 'signer' | 'checkpointEvery'>,
): ChainedAuditBatch {
  let seq = head.seq;
  let prevHash = head.hash;
  const rows: AuditRow[] = [];
  const checkpoints: KernelTables['audit_checkpoints'][] = [];
  for (const record of records) {
    if (record.accountId !== accountId) throw new PreloopError('INTERNAL_ERROR', 'An audit batch mixed accounts.');
    seq += 1;
    const row = toAuditRow(record, seq, prevHash, '');
    row.hash = hashStoredAuditRecord(row);
    rows.push(row);
    prevHash = row.hash;
    if (seq % options.checkpointEvery === 0) {
      checkpoints.push({
        id: createId('ckp'),
        account_id: accountId,
        seq,
        hash: row.hash,
        key_id: options.signer.keyId,
        signature: options.signer.sign({ accountId, seq, hash: row.hash }),
        time: record.time,
      });
    }
  }
  return { rows, checkpoints, seq, hash: prevHash };
}

/**
 * Signs a checkpoint at the current head of an account (no-op when the head
 * already has one under the current key). Null when the account has no records.
 *
 * @example
 * ```ts
 * const checkpoint = await inWriteTransaction(db, dialect, (trx) => signHeadCheckpoint(trx, accountId, dialect, signer));
 * ```
 */
export async function signHeadCheckpoint(
  db: Kysely<KernelTables>,
  accountId: string,
  dialect: DialectName,
  signer: CheckpointSigner,
): Promise<KernelTables['audit_checkpoints'] | null> {
  const head = await readHead(db, accountId, dialect);
  if (!head || Number(head.seq) === 0) return null;
  const seq = Number(head.seq);
  const existing = await db
    .selectFrom('audit_checkpoints')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('seq', '=', seq)
    .where('key_id', '=', signer.keyId)
    .executeTakeFirst();
  if (existing) return existing;
  const checkpoint = {
    id: createId('ckp'),
    account_id: accountId,
    seq,
    hash: head.hash,
    key_id: signer.keyId,
    signature: signer.sign({ accountId, seq, hash: head.hash }),
    time: Date.now(),
  };
  await db.insertInto('audit_checkpoints').values(checkpoint).execute();
  return checkpoint;
}

async function readHead(db: Kysely<KernelTables>, accountId: string, dialect: DialectName) {
  const query = db.selectFrom('audit_heads').select(['seq', 'hash']).where('account_id', '=', accountId);
  return (dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
}
