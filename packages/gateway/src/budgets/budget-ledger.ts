/**
 * The budget ledger: atomic reservations before an upstream call, settlement
 * after it, and the reclaiming of reservations left by a stopped instance.
 *
 * Every check-and-reserve is a conditional SQL upsert per budget (`INSERT …
 * SELECT … ON CONFLICT DO UPDATE … WHERE spent + reserved + amount <= limit
 * RETURNING …`): the database decides, so concurrent calls on any number of
 * instances sharing one PostgreSQL can never together reserve past a hard
 * limit. Windows are always locked in budget-id order (no deadlocks), and a
 * call's budgets are reserved all or none: in one transaction on SQLite, in
 * one statement on PostgreSQL (so a hot budget row is locked for the time of
 * a statement, not of several round trips).
 *
 * @module
 */

import { createId, PreloopError, type DialectName } from '@preloop/core';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { GatewayTables } from '../storage/gateway-tables.js';
import { abandonedUsageRecord, toUsageRow, type CallSnapshot } from '../records/usage-record.js';
import { periodStart } from './budget-periods.js';
import type { Budget } from './budget-types.js';

/** A held reservation: the amount, held on the current window of each applicable budget. */
export interface Reservation {
  id: string;
  accountId: string;
  amountMicros: number;
  /** `[budgetId, periodStart]` of every window the amount is held on. */
  windows: Array<[string, number]>;
}

/** A budget whose soft limit was crossed by settled spend (reported once per period). */
export interface SoftLimitCrossing {
  budgetId: string;
  periodStart: number;
  spentMicros: number;
}

/** What one settlement charges: the actual cost (null: unpriced, charged 0) against its reservation. */
export interface Settlement {
  reservation: Reservation;
  costMicros: number | null;
}

/** Formats micro-dollars as dollars for messages. */
export function formatUsd(micros: number): string {
  return `$${(micros / 1_000_000).toFixed(micros % 10_000 === 0 ? 2 : 6)}`;
}

const maxLimit = Number.MAX_SAFE_INTEGER;

async function reserveWindow(trx: Transaction<GatewayTables>, budget: Budget, start: number, amount: number): Promise<boolean> {
  const result = await sql<{ spent_micros: number }>`
    insert into gateway_budget_windows (budget_id, period_start, account_id, spent_micros, reserved_micros)
    select b.id, cast(${start} as bigint), b.account_id, cast(0 as bigint), cast(${amount} as bigint)
    from gateway_budgets b
    where b.id = ${budget.id} and cast(${amount} as bigint) <= coalesce(b.hard_limit_micros, cast(${maxLimit} as bigint))
    on conflict (budget_id, period_start) do update
    set reserved_micros = gateway_budget_windows.reserved_micros + excluded.reserved_micros
    where gateway_budget_windows.spent_micros + gateway_budget_windows.reserved_micros + excluded.reserved_micros
      <= coalesce((select h.hard_limit_micros from gateway_budgets h where h.id = gateway_budget_windows.budget_id), cast(${maxLimit} as bigint))
    returning spent_micros`.execute(trx);
  return result.rows.length === 1;
}

const periodAdjectives: Record<Budget['period'], string> = { day: 'daily', week: 'weekly', month: 'monthly' };

async function refusal(trx: Kysely<GatewayTables>, budget: Budget, start: number, amount: number): Promise<PreloopError | null> {
  const current = await trx.selectFrom('gateway_budgets').select(['hard_limit_micros']).where('id', '=', budget.id).executeTakeFirst();
  if (!current) return null; // deleted since it was cached: it no longer applies
  const window = await trx
    .selectFrom('gateway_budget_windows')
    .select(['spent_micros', 'reserved_micros'])
    .where('budget_id', '=', budget.id)
    .where('period_start', '=', start)
    .executeTakeFirst();
  const limit = Number(current.hard_limit_micros);
  const spent = Number(window?.spent_micros ?? 0);
  const reserved = Number(window?.reserved_micros ?? 0);
  return new PreloopError(
    'BUDGET_EXCEEDED',
    `Budget "${budget.name}" (${periodAdjectives[budget.period]} hard limit ${formatUsd(limit)}) would be exceeded: ${formatUsd(spent)} spent and ${formatUsd(reserved)} held by calls in flight; this call may cost up to ${formatUsd(amount)} (a lower max_tokens lowers that).`,
    {
      details: {
        budget: { id: budget.id, name: budget.name, scope: budget.scope, period: budget.period },
        limitMicros: limit,
        spentMicros: spent,
        reservedMicros: reserved,
        requestedMicros: amount,
      },
    },
  );
}

/** What a reservation attempt needs. */
interface ReserveInput {
  budgets: readonly Budget[];
  starts: readonly number[];
  amountMicros: number;
  expiresAt: number;
  call: CallSnapshot;
  id: string;
}

const refusedMarker = new Error('budget refused');

/** SQLite: one transaction (statements run synchronously, so the write lock is held for microseconds). */
async function reserveSqlite(db: Kysely<GatewayTables>, input: ReserveInput): Promise<Budget | null> {
  const { budgets, starts, amountMicros, call, id } = input;
  let refused: Budget | null = null;
  await db
    .transaction()
    .execute(async (trx) => {
      for (const [index, budget] of budgets.entries()) {
        if (!(await reserveWindow(trx, budget, starts[index]!, amountMicros))) {
          refused = budget;
          throw refusedMarker;
        }
      }
      await trx
        .insertInto('gateway_reservations')
        .values({
          id,
          account_id: call.accountId,
          created_at: Date.now(),
          expires_at: input.expiresAt,
          amount_micros: amountMicros,
          windows: JSON.stringify(budgets.map((budget, index) => [budget.id, starts[index]])),
          call: JSON.stringify(call),
        })
        .execute();
    })
    .catch((error: unknown) => {
      if (error !== refusedMarker) throw error;
    });
  return refused;
}

/**
 * PostgreSQL: one statement, so the window rows are locked for the time of a
 * statement rather than of several round trips: the conditional upserts and
 * the reservation row are data-modifying CTEs, and the reservation is stored
 * only when every window took the amount. A partial reservation is given back.
 */
async function reservePostgres(db: Kysely<GatewayTables>, input: ReserveInput): Promise<Budget | null> {
  const { budgets, starts, amountMicros, call, id } = input;
  const amount = sql`cast(${amountMicros} as bigint)`;
  const unlimited = sql`cast(${maxLimit} as bigint)`;
  const values = sql.join(budgets.map((budget, index) => sql`(${budget.id}, cast(${starts[index]} as bigint), cast(${index} as int))`));
  const windows = JSON.stringify(budgets.map((budget, index) => [budget.id, starts[index]]));
  const result = await sql<{ saved: number; reserved: string | null }>`
    with input (budget_id, period_start, position) as (values ${values}),
    reserved as (
      insert into gateway_budget_windows (budget_id, period_start, account_id, spent_micros, reserved_micros)
      select b.id, i.period_start, b.account_id, cast(0 as bigint), ${amount}
      from input i join gateway_budgets b on b.id = i.budget_id
      where ${amount} <= coalesce(b.hard_limit_micros, ${unlimited})
      order by i.position
      on conflict (budget_id, period_start) do update
      set reserved_micros = gateway_budget_windows.reserved_micros + excluded.reserved_micros
      where gateway_budget_windows.spent_micros + gateway_budget_windows.reserved_micros + excluded.reserved_micros
        <= coalesce((select h.hard_limit_micros from gateway_budgets h where h.id = gateway_budget_windows.budget_id), ${unlimited})
      returning budget_id
    ),
    saved as (
      insert into gateway_reservations (id, account_id, created_at, expires_at, amount_micros, windows, call)
      select ${id}, ${call.accountId}, cast(${Date.now()} as bigint), cast(${input.expiresAt} as bigint), ${amount}, ${windows}, ${JSON.stringify(call)}
      where (select count(*) from reserved) = ${budgets.length}
      returning id
    )
    select (select count(*) from saved) as saved, (select string_agg(budget_id, ',') from reserved) as reserved`.execute(db);
  const row = result.rows[0]!;
  if (Number(row.saved) === 1) return null;
  const taken = new Set((row.reserved ?? '').split(',').filter(Boolean));
  for (const [index, budget] of budgets.entries()) {
    if (!taken.has(budget.id)) continue;
    await db
      .updateTable('gateway_budget_windows')
      .set((eb) => ({ reserved_micros: eb('reserved_micros', '-', amountMicros) }))
      .where('budget_id', '=', budget.id)
      .where('period_start', '=', starts[index]!)
      .execute();
  }
  return budgets.find((budget) => !taken.has(budget.id)) ?? budgets[0]!;
}

/**
 * Reserves `amountMicros` on the current window of every budget, atomically
 * (all or none), and stores the reservation with its expiry and the call
 * snapshot. Throws `BUDGET_EXCEEDED` naming the first budget that refused.
 *
 * @example
 * ```ts
 * const reservation = await reserveBudgets(db, 'sqlite', budgets, 50_000, Date.now() + 660_000, call);
 * ```
 */
export async function reserveBudgets(
  db: Kysely<GatewayTables>,
  dialect: DialectName,
  budgets: readonly Budget[],
  amountMicros: number,
  expiresAt: number,
  call: CallSnapshot,
): Promise<Reservation> {
  let remaining = [...budgets].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const id = createId('res');
  for (;;) {
    const starts = remaining.map((budget) => periodStart(budget.period, call.time));
    const input = { budgets: remaining, starts, amountMicros, expiresAt, call, id };
    const refused = dialect === 'postgres' ? await reservePostgres(db, input) : await reserveSqlite(db, input);
    if (!refused)
      return {
        id,
        accountId: call.accountId,
        amountMicros,
        windows: remaining.map((budget, index): [string, number] => [budget.id, starts[index]!]),
      };
    const error = await refusal(db, refused, periodStart(refused.period, call.time), amountMicros);
    if (error) throw error;
    // The budget was deleted since it was cached: it no longer applies.
    remaining = remaining.filter((budget) => budget.id !== refused.id);
  }
}

function windowKey(budgetId: string, start: number): string {
  return `${budgetId}\u0000${start}`;
}

async function applyToWindows(
  trx: Transaction<GatewayTables>,
  changes: Map<string, { budgetId: string; start: number; release: number; spend: number }>,
): Promise<SoftLimitCrossing[]> {
  const crossings: SoftLimitCrossing[] = [];
  // One statement per window, in key order (the order reservations lock them in: no deadlocks).
  for (const key of [...changes.keys()].sort()) {
    const { budgetId, start, release, spend } = changes.get(key)!;
    const result = await sql<{ spent_micros: number; soft_notified_at: number | null; soft_limit: number | null }>`
      update gateway_budget_windows
      set reserved_micros = reserved_micros - cast(${release} as bigint), spent_micros = spent_micros + cast(${spend} as bigint)
      where budget_id = ${budgetId} and period_start = cast(${start} as bigint)
      returning spent_micros, soft_notified_at, (select s.soft_limit_micros from gateway_budgets s where s.id = gateway_budget_windows.budget_id) as soft_limit`.execute(
      trx,
    );
    const row = result.rows[0];
    if (!row || row.soft_limit === null || row.soft_notified_at !== null || Number(row.spent_micros) < Number(row.soft_limit)) continue;
    // Crossed: mark it, once across instances (whoever marks it reports it).
    const marked = await sql`
      update gateway_budget_windows set soft_notified_at = cast(${Date.now()} as bigint)
      where budget_id = ${budgetId} and period_start = cast(${start} as bigint) and soft_notified_at is null
      returning budget_id`.execute(trx);
    if (marked.rows.length > 0) crossings.push({ budgetId, periodStart: start, spentMicros: Number(row.spent_micros) });
  }
  return crossings;
}

/**
 * Settles reservations inside the caller's transaction: each still-held
 * reservation is deleted and its windows release the reserved amount and add
 * the actual cost. A reservation already reclaimed (it expired) is skipped, so
 * nothing is charged twice. Returns the soft limits crossed.
 *
 * @example
 * ```ts
 * await db.transaction().execute((trx) => settleReservations(trx, [{ reservation, costMicros: 1234 }]));
 * ```
 */
export async function settleReservations(
  trx: Transaction<GatewayTables>,
  settlements: readonly Settlement[],
): Promise<SoftLimitCrossing[]> {
  if (settlements.length === 0) return [];
  const held = new Set<string>();
  const ids = settlements.map((settlement) => settlement.reservation.id);
  for (let index = 0; index < ids.length; index += 500) {
    const rows = await trx
      .deleteFrom('gateway_reservations')
      .where('id', 'in', ids.slice(index, index + 500))
      .returning('id')
      .execute();
    for (const row of rows) held.add(row.id);
  }
  const changes = new Map<string, { budgetId: string; start: number; release: number; spend: number }>();
  for (const { reservation, costMicros } of settlements) {
    if (!held.has(reservation.id)) continue;
    for (const [budgetId, start] of reservation.windows) {
      const key = windowKey(budgetId, start);
      const change = changes.get(key) ?? { budgetId, start, release: 0, spend: 0 };
      change.release += reservation.amountMicros;
      change.spend += costMicros ?? 0;
      changes.set(key, change);
    }
  }
  return applyToWindows(trx, changes);
}

/**
 * Reclaims reservations that expired (their instance stopped before settling
 * them): each is charged at its full reserved amount, an upper bound of the
 * call's cost, and gets an `abandoned` usage record. Safe to run on every
 * instance at once: a reservation is reclaimed by whoever deletes it first.
 *
 * @example
 * ```ts
 * const reclaimed = await reclaimExpiredReservations(db, Date.now());
 * ```
 */
export async function reclaimExpiredReservations(db: Kysely<GatewayTables>, now: number, limit = 100): Promise<number> {
  const expired = await db
    .selectFrom('gateway_reservations')
    .select('id')
    .where('expires_at', '<', now)
    .orderBy('expires_at')
    .limit(limit)
    .execute();
  let reclaimed = 0;
  for (const { id } of expired) {
    await db.transaction().execute(async (trx) => {
      const row = await trx.deleteFrom('gateway_reservations').where('id', '=', id).returningAll().executeTakeFirst();
      if (!row) return;
      const amount = Number(row.amount_micros);
      const windows = JSON.parse(row.windows) as Array<[string, number]>;
      const changes = new Map(
        windows.map(([budgetId, start]) => [windowKey(budgetId, start), { budgetId, start, release: amount, spend: amount }]),
      );
      await applyToWindows(trx, changes);
      await trx
        .insertInto('gateway_usage')
        .values(toUsageRow(abandonedUsageRecord(createId('use'), JSON.parse(row.call), amount, now)))
        .execute();
      reclaimed++;
    });
  }
  return reclaimed;
}
