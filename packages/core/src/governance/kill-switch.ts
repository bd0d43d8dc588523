import type { Kysely } from 'kysely';
import type { KernelTables } from '../storage/schema.js';
import type { AuditRecordInput } from '../audit/audit-types.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import type { Bus } from '../bus/bus.js';
import { createAccountCache } from '../bus/account-cache.js';
import { toStoreUnavailableError } from '../storage/store-unavailable.js';
import { governanceBusChannel } from './governance-signals.js';

/** What the kill switch can stop. */
export const killSwitchScopes = ['tools', 'models', 'flows'] as const;

/** One scope of the kill switch. */
export type KillSwitchScope = (typeof killSwitchScopes)[number];

/** The kill switch's state for an account. */
export interface KillSwitchState {
  /** The scopes currently stopped. */
  active: KillSwitchScope[];
  /** Why, as given when it was pulled. */
  reason: string | null;
  /** Who pulled it. */
  activatedBy: string | null;
  activatedAt: number | null;
}

type Actor = AuditRecordInput['actor'];
const stateKey = 'kill-switch';
const off: KillSwitchState = { active: [], reason: null, activatedBy: null, activatedAt: null };

/**
 * The account-wide emergency stop for tools, models and flows. Its state is
 * cached on every instance and dropped through the Bus when it changes. When
 * its state cannot be read, every scope counts as stopped (fail closed); when
 * that is because the database is unreachable, reads throw
 * `STORE_UNAVAILABLE` instead, so callers answer 503 rather than blame the
 * kill switch.
 *
 * @example
 * ```ts
 * const killSwitch = createKillSwitch({ db, bus, audit });
 * await killSwitch.activate('acc_default', ['tools', 'models'], 'incident 42', actor);
 * ```
 */
export function createKillSwitch(options: { db: Kysely<KernelTables>; bus: Bus; audit: AuditTrail; cacheTtlMs?: number }) {
  const { db, audit } = options;
  const load = async (accountId: string): Promise<KillSwitchState> => {
    const row = await db
      .selectFrom('kernel_state')
      .select('value')
      .where('account_id', '=', accountId)
      .where('key', '=', stateKey)
      .executeTakeFirst();
    return row ? (JSON.parse(row.value as string) as KillSwitchState) : off;
  };
  const cache = createAccountCache({
    bus: options.bus,
    channel: governanceBusChannel,
    kind: 'kill-switch',
    ttlMs: options.cacheTtlMs ?? 5000,
    load,
  });

  const write = async (accountId: string, state: KillSwitchState) => {
    const now = Date.now();
    const value = JSON.stringify(state);
    await db
      .insertInto('kernel_state')
      .values({ account_id: accountId, key: stateKey, value, updated_at: now })
      .onConflict((conflict) => conflict.columns(['account_id', 'key']).doUpdateSet({ value, updated_at: now }))
      .execute();
    await cache.invalidate(accountId);
  };
  const actorId = (actor: Actor) => ('id' in actor ? (actor.id ?? null) : null);

  return {
    /**
     * The current state. When the database cannot be reached it throws a
     * `STORE_UNAVAILABLE` error (503: nothing runs, and the caller says why);
     * any other failure to read it fails closed (every scope stopped).
     */
    async state(accountId: string): Promise<KillSwitchState> {
      try {
        return await cache.get(accountId);
      } catch (error) {
        const unavailable = toStoreUnavailableError(error);
        if (unavailable) throw unavailable;
        return {
          active: [...killSwitchScopes],
          reason: 'kill switch state unavailable (failing closed)',
          activatedBy: null,
          activatedAt: null,
        };
      }
    },
    /** The reason `scope` is stopped, or null when it is not. */
    async stopped(accountId: string, scope: KillSwitchScope): Promise<string | null> {
      const state = await this.state(accountId);
      return state.active.includes(scope) ? `Kill switch active for ${scope}${state.reason ? `: ${state.reason}` : ''}` : null;
    },
    /** Stops the given scopes (added to those already stopped). */
    async activate(accountId: string, scopes: readonly KillSwitchScope[], reason: string, actor: Actor): Promise<KillSwitchState> {
      const current = await load(accountId);
      const state: KillSwitchState = {
        active: killSwitchScopes.filter((scope) => current.active.includes(scope) || scopes.includes(scope)),
        reason,
        activatedBy: actorId(actor),
        activatedAt: Date.now(),
      };
      await write(accountId, state);
      await audit.record({
        accountId,
        actor,
        action: 'kill-switch.activate',
        target: { type: 'kill-switch', id: accountId },
        outcome: 'success',
        data: { scopes: [...scopes], reason },
      });
      return state;
    },
    /** Resumes the given scopes (all when omitted). */
    async deactivate(accountId: string, scopes: readonly KillSwitchScope[] | undefined, actor: Actor): Promise<KillSwitchState> {
      const current = await load(accountId);
      const active = scopes ? current.active.filter((scope) => !scopes.includes(scope)) : [];
      const state: KillSwitchState = active.length ? { ...current, active } : off;
      await write(accountId, state);
      await audit.record({
        accountId,
        actor,
        action: 'kill-switch.deactivate',
        target: { type: 'kill-switch', id: accountId },
        outcome: 'success',
        data: { scopes: scopes ? [...scopes] : 'all' },
      });
      return state;
    },
    close: () => cache.close(),
  };
}

/** The kill switch's interface. */
export type KillSwitch = ReturnType<typeof createKillSwitch>;
