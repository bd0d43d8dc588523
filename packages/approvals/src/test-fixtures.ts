/**
 * Shared set-up for the approval engine's tests (not exported from the package).
 */
import type { Preloop, PreloopOptions, Principal, Role } from '@preloop/core';
import { createTestPreloop, type TestDialect, type TestPreloop } from '@preloop/core/testing';
import { approvals } from './approvals-plugin.js';
import type { ApprovalEngine } from './create-approval-engine.js';
import type { ApprovalsOptions } from './options.js';

/** A user made for a test, with an API key acting for it. */
export interface TestUser {
  id: string;
  name: string;
  role: Role;
  /** Its API key (admin:read + admin:write), for calling the admin API. */
  key: string;
  /** The user as a principal (as a console session would authenticate it). */
  principal: Principal;
}

/** A kernel with the approvals plugin, users of each role and an agent. */
export interface ApprovalFixture extends TestPreloop {
  engine: ApprovalEngine;
  accountId: string;
  owner: TestUser;
  alice: TestUser;
  bob: TestUser;
  carol: TestUser;
  /** A developer (viewer) who owns the agent below. */
  dave: TestUser;
  /** An agent owned by dave, with its own key. */
  agent: { id: string; key: string; principal: Principal };
  /** Calls the admin API as `user` (or without credentials). */
  api(
    method: string,
    path: string,
    options?: { as?: TestUser | null; body?: unknown; headers?: Record<string, string> },
  ): Promise<Response>;
}

async function userPrincipal(preloop: Preloop, accountId: string, id: string): Promise<Principal> {
  const user = await preloop.identity.users.get(accountId, id);
  return {
    type: 'user',
    id,
    accountId,
    name: user.name,
    role: user.role,
    userId: id,
    apiKeyId: null,
    agentId: null,
    runtimeSessionId: null,
    teamIds: await preloop.identity.teams.teamIdsOf(accountId, id),
    scopes: [],
  };
}

/**
 * Builds a kernel on `dialect` with `approvals(options)` and a cast of users.
 *
 * @example
 * ```ts
 * const fixture = await createApprovalFixture(dialect, { workflows: { two: { approvers: { roles: ['approver'] }, quorum: 2 } } });
 * ```
 */
export async function createApprovalFixture(
  dialect: TestDialect,
  options: ApprovalsOptions = {},
  kernel: Partial<PreloopOptions> = {},
): Promise<ApprovalFixture> {
  const test = await createTestPreloop(dialect, { ...kernel, plugins: [approvals(options), ...(kernel.plugins ?? [])] });
  const { preloop } = test;
  const accountId = preloop.accountId;
  const make = async (name: string, role: Role): Promise<TestUser> => {
    const user = await preloop.identity.users.create(accountId, { email: `${name}@example.com`, name, role });
    const { key } = await preloop.identity.apiKeys.create(accountId, {
      name: `${name}-admin`,
      scopes: ['admin:read', 'admin:write'],
      userId: user.id,
    });
    return { id: user.id, name, role, key, principal: await userPrincipal(preloop, accountId, user.id) };
  };
  const owner = await make('owner', 'owner');
  const alice = await make('alice', 'approver');
  const bob = await make('bob', 'approver');
  const carol = await make('carol', 'approver');
  const dave = await make('dave', 'viewer');
  const enrolled = await preloop.identity.agents.enroll(accountId, { name: 'builder', kind: 'custom', ownerUserId: dave.id });
  const { key: agentKey } = await preloop.identity.apiKeys.create(accountId, {
    name: 'builder-key',
    scopes: ['mcp'],
    agentId: enrolled.id,
    userId: dave.id,
  });
  const agentPrincipal = await preloop.authenticate(
    new Request('http://localhost/mcp', { headers: { authorization: `Bearer ${agentKey}` } }),
  );
  if (!agentPrincipal) throw new Error('fixture: the agent key did not authenticate');
  return {
    ...test,
    engine: preloop.service('approvals'),
    accountId,
    owner,
    alice,
    bob,
    carol,
    dave,
    agent: { id: enrolled.id, key: agentKey, principal: agentPrincipal },
    api(method, path, requestOptions = {}) {
      const headers = new Headers(requestOptions.headers);
      if (requestOptions.as) headers.set('authorization', `Bearer ${requestOptions.as.key}`);
      if (requestOptions.body !== undefined) headers.set('content-type', 'application/json');
      return preloop.api(
        new Request(`http://localhost/api/v1${path}`, {
          method,
          headers,
          body: requestOptions.body === undefined ? undefined : JSON.stringify(requestOptions.body),
        }),
      );
    },
  };
}

/**
 * A tool-call approval input from `principal` (a fresh argument by default, so calls do not join).
 *
 * @example
 * ```ts
 * const ticket = await engine.request(toolCall(fixture.agent.principal, { workflow: 'two' }));
 * ```
 */
export function toolCall(
  principal: Principal,
  overrides: { tool?: string; args?: Record<string, unknown>; workflow?: string; definitionHash?: string | null; reason?: string } = {},
) {
  return {
    principal,
    tool: { name: overrides.tool ?? 'github.merge_pull_request', definitionHash: overrides.definitionHash ?? 'def-hash-1' },
    args: overrides.args ?? { repo: 'acme/api', number: Math.floor(Math.random() * 1e9) },
    workflow: overrides.workflow ?? 'admins',
    reason: overrides.reason ?? 'merging needs approval',
  };
}
