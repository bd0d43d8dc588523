/**
 * Bulk inserts of many rows through one JSON parameter: a short, fixed SQL
 * statement (`json_each` on SQLite, `json_populate_recordset` on PostgreSQL)
 * instead of a multi-row `VALUES` list whose SQL and parameters grow with the
 * batch. Building and preparing a 500-row `VALUES` statement costs more than
 * inserting the rows.
 *
 * @module
 */

import type { DialectName } from '@preloop/core';
import { sql, type Kysely } from 'kysely';

/**
 * Inserts `rows` into `table`, whose columns are `columns` (every row has
 * every column; values are strings, numbers or null).
 *
 * @example
 * ```ts
 * await bulkInsert(trx, 'sqlite', 'gateway_usage', usageColumns, rows);
 * ```
 */
export async function bulkInsert<Row extends object>(
  db: Kysely<any>,
  dialect: DialectName,
  table: string,
  columns: ReadonlyArray<keyof Row & string>,
  rows: readonly Row[],
): Promise<void> {
  if (rows.length === 0) return;
  const columnList = sql.join(columns.map((column) => sql.id(column)));
  if (dialect === 'postgres') {
    await sql`insert into ${sql.table(table)} (${columnList}) select ${columnList} from json_populate_recordset(null::${sql.table(table)}, ${JSON.stringify(rows)}::json)`.execute(
      db,
    );
    return;
  }
  const values = rows.map((row) => columns.map((column) => row[column] ?? null));
  const extract = sql.join(columns.map((_, index) => sql`value ->> ${sql.lit(index)}`));
  await sql`insert into ${sql.table(table)} (${columnList}) select ${extract} from json_each(${JSON.stringify(values)})`.execute(db);
}
