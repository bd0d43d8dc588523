import type { Selectable } from 'kysely';
import { PreloopError } from '../errors.js';
import type { KernelTables } from '../storage/schema.js';
import { createId } from '../ids.js';
import type { Page } from '../api/respond.js';
import { type IdentityActor, type IdentityContext, isUniqueViolation, systemActor } from './identity-context.js';
import { decodeCursor, type ListOptions, pageLimit, toPage } from '../pagination/cursor-pagination.js';

/** A team: a named group of users, used to name approvers. */
export interface Team {
  id: string;
  accountId: string;
  /** Unique within the account. */
  name: string;
  /** Ids of the member users. */
  memberIds: string[];
  createdAt: number;
}

/** Teams of an account and their members. */
export interface Teams {
  /** Creates a team; a taken name is a 409. */
  create(accountId: string, input: { name: string; memberIds?: string[] }, actor?: IdentityActor): Promise<Team>;
  /** The team with `id`, or a 404. */
  get(accountId: string, id: string): Promise<Team>;
  /** Teams of the account, oldest first. */
  list(accountId: string, options?: ListOptions): Promise<Page<Team>>;
  /** Renames a team. */
  update(accountId: string, id: string, patch: { name?: string }, actor?: IdentityActor): Promise<Team>;
  /** Deletes a team and its memberships. */
  delete(accountId: string, id: string, actor?: IdentityActor): Promise<void>;
  /** Replaces the team's members; every id must be a user of the account (400 otherwise). */
  setMembers(accountId: string, id: string, userIds: string[], actor?: IdentityActor): Promise<Team>;
  /** Ids of the teams `userId` belongs to. */
  teamIdsOf(accountId: string, userId: string): Promise<string[]>;
}

type TeamRow = Selectable<KernelTables['teams']>;

/**
 * Creates the team store over the identity context.
 *
 * @example
 * ```ts
 * const teams = createTeams(context);
 * const oncall = await teams.create('acc_default', { name: 'on-call', memberIds: [userId] });
 * ```
 */
export function createTeams(context: IdentityContext): Teams {
  const { db, events } = context;

  async function membersOf(teamIds: string[]): Promise<Map<string, string[]>> {
    const members = new Map<string, string[]>(teamIds.map((id) => [id, []]));
    if (teamIds.length === 0) return members;
    const rows = await db
      .selectFrom('team_members')
      .select(['team_id', 'user_id'])
      .where('team_id', 'in', teamIds)
      .orderBy('user_id')
      .execute();
    for (const row of rows) members.get(row.team_id)?.push(row.user_id);
    return members;
  }

  function toTeam(row: TeamRow, memberIds: string[]): Team {
    return { id: row.id, accountId: row.account_id, name: row.name, memberIds, createdAt: Number(row.created_at) };
  }

  async function get(accountId: string, id: string): Promise<Team> {
    const row = (await db.selectFrom('teams').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst()) as
      | TeamRow
      | undefined;
    if (!row) throw new PreloopError('NOT_FOUND', `No team with id "${id}".`);
    return toTeam(row, (await membersOf([id])).get(id) ?? []);
  }

  async function checkMembers(accountId: string, userIds: string[]): Promise<string[]> {
    const unique = [...new Set(userIds)];
    if (unique.length === 0) return unique;
    const found = await db.selectFrom('users').select('id').where('account_id', '=', accountId).where('id', 'in', unique).execute();
    const known = new Set(found.map((row) => row.id));
    const missing = unique.findIndex((id) => !known.has(id));
    if (missing !== -1) {
      const index = userIds.indexOf(unique[missing]!);
      throw new PreloopError('VALIDATION_ERROR', `userIds[${index}]: no user with id "${unique[missing]}"`, {
        details: { issues: [{ path: `userIds[${index}]`, message: `no user with id "${unique[missing]}"` }] },
      });
    }
    return unique;
  }

  function conflict(error: unknown): never {
    if (isUniqueViolation(error)) throw new PreloopError('CONFLICT', 'A team with this name already exists.', { cause: error });
    throw error;
  }

  return {
    get,

    async create(accountId, input, actor = systemActor) {
      const memberIds = await checkMembers(accountId, input.memberIds ?? []);
      const row: TeamRow = { id: createId('team'), account_id: accountId, name: input.name.trim(), created_at: Date.now() };
      await db
        .transaction()
        .execute(async (trx) => {
          await trx.insertInto('teams').values(row).execute();
          if (memberIds.length)
            await trx
              .insertInto('team_members')
              .values(memberIds.map((userId) => ({ team_id: row.id, user_id: userId, account_id: accountId })))
              .execute();
        })
        .catch(conflict);
      await context.invalidate(memberIds);
      events.emit('team-changed', { accountId, teamId: row.id, change: 'created' });
      await context.record({
        accountId,
        actor,
        action: 'team.create',
        target: { type: 'team', id: row.id },
        outcome: 'success',
        data: { name: row.name, memberIds },
      });
      return toTeam(row, memberIds);
    },

    async list(accountId, options = {}) {
      const limit = pageLimit(options.limit);
      const after = decodeCursor(options.cursor);
      let query = db.selectFrom('teams').selectAll().where('account_id', '=', accountId);
      if (after) query = query.where('id', '>', after);
      const rows = (await query
        .orderBy('id', 'asc')
        .limit(limit + 1)
        .execute()) as TeamRow[];
      const members = await membersOf(rows.slice(0, limit).map((row) => row.id));
      return toPage(
        rows,
        limit,
        (row) => row.id,
        (row) => toTeam(row, members.get(row.id) ?? []),
      );
    },

    async update(accountId, id, patch, actor = systemActor) {
      const before = await get(accountId, id);
      if (patch.name !== undefined && patch.name.trim() !== before.name) {
        await db
          .updateTable('teams')
          .set({ name: patch.name.trim() })
          .where('account_id', '=', accountId)
          .where('id', '=', id)
          .execute()
          .catch(conflict);
        events.emit('team-changed', { accountId, teamId: id, change: 'updated' });
        await context.record({
          accountId,
          actor,
          action: 'team.update',
          target: { type: 'team', id },
          outcome: 'success',
          data: { name: { from: before.name, to: patch.name.trim() } },
        });
      }
      return get(accountId, id);
    },

    async delete(accountId, id, actor = systemActor) {
      const team = await get(accountId, id);
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('team_members').where('team_id', '=', id).execute();
        await trx.deleteFrom('teams').where('account_id', '=', accountId).where('id', '=', id).execute();
      });
      await context.invalidate(team.memberIds);
      events.emit('team-changed', { accountId, teamId: id, change: 'deleted' });
      await context.record({
        accountId,
        actor,
        action: 'team.delete',
        target: { type: 'team', id },
        outcome: 'success',
        data: { name: team.name },
      });
    },

    async setMembers(accountId, id, userIds, actor = systemActor) {
      const before = await get(accountId, id);
      const memberIds = await checkMembers(accountId, userIds);
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('team_members').where('team_id', '=', id).execute();
        if (memberIds.length)
          await trx
            .insertInto('team_members')
            .values(memberIds.map((userId) => ({ team_id: id, user_id: userId, account_id: accountId })))
            .execute();
      });
      const added = memberIds.filter((userId) => !before.memberIds.includes(userId));
      const removed = before.memberIds.filter((userId) => !memberIds.includes(userId));
      await context.invalidate([...added, ...removed]);
      events.emit('team-changed', { accountId, teamId: id, change: 'updated' });
      await context.record({
        accountId,
        actor,
        action: 'team.members.set',
        target: { type: 'team', id },
        outcome: 'success',
        data: { added, removed },
      });
      return get(accountId, id);
    },

    async teamIdsOf(accountId, userId) {
      const rows = await db
        .selectFrom('team_members')
        .select('team_id')
        .where('account_id', '=', accountId)
        .where('user_id', '=', userId)
        .orderBy('team_id')
        .execute();
      return rows.map((row) => row.team_id);
    },
  };
}
