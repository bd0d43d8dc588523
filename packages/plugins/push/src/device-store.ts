import { createHash, randomBytes } from 'node:crypto';
import { createId, PreloopError } from '@preloop/core';
import type { Kysely, Selectable } from 'kysely';
import type { PushTables } from './push-tables.js';

/** Where a device receives pushes. */
export type PushTarget =
  | { kind: 'web-push'; subscription: { endpoint: string; keys: { p256dh: string; auth: string } } }
  | { kind: 'apns'; token: string; environment: 'sandbox' | 'production' }
  | { kind: 'fcm'; token: string };

/** The transport a device is reached by. */
export type PushKind = PushTarget['kind'];

/** The platform a device runs. */
export type DevicePlatform = 'web' | 'ios' | 'android';

/** A paired device as the server holds it (the push target and key never leave the server). */
export interface PushDevice {
  id: string;
  accountId: string;
  userId: string;
  name: string;
  platform: DevicePlatform;
  push: PushTarget;
  /** The device's ES256 public key (JWK). */
  publicKeyJwk: Record<string, unknown>;
  createdAt: number;
  lastSeenAt: number | null;
  revokedAt: number | null;
  /** `user`, `admin`, `push_unregistered`, or null while active. */
  revokedReason: string | null;
}

/** What registering a device needs. */
export interface RegisterDeviceInput {
  accountId: string;
  userId: string;
  name: string;
  platform: DevicePlatform;
  push: PushTarget;
  publicKeyJwk: Record<string, unknown>;
}

/** Options of {@link createDeviceStore}. */
export interface DeviceStoreOptions {
  /** How long a pairing token stays usable, in ms. @default 600000 (10 minutes) */
  pairingTtlMs?: number;
  /** Active devices one user may have; registering one more is refused (409). @default 20 */
  maxDevicesPerUser?: number;
  /** The clock, epoch ms (tests). @default Date.now */
  clock?: () => number;
}

/** The devices, pairing tokens, seen JWT ids and sent pushes of the push plugin. */
export type DeviceStore = ReturnType<typeof createDeviceStore>;

/** SHA-256 (hex) of a pairing token: only the hash is stored. */
function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function toDevice(row: Selectable<PushTables['push_devices']>): PushDevice {
  return {
    id: row.id,
    accountId: row.account_id,
    userId: row.user_id,
    name: row.name,
    platform: row.platform as DevicePlatform,
    push: { kind: row.push_kind, ...JSON.parse(row.push_target) } as PushTarget,
    publicKeyJwk: JSON.parse(row.public_key_jwk) as Record<string, unknown>,
    createdAt: Number(row.created_at),
    lastSeenAt: row.last_seen_at === null ? null : Number(row.last_seen_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
    revokedReason: row.revoked_reason,
  };
}

function targetColumn(push: PushTarget): string {
  const { kind: _kind, ...rest } = push;
  return JSON.stringify(rest);
}

/**
 * Creates the device store over the plugin's tables. Pairing tokens are
 * random 32-byte strings stored as SHA-256 hashes and consumed atomically
 * with the registration they allow (a failed registration leaves the token
 * unused). Nothing is cached: every read sees what any instance wrote.
 *
 * @example
 * ```ts
 * const store = createDeviceStore(preloop.db.withTables<PushTables>(), { maxDevicesPerUser: 20 });
 * const { token } = await store.createPairing(accountId, userId);
 * ```
 */
export function createDeviceStore(db: Kysely<PushTables>, options: DeviceStoreOptions = {}) {
  const now = options.clock ?? Date.now;
  const pairingTtlMs = options.pairingTtlMs ?? 600_000;
  const maxDevices = options.maxDevicesPerUser ?? 20;

  async function insertDevice(trx: Kysely<PushTables>, input: RegisterDeviceInput): Promise<PushDevice> {
    const active = await trx
      .selectFrom('push_devices')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('account_id', '=', input.accountId)
      .where('user_id', '=', input.userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirstOrThrow();
    if (Number(active.count) >= maxDevices) {
      throw new PreloopError(
        'DEVICE_LIMIT_REACHED',
        `This user already has ${maxDevices} paired devices (the limit): revoke one before pairing another.`,
        { status: 409 },
      );
    }
    const row = {
      id: createId('dev'),
      account_id: input.accountId,
      user_id: input.userId,
      name: input.name,
      platform: input.platform,
      push_kind: input.push.kind,
      push_target: targetColumn(input.push),
      public_key_jwk: JSON.stringify(input.publicKeyJwk),
      created_at: now(),
      last_seen_at: null,
      revoked_at: null,
      revoked_reason: null,
    };
    await trx.insertInto('push_devices').values(row).execute();
    return toDevice(row);
  }

  return {
    /** Creates a single-use pairing token for `userId` (shown once; only its hash is stored). */
    async createPairing(accountId: string, userId: string): Promise<{ token: string; expiresAt: number }> {
      const token = `pdp_${randomBytes(32).toString('base64url')}`;
      const createdAt = now();
      const expiresAt = createdAt + pairingTtlMs;
      await db
        .deleteFrom('push_pairings')
        .where('expires_at', '<', createdAt - 86_400_000)
        .execute();
      await db
        .insertInto('push_pairings')
        .values({
          token_hash: hashToken(token),
          account_id: accountId,
          user_id: userId,
          created_at: createdAt,
          expires_at: expiresAt,
          used_at: null,
          device_id: null,
        })
        .execute();
      return { token, expiresAt };
    },

    /** Registers a device for a signed-in user. */
    register(input: RegisterDeviceInput): Promise<PushDevice> {
      return db.transaction().execute((trx) => insertDevice(trx, input));
    },

    /**
     * Registers a device with a pairing token, consuming it in the same
     * transaction: an unknown, expired or used token is refused (401) and
     * changes nothing.
     */
    registerWithPairing(token: string, input: Omit<RegisterDeviceInput, 'accountId' | 'userId'>): Promise<PushDevice> {
      return db.transaction().execute(async (trx) => {
        const at = now();
        const tokenHash = hashToken(token);
        const claimed = await trx
          .updateTable('push_pairings')
          .set({ used_at: at })
          .where('token_hash', '=', tokenHash)
          .where('used_at', 'is', null)
          .where('expires_at', '>', at)
          .executeTakeFirst();
        if (Number(claimed.numUpdatedRows) !== 1) {
          throw new PreloopError('PAIRING_TOKEN_INVALID', 'The pairing token is unknown, expired or already used: show a new QR code.', {
            status: 401,
          });
        }
        const pairing = await trx.selectFrom('push_pairings').selectAll().where('token_hash', '=', tokenHash).executeTakeFirstOrThrow();
        const device = await insertDevice(trx, { ...input, accountId: pairing.account_id, userId: pairing.user_id });
        await trx.updateTable('push_pairings').set({ device_id: device.id }).where('token_hash', '=', tokenHash).execute();
        return device;
      });
    },

    /** Devices of the account, newest first; `userId` narrows to one user; revoked ones included. */
    async list(accountId: string, filter: { userId?: string } = {}): Promise<PushDevice[]> {
      let query = db.selectFrom('push_devices').selectAll().where('account_id', '=', accountId);
      if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
      return (await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1000).execute()).map(toDevice);
    },

    /** The device with `id` (any account), or null. */
    async find(id: string): Promise<PushDevice | null> {
      const row = await db.selectFrom('push_devices').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toDevice(row) : null;
    },

    /** The active devices of a user reached by `kind`. */
    async activeFor(accountId: string, userId: string, kind: PushKind): Promise<PushDevice[]> {
      const rows = await db
        .selectFrom('push_devices')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('user_id', '=', userId)
        .where('push_kind', '=', kind)
        .where('revoked_at', 'is', null)
        .orderBy('created_at')
        .execute();
      return rows.map(toDevice);
    },

    /** Revokes a device; true when this call revoked it (false: already revoked or unknown). */
    async revoke(id: string, reason: string): Promise<boolean> {
      const result = await db
        .updateTable('push_devices')
        .set({ revoked_at: now(), revoked_reason: reason })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Renames a device or replaces its push target (the kind may not change). */
    async update(id: string, patch: { name?: string; push?: PushTarget }): Promise<PushDevice> {
      const set: Partial<PushTables['push_devices']> = {};
      if (patch.name !== undefined) set.name = patch.name;
      if (patch.push !== undefined) set.push_target = targetColumn(patch.push);
      if (Object.keys(set).length > 0)
        await db.updateTable('push_devices').set(set).where('id', '=', id).where('revoked_at', 'is', null).execute();
      const device = await this.find(id);
      if (!device) throw new PreloopError('NOT_FOUND', `No device ${id}.`);
      return device;
    },

    /** Records that the device was seen (at most once a minute). */
    async touch(id: string): Promise<void> {
      const at = now();
      await db
        .updateTable('push_devices')
        .set({ last_seen_at: at })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('last_seen_at', 'is', null), eb('last_seen_at', '<', at - 60_000)]))
        .execute();
    },

    /**
     * Remembers a device JWT id until `expiresAt`; false when it was seen
     * before (a replay), on this instance or any other sharing the database.
     */
    async claimJti(deviceId: string, jti: string, expiresAt: number): Promise<boolean> {
      const at = now();
      await db.deleteFrom('push_device_jtis').where('expires_at', '<', at).execute();
      const inserted = await db
        .insertInto('push_device_jtis')
        .values({ key: `${deviceId}:${jti}`, expires_at: expiresAt })
        .onConflict((conflict) => conflict.column('key').doNothing())
        .executeTakeFirst();
      return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1;
    },

    /** The devices that already received notification `notificationId`. */
    async sentTo(notificationId: string): Promise<Set<string>> {
      const rows = await db.selectFrom('push_sends').select('device_id').where('notification_id', '=', notificationId).execute();
      return new Set(rows.map((row) => row.device_id));
    },

    /** Records that `deviceId` received notification `notificationId` (kept 7 days). */
    async recordSend(notificationId: string, deviceId: string): Promise<void> {
      const at = now();
      await db
        .deleteFrom('push_sends')
        .where('sent_at', '<', at - 7 * 86_400_000)
        .execute();
      await db
        .insertInto('push_sends')
        .values({ notification_id: notificationId, device_id: deviceId, sent_at: at })
        .onConflict((conflict) => conflict.columns(['notification_id', 'device_id']).doNothing())
        .execute();
    },
  };
}
