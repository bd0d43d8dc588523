/**
 * `preloop token`: prints a fresh runtime credential, for an agent's
 * credential helper (Claude Code's `apiKeyHelper` and MCP `headersHelper`, a
 * wrapper script for Codex). A runtime credential lives 15 minutes; the agent
 * runs the helper again for a new one. With `--session-file` every call
 * renews the same runtime session, so one agent run stays one session.
 *
 * Two ways to get it: from the database, for a named agent (`--agent`, like
 * the other commands: the machine holds the database URL and secret key), or
 * from a running server (`--url`), exchanging the API key in
 * `PRELOOP_API_KEY` (or the variable `--key-env` names) for a credential of
 * that key's own session.
 *
 * @module
 */

import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { PreloopError } from '../errors.js';
import type { Agent } from '../identity/agents.js';
import type { StartedRuntimeSession } from '../identity/runtime-sessions.js';
import { runtimeAudiences, type RuntimeAudience } from '../identity/runtime-credentials.js';
import type { Preloop } from '../kernel/preloop.js';
import { withKernel } from './cli-context.js';
import type { CliCommand } from './commands.js';

/** The session id kept in `--session-file`, or null when there is none yet. */
function readSessionFile(file: string | undefined): string | null {
  if (!file) return null;
  try {
    const id = readFileSync(file, 'utf8').trim();
    return /^rs_[A-Za-z0-9_-]{1,100}$/.test(id) ? id : null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new PreloopError('VALIDATION_ERROR', `--session-file ${file} cannot be read: ${(error as Error).message}`);
  }
}

function writeSessionFile(file: string | undefined, id: string): void {
  if (!file) return;
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, `${id}\n`, { mode: 0o600 });
}

/**
 * Runs `action` holding `<file>.lock`, so that helpers started at the same
 * moment (Claude Code runs `apiKeyHelper` and `headersHelper` together) share
 * one session instead of each starting its own. A lock older than 30 s is
 * left over from a crashed helper and is taken over.
 */
async function withSessionLock<T>(file: string | undefined, action: () => Promise<T>): Promise<T> {
  if (!file) return action();
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const lock = `${file}.lock`;
  for (let attempt = 0; ; attempt++) {
    try {
      closeSync(openSync(lock, 'wx', 0o600));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 30_000) rmSync(lock, { force: true });
      else if (attempt >= 150)
        throw new PreloopError('CONFLICT', `${lock} is held by another preloop token; remove it if no helper is running.`);
      else await sleep(100);
    }
  }
  try {
    return await action();
  } finally {
    rmSync(lock, { force: true });
  }
}

function audienceFlag(value: unknown): RuntimeAudience[] | undefined {
  if (value === undefined) return undefined;
  const list = String(value)
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const wrong = list.find((entry) => !(runtimeAudiences as readonly string[]).includes(entry));
  if (list.length === 0 || wrong !== undefined)
    throw new PreloopError(
      'VALIDATION_ERROR',
      `--audience must be a comma-separated list of ${runtimeAudiences.join(', ')}${wrong ? ` (got "${wrong}")` : ''}`,
    );
  return list as RuntimeAudience[];
}

/** The active agent named by id or by name (a name two agents share must be given as an id). */
async function findAgent(preloop: Preloop, reference: string): Promise<Agent> {
  if (reference.startsWith('agt_')) return preloop.identity.agents.get(preloop.accountId, reference);
  const matches: Agent[] = [];
  let cursor: string | undefined;
  do {
    const page = await preloop.identity.agents.list(preloop.accountId, { cursor, limit: 200 });
    matches.push(...page.items.filter((agent) => agent.name === reference && agent.state !== 'decommissioned'));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  if (matches.length === 0)
    throw new PreloopError(
      'NOT_FOUND',
      `No agent named "${reference}"; enroll it in the console (Agents) or POST /api/v1/agents, or give its id.`,
    );
  if (matches.length > 1)
    throw new PreloopError(
      'CONFLICT',
      `${matches.length} agents are named "${reference}" (${matches.map((agent) => agent.id).join(', ')}); give --agent the id.`,
    );
  return matches[0]!;
}

/** Renews the session in the file if it is still running and is the agent's; starts a new one otherwise. */
async function localCredential(
  preloop: Preloop,
  flags: Record<string, unknown>,
  sessionFile: string | undefined,
): Promise<StartedRuntimeSession> {
  const agent = await findAgent(preloop, String(flags.agent));
  if (agent.state !== 'active')
    throw new PreloopError('FORBIDDEN', `Agent "${agent.name}" (${agent.id}) is ${agent.state}; resume it before issuing credentials.`);
  const previous = readSessionFile(sessionFile);
  if (previous) {
    const session = await preloop.identity.runtimeSessions.get(preloop.accountId, previous).catch(() => null);
    if (session && session.state === 'active' && session.agentId === agent.id)
      return preloop.identity.runtimeSessions.heartbeat(preloop.accountId, previous);
  }
  const name = typeof flags.name === 'string' && flags.name !== '' ? flags.name : `${agent.name} (preloop token)`;
  const started = await preloop.identity.runtimeSessions.start(preloop.accountId, {
    name,
    agentId: agent.id,
    source: 'cli',
    audience: audienceFlag(flags.audience),
  });
  writeSessionFile(sessionFile, started.session.id);
  return started;
}

async function call(url: string, apiKey: string, body: unknown): Promise<{ status: number; json: any }> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch (cause) {
    throw new PreloopError('UPSTREAM_ERROR', `Preloop at ${new URL(url).origin} cannot be reached: ${(cause as Error).message}`, { cause });
  }
  const json = await response.json().catch(() => ({}));
  return { status: response.status, json };
}

/** The same over the admin API of a running server, as the API key's own session. */
async function remoteCredential(
  base: string,
  apiKey: string,
  flags: Record<string, unknown>,
  sessionFile: string | undefined,
): Promise<StartedRuntimeSession> {
  const root = `${base.replace(/\/+$/, '')}/api/v1/runtime-sessions`;
  const previous = readSessionFile(sessionFile);
  if (previous) {
    const renewed = await call(`${root}/${previous}/heartbeat`, apiKey, {});
    if (renewed.status === 200) return renewed.json as StartedRuntimeSession;
  }
  const name = typeof flags.name === 'string' && flags.name !== '' ? flags.name : 'preloop token';
  const audience = audienceFlag(flags.audience);
  const started = await call(root, apiKey, { name, source: 'cli', ...(audience ? { audience } : {}) });
  if (started.status !== 201) {
    const message = (started.json as { error?: { message?: string } }).error?.message ?? `HTTP ${started.status}`;
    throw new PreloopError(
      started.status === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN',
      `Preloop refused to start a runtime session: ${message}`,
    );
  }
  writeSessionFile(sessionFile, (started.json as StartedRuntimeSession).session.id);
  return started.json as StartedRuntimeSession;
}

/** `preloop token`. */
export const tokenCommand: CliCommand = {
  name: 'token',
  summary: "Print a fresh runtime credential (15 minutes) for an agent's credential helper (Claude Code apiKeyHelper / headersHelper)",
  usage:
    '(--agent <name or id> | --url <server> [--key-env PRELOOP_API_KEY]) [--session-file <path>] [--audience mcp,gateway] [--name <session name>] [--format token|header-json]',
  async run(globals, { flags }, io) {
    const format = flags.format ?? 'token';
    if (format !== 'token' && format !== 'header-json') throw new PreloopError('VALIDATION_ERROR', '--format must be token or header-json');
    const sessionFile = typeof flags['session-file'] === 'string' ? flags['session-file'] : undefined;
    let started: StartedRuntimeSession;
    if (typeof flags.url === 'string') {
      if (flags.agent !== undefined)
        throw new PreloopError(
          'VALIDATION_ERROR',
          'give --agent (from the database) or --url (from a running server with an API key), not both',
        );
      const variable = typeof flags['key-env'] === 'string' ? flags['key-env'] : 'PRELOOP_API_KEY';
      const apiKey = process.env[variable];
      if (!apiKey)
        throw new PreloopError(
          'VALIDATION_ERROR',
          `--url needs an API key with the mcp or gateway scope in the environment variable ${variable}`,
        );
      started = await withSessionLock(sessionFile, () => remoteCredential(flags.url as string, apiKey, flags, sessionFile));
    } else {
      if (typeof flags.agent !== 'string' || flags.agent === '')
        throw new PreloopError('VALIDATION_ERROR', '--agent <name or id> (or --url <server>) is required');
      started = await withSessionLock(sessionFile, () => withKernel(globals, (preloop) => localCredential(preloop, flags, sessionFile)));
    }
    io.out(format === 'header-json' ? JSON.stringify({ Authorization: `Bearer ${started.credential.token}` }) : started.credential.token);
    return 0;
  },
};
