import type { Preloop, Principal, Role } from '@preloop/core';
import type { ApproverFacts, ApproverSet } from './workflows.js';

/** An approver user, as eligibility and notifications need it. */
export interface ApproverUser extends ApproverFacts {
  name: string;
  email: string;
}

/** Identity lookups the engine makes: approvers, separation-of-duties exclusions, notification recipients. */
export interface ApproverDirectory {
  /** The enabled user with `userId` and its teams, or null. */
  approver(accountId: string, userId: string): Promise<ApproverUser | null>;
  /**
   * The users who may not approve a request made by `principal`: the user
   * behind it, the owner of its API key and the owner of its agent.
   */
  excludedUsers(principal: Principal): Promise<string[]>;
  /** Enabled users named by any of `sets`, minus `excluded`, at most `limit`, in a stable order. */
  recipients(accountId: string, sets: readonly ApproverSet[], excluded: readonly string[], limit: number): Promise<ApproverUser[]>;
}

/**
 * Builds the directory over `preloop.identity`.
 *
 * @example
 * ```ts
 * const directory = createApproverDirectory(preloop);
 * const excluded = await directory.excludedUsers(principal);
 * ```
 */
export function createApproverDirectory(preloop: Preloop): ApproverDirectory {
  const identity = preloop.identity;

  async function approver(accountId: string, userId: string): Promise<ApproverUser | null> {
    const user = await identity.users.find(accountId, userId);
    if (!user || user.disabled) return null;
    const teamIds = await identity.teams.teamIdsOf(accountId, userId);
    return { userId: user.id, role: user.role as Role, teamIds, name: user.name, email: user.email };
  }

  async function ownerOfKey(accountId: string, apiKeyId: string): Promise<string | null> {
    try {
      return (await identity.apiKeys.get(accountId, apiKeyId)).userId;
    } catch {
      return null;
    }
  }

  async function ownerOfAgent(accountId: string, agentId: string): Promise<string | null> {
    try {
      return (await identity.agents.get(accountId, agentId)).ownerUserId;
    } catch {
      return null;
    }
  }

  return {
    approver,
    async excludedUsers(principal) {
      const excluded = new Set<string>();
      if (principal.type === 'user') excluded.add(principal.id);
      if (principal.userId) excluded.add(principal.userId);
      if (principal.apiKeyId) {
        const owner = await ownerOfKey(principal.accountId, principal.apiKeyId);
        if (owner) excluded.add(owner);
      }
      if (principal.agentId) {
        const owner = await ownerOfAgent(principal.accountId, principal.agentId);
        if (owner) excluded.add(owner);
      }
      return [...excluded].sort();
    },
    async recipients(accountId, sets, excluded, limit) {
      const ids = new Set<string>();
      for (const set of sets) {
        for (const userId of set.users ?? []) ids.add(userId);
        for (const teamId of set.teams ?? []) {
          try {
            for (const member of (await identity.teams.get(accountId, teamId)).memberIds) ids.add(member);
          } catch {
            // A team named by the workflow that no longer exists names nobody.
          }
        }
        for (const role of set.roles ?? []) {
          let cursor: string | null = null;
          do {
            const page: { items: Array<{ id: string }>; nextCursor: string | null } = await identity.users.list(accountId, {
              role,
              disabled: false,
              limit: 200,
              cursor,
            });
            for (const user of page.items) ids.add(user.id);
            cursor = ids.size >= limit * 4 ? null : page.nextCursor;
          } while (cursor);
        }
      }
      const result: ApproverUser[] = [];
      for (const userId of [...ids].sort()) {
        if (excluded.includes(userId)) continue;
        const user = await approver(accountId, userId);
        if (user) result.push(user);
        if (result.length >= limit) break;
      }
      return result;
    },
  };
}
