/**
 * The admin API calls of `preloop agents onboard` and `offboard`: enroll a
 * managed agent with an API key bound to it (scopes `mcp` and `gateway`), and
 * decommission it (which revokes its keys and ends its runtime sessions).
 * They run with an admin's API key (scopes `admin:write`, `mcp` and `gateway`:
 * a key never grants a scope it lacks).
 *
 * @module
 */

import { PreloopError } from '../../errors.js';

/** A running server and the admin's API key. */
export interface AdminConnection {
  /** Base URL, without a trailing slash. */
  server: string;
  /** The admin's API key. */
  apiKey: string;
}

/** What enrolment created. */
export interface Enrolment {
  agentId: string;
  apiKeyId: string;
  /** The agent's API key (shown once by the server). */
  key: string;
}

async function call(connection: AdminConnection, method: string, route: string, body?: unknown): Promise<{ status: number; json: any }> {
  let response: Response;
  try {
    response = await fetch(`${connection.server}/api/v1${route}`, {
      method,
      headers: { authorization: `Bearer ${connection.apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (cause) {
    throw new PreloopError('UPSTREAM_ERROR', `Preloop at ${connection.server} cannot be reached: ${(cause as Error).message}`, { cause });
  }
  return { status: response.status, json: await response.json().catch(() => ({})) };
}

function refused(what: string, answer: { status: number; json: any }): PreloopError {
  const message = (answer.json as { error?: { message?: string } }).error?.message ?? `HTTP ${answer.status}`;
  const code =
    answer.status === 401
      ? 'UNAUTHENTICATED'
      : answer.status === 403
        ? 'FORBIDDEN'
        : answer.status === 400
          ? 'VALIDATION_ERROR'
          : 'UPSTREAM_ERROR';
  return new PreloopError(code, `Preloop refused to ${what}: ${message}`);
}

/**
 * Enrolls a managed agent and creates its API key. When the key cannot be
 * created, the agent just enrolled is decommissioned again.
 *
 * @example
 * ```ts
 * const { agentId, key } = await enrollAgent({ server, apiKey }, { name: 'claude-code@laptop', kind: 'claude_code' });
 * ```
 */
export async function enrollAgent(connection: AdminConnection, agent: { name: string; kind: string }): Promise<Enrolment> {
  const enrolled = await call(connection, 'POST', '/agents', { name: agent.name, kind: agent.kind, tags: ['preloop-agents-onboard'] });
  if (enrolled.status !== 201) throw refused('enroll the agent', enrolled);
  const agentId = (enrolled.json as { id: string }).id;
  const created = await call(connection, 'POST', '/api-keys', { name: agent.name, agentId, scopes: ['mcp', 'gateway'] });
  if (created.status !== 201) {
    await call(connection, 'POST', `/agents/${agentId}/decommission`, { reason: 'preloop agents onboard failed' }).catch(() => undefined);
    throw refused("create the agent's API key", created);
  }
  const { apiKey, key } = created.json as { apiKey: { id: string }; key: string };
  return { agentId, apiKeyId: apiKey.id, key };
}

/**
 * Decommissions the agent: its keys are revoked and its sessions ended. An
 * agent that is already decommissioned or gone counts as done.
 *
 * @example
 * ```ts
 * await retireAgent({ server, apiKey }, 'agt_…');
 * ```
 */
export async function retireAgent(connection: AdminConnection, agentId: string): Promise<'decommissioned' | 'already gone'> {
  const answer = await call(connection, 'POST', `/agents/${agentId}/decommission`, { reason: 'preloop agents offboard' });
  if (answer.status === 200) return 'decommissioned';
  if (answer.status === 404) return 'already gone';
  throw refused('decommission the agent', answer);
}
