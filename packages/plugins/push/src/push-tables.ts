import { columnTypes, defineMigrations, type PreloopMigration } from '@preloop/core';

/** The push plugin's tables, as kysely sees them (a type alias: `preloop.db.withTables<PushTables>()` takes it). */
export type PushTables = {
  /** Paired devices: where to push, and the public key of the device-bound credential. */
  push_devices: {
    /** `dev_…` */
    id: string;
    account_id: string;
    /** The user the device acts for. */
    user_id: string;
    name: string;
    /** `web`, `ios` or `android`. */
    platform: string;
    /** `web-push`, `apns` or `fcm`. */
    push_kind: string;
    /** JSON: the Web Push subscription, or `{ token, environment }` (APNs), or `{ token }` (FCM). */
    push_target: string;
    /** JSON: the device's ES256 public key (JWK). */
    public_key_jwk: string;
    created_at: number;
    last_seen_at: number | null;
    revoked_at: number | null;
    /** Why it was revoked: `user`, `admin`, `push_unregistered`, `limit`. */
    revoked_reason: string | null;
  };
  /** Single-use pairing tokens, stored as SHA-256 hashes. */
  push_pairings: {
    token_hash: string;
    account_id: string;
    user_id: string;
    created_at: number;
    expires_at: number;
    used_at: number | null;
    device_id: string | null;
  };
  /** Device-JWT ids seen while they could still be replayed (`key` is `<deviceId>:<jti>`). */
  push_device_jtis: {
    key: string;
    expires_at: number;
  };
  /** Which device already received which notification, so a retried delivery never pushes twice to the same device. */
  push_sends: {
    notification_id: string;
    device_id: string;
    sent_at: number;
  };
};

/**
 * The push plugin's migrations (owner `push`), on SQLite and PostgreSQL.
 */
export const pushMigrations: PreloopMigration[] = defineMigrations([
  {
    name: '0001-push',
    async up({ db, dialect }) {
      const types = columnTypes(dialect);
      await db.schema
        .createTable('push_devices')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('account_id', 'text', (column) => column.notNull())
        .addColumn('user_id', 'text', (column) => column.notNull())
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('platform', 'text', (column) => column.notNull())
        .addColumn('push_kind', 'text', (column) => column.notNull())
        .addColumn('push_target', types.json, (column) => column.notNull())
        .addColumn('public_key_jwk', types.json, (column) => column.notNull())
        .addColumn('created_at', types.bigint, (column) => column.notNull())
        .addColumn('last_seen_at', types.bigint)
        .addColumn('revoked_at', types.bigint)
        .addColumn('revoked_reason', 'text')
        .execute();
      await db.schema.createIndex('push_devices_user').on('push_devices').columns(['account_id', 'user_id']).execute();
      await db.schema
        .createTable('push_pairings')
        .addColumn('token_hash', 'text', (column) => column.primaryKey())
        .addColumn('account_id', 'text', (column) => column.notNull())
        .addColumn('user_id', 'text', (column) => column.notNull())
        .addColumn('created_at', types.bigint, (column) => column.notNull())
        .addColumn('expires_at', types.bigint, (column) => column.notNull())
        .addColumn('used_at', types.bigint)
        .addColumn('device_id', 'text')
        .execute();
      await db.schema.createIndex('push_pairings_expiry').on('push_pairings').columns(['expires_at']).execute();
      await db.schema
        .createTable('push_device_jtis')
        .addColumn('key', 'text', (column) => column.primaryKey())
        .addColumn('expires_at', types.bigint, (column) => column.notNull())
        .execute();
      await db.schema.createIndex('push_device_jtis_expiry').on('push_device_jtis').columns(['expires_at']).execute();
      await db.schema
        .createTable('push_sends')
        .addColumn('notification_id', 'text', (column) => column.notNull())
        .addColumn('device_id', 'text', (column) => column.notNull())
        .addColumn('sent_at', types.bigint, (column) => column.notNull())
        .addPrimaryKeyConstraint('push_sends_pk', ['notification_id', 'device_id'])
        .execute();
      await db.schema.createIndex('push_sends_time').on('push_sends').columns(['sent_at']).execute();
    },
  },
]);
