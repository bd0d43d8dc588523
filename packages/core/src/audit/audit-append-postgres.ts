import { sql, type Kysely, type RawBuilder } from 'kysely';
import type pg from 'pg';
import { chainAuditRecords, type AppendBatchOptions, type AuditHead } from './audit-append.js';
import { type AuditRow, auditCheckpointColumns, auditRecordColumns, type PreparedAuditRecord } from './audit-rows.js';

const bigintColumns = new Set(['seq', 'time']);

/** Rows in one statement (15 parameters each, far below PostgreSQL's 65,535). */
export const postgresAppendChunk = 500;

/** Batches up to this size run as named statements (one per batch size), planned once per connection. */
const namedUpTo = 8;

/**
 * Appends one account's records onto an expected head in one PostgreSQL
 * statement (one round trip, its own transaction): a CTE moves the head row
 * only if it still holds `expected` (`UPDATE … WHERE seq = … AND hash = …`),
 * and the records and checkpoints are inserted from that CTE's output, so they
 * are written if and only if the head moved. A concurrent writer that moved the
 * head first makes the `UPDATE` match nothing (PostgreSQL re-checks the
 * condition on the row it waited for), and nothing is written: the result is
 * null and the caller re-reads the head under a lock ({@link appendAuditBatch}).
 *
 * At most {@link postgresAppendChunk} records per call. With `pool` (the `pg`
 * pool behind `db`), small batches run as named statements, so PostgreSQL parses
 * and plans the statement once per connection instead of on every append
 * (that was half of a sequential append's time).
 *
 * @example
 * ```ts
 * const rows = await appendAuditBatchAtHead(db, accountId, prepared, cachedHead, { signer, checkpointEvery: 1000 }, postgresPoolOf(db));
 * if (!rows) // the head moved: take the locking path
 * ```
 */
export async function appendAuditBatchAtHead(
  db: Kysely<any>,
  accountId: string,
  records: readonly PreparedAuditRecord[],
  expected: AuditHead,
  options: Pick<AppendBatchOptions, 'signer' | 'checkpointEvery'>,
  pool: pg.Pool | null = null,
): Promise<AuditRow[] | null> {
  const chained = chainAuditRecords(accountId, records, expected, options);
  const recordValues = valuesList(chained.rows, auditRecordColumns);
  const checkpointStatement =
    chained.checkpoints.length > 0
      ? sql`, checkpoints as (insert into audit_checkpoints (${columnList(auditCheckpointColumns)}) select v.* from moved, (values ${valuesList(chained.checkpoints, auditCheckpointColumns)}) as v (${columnList(auditCheckpointColumns)}))`
      : sql``;
  const statement = sql<{ moved: number | string }>`
    with moved as (
      update audit_heads set seq = ${chained.seq}, hash = ${chained.hash}
      where account_id = ${accountId} and seq = ${expected.seq} and hash = ${expected.hash}
      returning 1
    ), records as (
      insert into audit_records (${columnList(auditRecordColumns)})
      select v.* from moved, (values ${recordValues}) as v (${columnList(auditRecordColumns)})
    )${checkpointStatement}
    select count(*) as moved from moved`.compile(db);
  const result =
    pool && chained.rows.length <= namedUpTo
      ? await pool.query<{ moved: number | string }>({
          name: `preloop_audit_append_${chained.rows.length}_${chained.checkpoints.length}`,
          text: statement.sql,
          values: [...statement.parameters],
        })
      : await db.executeQuery(statement);
  return Number(result.rows[0]?.moved ?? 0) === 1 ? chained.rows : null;
}

function columnList(columns: readonly string[]): RawBuilder<unknown> {
  return sql.join(columns.map((column) => sql.ref(column)));
}

/** `(v1, v2, …), (…)`, each parameter cast to its column's type (parameters in VALUES are otherwise text). */
function valuesList<Row extends object>(rows: readonly Row[], columns: readonly (keyof Row & string)[]): RawBuilder<unknown> {
  return sql.join(
    rows.map(
      (row) =>
        sql`(${sql.join(columns.map((column) => (bigintColumns.has(column) ? sql`${row[column]}::bigint` : sql`${row[column]}::text`)))})`,
    ),
  );
}
