import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { sha256Hex } from '../json/canonical-json.js';
import { sqliteConnectionOf } from '../storage/database.js';
import type { KernelTables } from '../storage/schema.js';
import type { AuditRow } from './audit-rows.js';
import { hashStoredAuditRecord } from './hash-chain.js';

/**
 * One record as verification needs it: its position, id, stored links and
 * whether its content (every column its hash covers) still hashes to its stored
 * hash, computed from the stored columns.
 */
export interface VerifiedAuditRow {
  seq: number;
  id: string;
  prevHash: string;
  hash: string;
  /** True when SHA-256(prevHash + canonical JSON of the stored content) equals `hash`. */
  contentMatches: boolean;
}

/** Reads one page of an account's records from `fromSeq` on, in chain order, each with its content hash checked. */
export type AuditVerifyPageReader = (fromSeq: number) => Promise<VerifiedAuditRow[]>;

/**
 * The canonical JSON text of a record's hashed content, built by SQLite from
 * the columns in the key order of `hashStoredAuditRecord` (`json_quote` for
 * strings and nulls, `data` and `principal` as stored canonical JSON), so a
 * page is read as four values per record instead of fifteen and no JavaScript
 * string is built per field.
 */
const contentTextSql = `'{"accountId":' || json_quote(account_id) || ',"action":' || json_quote(action) || ',"actorId":' || json_quote(actor_id) || ',"actorType":' || json_quote(actor_type) || ',"data":' || data || ',"id":' || json_quote(id) || ',"outcome":' || json_quote(outcome) || ',"principal":' || coalesce(principal, 'null') || ',"runtimeSessionId":' || json_quote(runtime_session_id) || ',"seq":' || seq || ',"targetId":' || json_quote(target_id) || ',"targetType":' || json_quote(target_type) || ',"time":' || time || '}'`;

/**
 * The page reader of {@link verifyAuditChain}: on SQLite (opened by
 * `openDatabase`), one statement prepared once, rows as arrays, the hashed text
 * assembled by SQLite; elsewhere, Kysely pages hashed by `hashStoredAuditRecord`.
 *
 * The SQLite text is a fast path, never the judge of a mismatch: a record
 * whose SQLite-built text does not hash to its stored hash (a column SQLite
 * quotes differently from `JSON.stringify`, a value of another type, or real
 * tampering) is read again through Kysely and hashed the reference way, and
 * only that result counts. It cannot accept a changed record: the text it
 * hashes is valid JSON holding exactly the stored values, so matching the hash
 * written over the original canonical text means the same values (short of a
 * SHA-256 collision). A page SQLite cannot build the text for (a BLOB in a text
 * column makes `json_quote` fail) is read through Kysely the reference way.
 *
 * @example
 * ```ts
 * const readPage = createAuditVerifyPageReader(db, 'acc_default', 2000);
 * const rows = await readPage(1);
 * ```
 */
export function createAuditVerifyPageReader(db: Kysely<KernelTables>, accountId: string, pageSize: number): AuditVerifyPageReader {
  const kyselyPage = (fromSeq: number, limit: number) =>
    db
      .selectFrom('audit_records')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('seq', '>=', fromSeq)
      .orderBy('seq')
      .limit(limit)
      .execute() as Promise<AuditRow[]>;
  const referencePage = async (fromSeq: number): Promise<VerifiedAuditRow[]> =>
    (await kyselyPage(fromSeq, pageSize)).map((row) => ({
      seq: Number(row.seq),
      id: row.id,
      prevHash: row.prev_hash,
      hash: row.hash,
      contentMatches: hashStoredAuditRecord(row) === row.hash,
    }));
  const connection = sqliteConnectionOf(db);
  if (!connection) return referencePage;
  let statement: BetterSqlite3.Statement<[string, number, number], unknown[]> | null = null;
  return async (fromSeq) => {
    statement ??= connection
      .prepare<[string, number, number], unknown[]>(
        `select seq, id, prev_hash, hash, ${contentTextSql} from audit_records where account_id = ? and seq >= ? order by seq limit ?`,
      )
      .raw(true);
    let raw: [number | bigint, string, string, string, string | null][];
    try {
      raw = statement.all(accountId, fromSeq, pageSize) as typeof raw;
    } catch {
      // A column SQLite cannot quote (a BLOB written where text belongs): this page the reference way, which reports it.
      return referencePage(fromSeq);
    }
    const rows: VerifiedAuditRow[] = new Array(raw.length);
    for (let index = 0; index < raw.length; index++) {
      const [seq, id, prevHash, hash, text] = raw[index]!;
      rows[index] = { seq: Number(seq), id, prevHash, hash, contentMatches: text !== null && sha256Hex(prevHash + text) === hash };
    }
    for (const row of rows) {
      if (row.contentMatches) continue;
      const [stored] = await kyselyPage(row.seq, 1);
      row.contentMatches = stored !== undefined && Number(stored.seq) === row.seq && hashStoredAuditRecord(stored) === stored.hash;
    }
    // Yield between pages: the statement runs synchronously on the shared connection.
    await new Promise<void>((resolve) => setImmediate(resolve));
    return rows;
  };
}
