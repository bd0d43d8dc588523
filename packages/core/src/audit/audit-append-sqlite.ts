import type BetterSqlite3 from 'better-sqlite3';
import { PreloopError } from '../errors.js';
import { chainAuditRecords, type AppendBatchOptions } from './audit-append.js';
import { type AuditRow, auditCheckpointColumns, auditRecordColumns, type PreparedAuditRecord } from './audit-rows.js';
import { genesisHash } from './hash-chain.js';

/** Appends one account's records synchronously; null when the connection is inside someone else's transaction. */
export type SqliteAuditAppender = (accountId: string, records: readonly PreparedAuditRecord[]) => AuditRow[] | null;

/**
 * The audit trail's SQLite write path, on the `better-sqlite3` connection
 * itself: one `BEGIN IMMEDIATE` transaction per batch, run synchronously with
 * statements prepared once (Kysely prepares every statement anew, which was
 * most of an append's time). Inside the write lock it reads the head, chains
 * and inserts the records, moves the head and stores the batch's checkpoints,
 * exactly as {@link appendAuditBatch}; the call returns after `COMMIT`, so a
 * record is durable (WAL) before its caller hears of it. Another process
 * sharing the file waits on the lock (busy timeout) and reads the moved head.
 *
 * Returns null, touching nothing, while the connection is inside a transaction
 * opened through Kysely (its statements would join that transaction); the
 * caller then takes the Kysely path, which waits for the connection.
 *
 * @example
 * ```ts
 * const append = createSqliteAuditAppender(connection, { signer, checkpointEvery: 1000 });
 * const rows = append('acc_default', prepared) ?? (await inWriteTransaction(db, 'sqlite', (trx) => appendAuditBatch(trx, 'acc_default', prepared, options)));
 * ```
 */
export function createSqliteAuditAppender(
  connection: BetterSqlite3.Database,
  options: Pick<AppendBatchOptions, 'signer' | 'checkpointEvery'>,
): SqliteAuditAppender {
  // Prepared on first use: the trail may be created before the migrations ran.
  let append: ((accountId: string, records: readonly PreparedAuditRecord[]) => AuditRow[]) | null = null;
  const prepare = () => {
    const readHead = connection.prepare<[string], { seq: number; hash: string }>('select seq, hash from audit_heads where account_id = ?');
    // The genesis head, unless records exist without one (tampering): then the append fails.
    const createHead = connection.prepare<[string, string, string]>(
      'insert into audit_heads (account_id, seq, hash) select ?, 0, ? where not exists (select 1 from audit_records where account_id = ?) on conflict (account_id) do nothing',
    );
    const insertRecord = connection.prepare(
      `insert into audit_records (${auditRecordColumns.join(', ')}) values (${auditRecordColumns.map((c) => `@${c}`).join(', ')})`,
    );
    const moveHead = connection.prepare<[number, string, string]>('update audit_heads set seq = ?, hash = ? where account_id = ?');
    const insertCheckpoint = connection.prepare(
      `insert into audit_checkpoints (${auditCheckpointColumns.join(', ')}) values (${auditCheckpointColumns.map((c) => `@${c}`).join(', ')})`,
    );

    const transaction = connection.transaction((accountId: string, records: readonly PreparedAuditRecord[]): AuditRow[] => {
      let head = readHead.get(accountId);
      if (!head) {
        createHead.run(accountId, genesisHash, accountId);
        head = readHead.get(accountId);
      }
      if (!head) {
        throw new PreloopError(
          'INTERNAL_ERROR',
          `The audit chain head of account ${accountId} is missing while records exist; run \`preloop audit verify\`.`,
        );
      }
      const chained = chainAuditRecords(accountId, records, { seq: Number(head.seq), hash: head.hash }, options);
      for (const row of chained.rows) insertRecord.run(row);
      moveHead.run(chained.seq, chained.hash, accountId);
      for (const checkpoint of chained.checkpoints) insertCheckpoint.run(checkpoint);
      return chained.rows;
    });
    return (accountId: string, records: readonly PreparedAuditRecord[]) => transaction.immediate(accountId, records);
  };

  return (accountId, records) => (connection.inTransaction ? null : (append ??= prepare())(accountId, records));
}
