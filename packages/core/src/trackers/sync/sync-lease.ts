import type { Kysely } from 'kysely';
import type { IssueStoreTables } from './issue-tables.js';

/**
 * Takes or renews the named lease for `holder` until `now + leaseMs`: true
 * when this holder has it (it was free, lapsed, or already ours). One
 * conditional upsert, so two instances never both win; a holder that stops
 * renewing loses it when it lapses.
 *
 * @example
 * ```ts
 * if (await acquireSyncLease(db, 'reconcile', instanceId, Date.now(), 60_000)) await reconcile();
 * ```
 */
export async function acquireSyncLease(
  db: Kysely<IssueStoreTables>,
  name: string,
  holder: string,
  now: number,
  leaseMs: number,
): Promise<boolean> {
  await db
    .insertInto('tracker_sync_leases')
    .values({ name, holder, expires_at: now + leaseMs })
    .onConflict((conflict) =>
      conflict
        .column('name')
        .doUpdateSet({ holder, expires_at: now + leaseMs })
        .where((eb) => eb.or([eb('tracker_sync_leases.expires_at', '<=', now), eb('tracker_sync_leases.holder', '=', holder)])),
    )
    .execute();
  const row = await db.selectFrom('tracker_sync_leases').select('holder').where('name', '=', name).executeTakeFirst();
  return row?.holder === holder;
}

/**
 * Gives the named lease up if `holder` has it (another instance may take it at once).
 *
 * @example
 * ```ts
 * await releaseSyncLease(db, 'reconcile', instanceId);
 * ```
 */
export async function releaseSyncLease(db: Kysely<IssueStoreTables>, name: string, holder: string): Promise<void> {
  await db.deleteFrom('tracker_sync_leases').where('name', '=', name).where('holder', '=', holder).execute();
}
