/**
 * The shared set-up of the real-agent end-to-end tests (Claude Code, Codex,
 * Gemini CLI against the reference server): the bundled `preloop` CLI, a
 * bounded child process, the reference server on a temporary configuration
 * file, the admin API as the approver, and the "human at the console" who
 * approves the pending calls of one tool.
 */

import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { stringify } from 'yaml';
import { createLogger } from '@preloop/core';
import { startReferenceServer, type ReferenceServer } from '../../examples/server/src/reference-server.js';
import { startScriptedAgentUpstream, type ScriptedAgentUpstream } from './scripted-agent-upstream.js';

/** The repository's root folder. */
export const repo = path.resolve(import.meta.dirname, '../..');

/** The providers' key the scripted upstream expects (the gateway must send it). */
export const providerKey = 'sk-scripted-provider-key-0123456789';

/** The MCP "everything" server's entry point (run with node over stdio). */
export const everything = path.join(repo, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');

/**
 * The scripted model upstream of the triage script: it calls `everything_echo`
 * (allowed by policy), then `everything_get-sum` (waits for an approval), then
 * answers `FINAL: <each result> | …`.
 *
 * @example
 * ```ts
 * upstream = await startTriageUpstream();
 * ```
 */
export function startTriageUpstream(): Promise<ScriptedAgentUpstream> {
  return startScriptedAgentUpstream({
    apiKey: providerKey,
    calls: [
      { toolSuffix: 'everything_echo', input: { message: 'hello through Preloop' } },
      { toolSuffix: 'everything_get-sum', input: { a: 2, b: 3 } },
    ],
    answer: (results: string[]) => `FINAL: ${results.join(' | ')}`,
  });
}

const bundles = new Map<string, Promise<string>>();

/**
 * The `preloop` CLI bundled as the package ships it, once per cache folder
 * (helpers must answer fast: Claude Code gives one 10 seconds, and transpiling
 * the sources on the fly can take longer on a busy machine).
 *
 * @example
 * ```ts
 * const cli = await bundledCli('preloop-agents-e2e');
 * ```
 */
export function bundledCli(cacheName: string): Promise<string> {
  const outfile = path.join(repo, 'node_modules/.cache', cacheName, 'preloop.mjs');
  let bundled = bundles.get(outfile);
  if (!bundled) {
    bundled = build({
      entryPoints: [path.join(repo, 'packages/core/src/cli/main.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      conditions: ['@preloop/source'],
      outfile,
      logLevel: 'warning',
    }).then(() => outfile);
    bundles.set(outfile, bundled);
  }
  return bundled;
}

/** What a finished child process left. */
export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Where and how long {@link run} runs a command. */
export interface RunOptions {
  cwd: string;
  env: Record<string, string>;
  /** Killed (SIGKILL) after this, noted at the end of `stderr`. */
  timeoutMs: number;
}

/**
 * Runs a command, bounded by `timeoutMs`.
 *
 * @example
 * ```ts
 * const result = await run('gemini', ['-p', 'Triage'], { cwd: work, env, timeoutMs: 45_000 });
 * ```
 */
export function run(command: string, args: string[], options: RunOptions): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      stderr += `\n[killed after ${options.timeoutMs} ms]`;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Writes `config` as `preloop.yaml` in `dir` and starts the reference server
 * on it (data in `dir/data`, owner `owner@example.com`, a free port, silent
 * unless `PRELOOP_TEST_LOGS` is set).
 *
 * @example
 * ```ts
 * server = await startConfiguredServer(dir, config);
 * ```
 */
export async function startConfiguredServer(dir: string, config: unknown): Promise<ReferenceServer> {
  writeFileSync(path.join(dir, 'preloop.yaml'), stringify(config));
  return startReferenceServer({
    env: {
      PRELOOP_DATA_DIR: path.join(dir, 'data'),
      PRELOOP_CONFIG: path.join(dir, 'preloop.yaml'),
      PRELOOP_ADMIN_EMAIL: 'owner@example.com',
      PRELOOP_ADMIN_PASSWORD: 'owner-password-for-the-e2e-test',
    },
    port: 0,
    logger: createLogger({ level: process.env.PRELOOP_TEST_LOGS ? 'debug' : 'silent' }),
  });
}

/** Calls the admin API (`/api/v1<route>`) with an admin key; answers the JSON body. */
export type AdminApi = (method: string, route: string, body?: unknown) => Promise<any>;

/**
 * The admin API of `server()` with the key `key()` (both read at each call,
 * so they may be set in `beforeAll`).
 *
 * @example
 * ```ts
 * const api = adminApi(() => server.url, () => ownerKey);
 * const page = await api('GET', '/approvals?status=pending');
 * ```
 */
export function adminApi(serverUrl: () => string, key: () => string): AdminApi {
  return async (method, route, body) => {
    const response = await fetch(`${serverUrl()}/api/v1${route}`, {
      method,
      headers: { authorization: `Bearer ${key()}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await response.json()) as any;
  };
}

/**
 * A human at the console: every 250 ms, approves each pending call of `tool`
 * and hands each approved request (as the admin API lists it) to
 * `onApproved`. Answers the function that stops it.
 *
 * @example
 * ```ts
 * const stop = startApprover(api, 'everything.get-sum', (request) => approved.push(request.id));
 * ```
 */
export function startApprover(api: AdminApi, tool: string, onApproved: (request: any) => void): () => void {
  let approver: NodeJS.Timeout | undefined;
  let stopped = false;
  const poll = async () => {
    const page = await api('GET', '/approvals?status=pending');
    for (const request of page.items ?? []) {
      if (request.tool?.name !== tool) continue;
      const decided = await api('POST', `/approvals/${request.id}/decide`, { decision: 'approve', comment: 'e2e' });
      if (decided.request?.status === 'approved') onApproved(request);
    }
    if (!stopped) approver = setTimeout(() => void poll().catch(() => undefined), 250);
  };
  void poll();
  return () => {
    stopped = true;
    clearTimeout(approver);
  };
}
