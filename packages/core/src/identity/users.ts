import type { Kysely, Selectable } from 'kysely';
import type { KernelTables } from '../storage/schema.js';
import { PreloopError } from '../errors.js';
import { createId } from '../ids.js';
import type { Page } from '../api/respond.js';
import { type IdentityActor, type IdentityContext, isUniqueViolation, systemActor, toBoolean } from './identity-context.js';
import { decodeCursor, type ListOptions, pageLimit, toPage } from '../pagination/cursor-pagination.js';
import { isEmailAddress } from './email-address.js';
import { hashPassword, maxPasswordLength, minPasswordLength, verifyAgainstDummy, verifyPassword } from './passwords.js';
import { roles, type Role } from './principal.js';

/** A console user, as the API shows it (never with its password hash). */
export interface User {
  id: string;
  accountId: string;
  /** Lower-cased; unique across the server. */
  email: string;
  name: string;
  role: Role;
  /** A disabled user cannot log in, and its API keys stop working. */
  disabled: boolean;
  /** False for users who only sign in through the host's own authentication. */
  hasPassword: boolean;
  createdAt: number;
  updatedAt: number;
}

/** What {@link Users.create} takes. */
export interface CreateUserInput {
  email: string;
  name: string;
  role: Role;
  /** The initial password; omit for users who sign in through the host's `authenticate` hook. */
  password?: string | null;
}

/** A partial change to a user. */
export interface UpdateUserInput {
  name?: string;
  role?: Role;
  disabled?: boolean;
  /** A new password (hashed with argon2id); `null` removes password login. */
  password?: string | null;
}

/** Filters of {@link Users.list}. */
export interface UserListOptions extends ListOptions {
  role?: Role;
  disabled?: boolean;
}

/** Console users of an account: create, read, list, update, delete, and check a login. */
export interface Users {
  /** Creates a user; a taken email is a 409. */
  create(accountId: string, input: CreateUserInput, actor?: IdentityActor): Promise<User>;
  /** The user with `id` in the account, or a 404. */
  get(accountId: string, id: string): Promise<User>;
  /** The user with `id` in the account, or null. */
  find(accountId: string, id: string): Promise<User | null>;
  /** The user with `email` (any account), or null. */
  findByEmail(email: string): Promise<User | null>;
  /** Users of the account, oldest first. */
  list(accountId: string, options?: UserListOptions): Promise<Page<User>>;
  /** Changes name, role, disabled or password. The account's last enabled owner cannot be demoted or disabled (409). */
  update(accountId: string, id: string, patch: UpdateUserInput, actor?: IdentityActor): Promise<User>;
  /** Disables a user: it cannot log in, its console sessions end and its API keys stop working. */
  disable(accountId: string, id: string, actor?: IdentityActor): Promise<User>;
  /** Deletes a user, revoking its API keys and ending its console sessions. Not the last owner (409). */
  delete(accountId: string, id: string, actor?: IdentityActor): Promise<void>;
  /**
   * Checks an email and password. Unknown email, wrong password, disabled user
   * and password-less user all return null after the same argon2 work.
   */
  verifyCredentials(email: string, password: string): Promise<User | null>;
}

type UserRow = Selectable<KernelTables['users']>;

/**
 * Normalizes an email for storage and lookup (trimmed, lower-cased).
 *
 * @example
 * ```ts
 * normalizeEmail(' Ada@Example.COM '); // "ada@example.com"
 * ```
 */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function toUser(row: UserRow): User {
  return {
    id: row.id,
    accountId: row.account_id,
    email: row.email,
    name: row.name,
    role: row.role as Role,
    disabled: toBoolean(row.disabled),
    hasPassword: row.password_hash !== null,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function checkPassword(password: string): void {
  if (password.length < minPasswordLength || password.length > maxPasswordLength) {
    throw new PreloopError('VALIDATION_ERROR', `password: must be ${minPasswordLength} to ${maxPasswordLength} characters`, {
      details: { issues: [{ path: 'password', message: `must be ${minPasswordLength} to ${maxPasswordLength} characters` }] },
    });
  }
}

function checkRole(role: string): asserts role is Role {
  if (!(roles as readonly string[]).includes(role)) {
    throw new PreloopError('VALIDATION_ERROR', `role: must be one of ${roles.join(', ')}`, {
      details: { issues: [{ path: 'role', message: `must be one of ${roles.join(', ')}` }] },
    });
  }
}

/**
 * Creates the user store over the identity context.
 *
 * @example
 * ```ts
 * const users = createUsers(context);
 * await users.create('acc_default', { email: 'ada@example.com', name: 'Ada', role: 'owner', password: 'a long password' });
 * ```
 */
export function createUsers(context: IdentityContext): Users {
  const { db, dialect, events } = context;

  async function find(accountId: string, id: string): Promise<User | null> {
    const row = await db.selectFrom('users').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
    return row ? toUser(row as UserRow) : null;
  }

  async function get(accountId: string, id: string): Promise<User> {
    const user = await find(accountId, id);
    if (!user) throw new PreloopError('NOT_FOUND', `No user with id "${id}".`);
    return user;
  }

  /** Refuses a change that would leave the account without an enabled owner; locks the owners on PostgreSQL. */
  async function assertAnotherOwner(trx: Kysely<KernelTables>, accountId: string, userId: string): Promise<void> {
    let query = trx
      .selectFrom('users')
      .select('id')
      .where('account_id', '=', accountId)
      .where('role', '=', 'owner')
      .where('disabled', '=', 0);
    if (dialect === 'postgres') query = query.forUpdate();
    const owners = await query.execute();
    if (!owners.some((owner) => owner.id !== userId)) {
      throw new PreloopError('CONFLICT', 'This is the last enabled owner of the account; make another user owner first.');
    }
  }

  return {
    find,
    get,

    async create(accountId, input, actor = systemActor) {
      checkRole(input.role);
      if (!isEmailAddress(normalizeEmail(String(input.email))))
        throw new PreloopError('VALIDATION_ERROR', 'email must be an email address such as ada@example.com or admin@localhost.');
      if (typeof input.password === 'string') checkPassword(input.password);
      const passwordHash = typeof input.password === 'string' ? await hashPassword(input.password) : null;
      const now = Date.now();
      const row: UserRow = {
        id: createId('usr'),
        account_id: accountId,
        email: normalizeEmail(input.email),
        name: input.name.trim(),
        password_hash: passwordHash,
        role: input.role,
        disabled: 0,
        created_at: now,
        updated_at: now,
      };
      try {
        await db.insertInto('users').values(row).execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw new PreloopError('CONFLICT', 'A user with this email already exists.', { cause: error });
        throw error;
      }
      const user = toUser(row);
      events.emit('user-changed', { accountId, userId: user.id, change: 'created' });
      await context.record({
        accountId,
        actor,
        action: 'user.create',
        target: { type: 'user', id: user.id },
        outcome: 'success',
        data: { email: user.email, role: user.role },
      });
      return user;
    },

    async findByEmail(email) {
      const row = await db.selectFrom('users').selectAll().where('email', '=', normalizeEmail(email)).executeTakeFirst();
      return row ? toUser(row as UserRow) : null;
    },

    async list(accountId, options = {}) {
      const limit = pageLimit(options.limit);
      const after = decodeCursor(options.cursor);
      let query = db.selectFrom('users').selectAll().where('account_id', '=', accountId);
      if (after) query = query.where('id', '>', after);
      if (options.role) query = query.where('role', '=', options.role);
      if (options.disabled !== undefined) query = query.where('disabled', '=', options.disabled ? 1 : 0);
      const rows = (await query
        .orderBy('id', 'asc')
        .limit(limit + 1)
        .execute()) as UserRow[];
      return toPage(rows, limit, (row) => row.id, toUser);
    },

    async update(accountId, id, patch, actor = systemActor) {
      if (patch.role !== undefined) checkRole(patch.role);
      if (typeof patch.password === 'string') checkPassword(patch.password);
      const passwordHash = typeof patch.password === 'string' ? await hashPassword(patch.password) : patch.password;
      const before = await db.transaction().execute(async (trx) => {
        const current = (await trx
          .selectFrom('users')
          .selectAll()
          .where('account_id', '=', accountId)
          .where('id', '=', id)
          .executeTakeFirst()) as UserRow | undefined;
        if (!current) throw new PreloopError('NOT_FOUND', `No user with id "${id}".`);
        const losesOwnership =
          current.role === 'owner' &&
          !toBoolean(current.disabled) &&
          ((patch.role !== undefined && patch.role !== 'owner') || patch.disabled === true);
        if (losesOwnership) await assertAnotherOwner(trx, accountId, id);
        const values: Record<string, unknown> = { updated_at: Date.now() };
        if (patch.name !== undefined) values.name = patch.name.trim();
        if (patch.role !== undefined) values.role = patch.role;
        if (patch.disabled !== undefined) values.disabled = patch.disabled ? 1 : 0;
        if (passwordHash !== undefined) values.password_hash = passwordHash;
        await trx.updateTable('users').set(values).where('id', '=', id).execute();
        if (patch.disabled === true || passwordHash !== undefined) {
          // A disabled user, or one whose password changed, is signed out everywhere.
          await trx
            .updateTable('console_sessions')
            .set({ revoked_at: Date.now() })
            .where('user_id', '=', id)
            .where('revoked_at', 'is', null)
            .execute();
        }
        return toUser(current);
      });
      const user = await get(accountId, id);
      await context.invalidate([id]);
      events.emit('user-changed', { accountId, userId: id, change: 'updated' });
      const changes: Record<string, unknown> = {};
      if (patch.name !== undefined && patch.name !== before.name) changes.name = { from: before.name, to: user.name };
      if (patch.role !== undefined && patch.role !== before.role) changes.role = { from: before.role, to: user.role };
      if (patch.disabled !== undefined && patch.disabled !== before.disabled)
        changes.disabled = { from: before.disabled, to: user.disabled };
      if (passwordHash !== undefined) changes.password = passwordHash === null ? 'removed' : 'changed';
      await context.record({
        accountId,
        actor,
        action: 'user.update',
        target: { type: 'user', id },
        outcome: 'success',
        data: { changes },
      });
      return user;
    },

    async disable(accountId, id, actor = systemActor) {
      return this.update(accountId, id, { disabled: true }, actor);
    },

    async delete(accountId, id, actor = systemActor) {
      const deleted = await db.transaction().execute(async (trx) => {
        const current = (await trx
          .selectFrom('users')
          .selectAll()
          .where('account_id', '=', accountId)
          .where('id', '=', id)
          .executeTakeFirst()) as UserRow | undefined;
        if (!current) throw new PreloopError('NOT_FOUND', `No user with id "${id}".`);
        if (current.role === 'owner' && !toBoolean(current.disabled)) await assertAnotherOwner(trx, accountId, id);
        const now = Date.now();
        await trx.updateTable('api_keys').set({ revoked_at: now }).where('user_id', '=', id).where('revoked_at', 'is', null).execute();
        await trx.updateTable('agents').set({ owner_user_id: null }).where('owner_user_id', '=', id).execute();
        await trx.deleteFrom('console_sessions').where('user_id', '=', id).execute();
        await trx.deleteFrom('team_members').where('user_id', '=', id).execute();
        await trx.deleteFrom('users').where('id', '=', id).execute();
        return toUser(current);
      });
      await context.invalidate([id]);
      events.emit('user-changed', { accountId, userId: id, change: 'deleted' });
      await context.record({
        accountId,
        actor,
        action: 'user.delete',
        target: { type: 'user', id },
        outcome: 'success',
        data: { email: deleted.email, role: deleted.role },
      });
    },

    async verifyCredentials(email, password) {
      if (typeof password !== 'string' || password.length === 0 || password.length > maxPasswordLength) {
        await verifyAgainstDummy('');
        return null;
      }
      const row = (await db.selectFrom('users').selectAll().where('email', '=', normalizeEmail(email)).executeTakeFirst()) as
        | UserRow
        | undefined;
      if (!row || row.password_hash === null) return verifyAgainstDummy(password).then(() => null);
      const valid = await verifyPassword(row.password_hash, password);
      if (!valid || toBoolean(row.disabled)) return null;
      return toUser(row);
    },
  };
}
