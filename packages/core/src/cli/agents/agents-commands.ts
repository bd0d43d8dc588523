/**
 * `preloop agents discover | onboard | offboard`: finds the agents installed
 * for this user (Claude Code, Codex CLI, Gemini CLI, Cursor) and their
 * configuration files; enrolls one with a running server as a managed agent
 * with its own API key, kept in a 0600 file, and points its configuration at
 * Preloop's MCP endpoint and model gateway; and undoes that exactly.
 *
 * @module
 */

import { existsSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import path from 'node:path';
import { PreloopError } from '../../errors.js';
import type { CliIo } from '../cli-context.js';
import type { CliCommand, CommandArguments } from '../commands.js';
import { hookCommandLine, type AgentAdapter, type AgentContext } from './agent-adapter.js';
import { agentStatePaths, readManifest, removeAgentState, writeCredential, writeManifest, type AgentStatePaths } from './agent-state.js';
import { claudeCode } from './claude-code.js';
import { codex } from './codex.js';
import { cursor } from './cursor.js';
import { enrollAgent, retireAgent, type AdminConnection } from './enrollment.js';
import { geminiCli } from './gemini-cli.js';
import { applyOffboard, applyOnboard, changes, diffPlan, planOffboard, planOnboard, type FileChange } from './onboarding.js';

/** The agents `preloop agents` supports. */
export const agentAdapters: readonly AgentAdapter[] = [claudeCode, codex, geminiCli, cursor];

interface Where {
  home: string;
  env: Record<string, string | undefined>;
  preloopDir: string;
  cwd: string;
}

/** `--home` replaces the home folder and turns off the environment overrides (`CODEX_HOME`, `PRELOOP_HOME`). */
function where(flags: CommandArguments['flags']): Where {
  const home = typeof flags.home === 'string' && flags.home !== '' ? path.resolve(flags.home) : homedir();
  const env = typeof flags.home === 'string' ? {} : process.env;
  return { home, env, preloopDir: env.PRELOOP_HOME || path.join(home, '.preloop'), cwd: process.cwd() };
}

function adapterNamed(name: string | undefined): AgentAdapter {
  const adapter = agentAdapters.find((candidate) => candidate.id === name);
  if (!adapter)
    throw new PreloopError(
      'VALIDATION_ERROR',
      `${name ? `Unknown agent "${name}"` : 'Name the agent'}; one of ${agentAdapters.map((entry) => entry.id).join(', ')}.`,
    );
  return adapter;
}

/** Reads `--url <server>`: an http(s) URL without trailing slashes; a missing or bad one is a `VALIDATION_ERROR`. */
export function serverFlag(value: unknown): string {
  if (typeof value !== 'string' || value === '')
    throw new PreloopError(
      'VALIDATION_ERROR',
      '--url <server> is required (the Preloop server the agent will use, for example http://127.0.0.1:8787)',
    );
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new PreloopError('VALIDATION_ERROR', `--url must be an http(s) URL, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new PreloopError('VALIDATION_ERROR', `--url must be an http(s) URL, got "${value}"`);
  return url.href.replace(/\/+$/, '');
}

/** An admin's API key from `PRELOOP_ADMIN_KEY` (or the variable `--key-env` names); missing is a `VALIDATION_ERROR`. */
export function adminKey(flags: CommandArguments['flags']): string {
  const variable = typeof flags['key-env'] === 'string' ? flags['key-env'] : 'PRELOOP_ADMIN_KEY';
  const key = process.env[variable];
  if (!key)
    throw new PreloopError(
      'VALIDATION_ERROR',
      `An admin's API key (scopes admin:write, mcp, gateway) is needed in the environment variable ${variable}`,
    );
  return key;
}

function report(io: CliIo, plan: FileChange[], dryRun: boolean): void {
  for (const change of plan) {
    const verb = !changes(change) ? 'unchanged' : dryRun ? 'would change' : 'changed';
    io.out(`  ${change.path}: ${verb}${change.messages.length ? ` (${change.messages.join('; ')})` : ''}`);
  }
  if (dryRun) for (const block of diffPlan(plan)) io.out(block);
}

const discover: CliCommand = {
  name: 'agents discover',
  summary: 'List the supported agents found for this user, their configuration files, and which are onboarded',
  usage: '[--home <dir>] [--format text|json]',
  async run(_globals, { flags }, io) {
    const place = where(flags);
    const found = agentAdapters.map((adapter) => {
      const context = { home: place.home, env: place.env };
      const manifest = readManifest(agentStatePaths(place.preloopDir, adapter.id));
      return {
        agent: adapter.id,
        title: adapter.title,
        installed: adapter.markers(context).some((marker) => existsSync(marker)),
        files: adapter.files(context, place.cwd).map((file) => ({ ...file, exists: existsSync(file.path) })),
        onboarded: manifest ? { server: manifest.server, agentId: manifest.agentId, agentName: manifest.agentName } : null,
      };
    });
    if (flags.format === 'json') {
      io.out(JSON.stringify(found, null, 2));
      return 0;
    }
    for (const entry of found) {
      const state = entry.onboarded
        ? `onboarded to ${entry.onboarded.server} as ${entry.onboarded.agentName} (${entry.onboarded.agentId})`
        : entry.installed
          ? 'found, not onboarded'
          : 'not found';
      io.out(`${entry.agent} (${entry.title}): ${state}`);
      for (const file of entry.files) io.out(`  ${file.exists ? '✓' : '·'} ${file.path}: ${file.role}`);
    }
    return 0;
  },
};

const onboard: CliCommand = {
  name: 'agents onboard',
  summary: 'Enroll a local agent as a managed agent and point its configuration at this server (backs up the files; idempotent)',
  usage:
    '<claude-code|codex|gemini-cli|cursor> --url <server> [--key-env PRELOOP_ADMIN_KEY] [--name <agent name>] [--permission-hook [--hook-command "preloop hook"]] [--home <dir>] [--dry-run]',
  async run(_globals, { positionals, flags }, io) {
    const adapter = adapterNamed(positionals[0]);
    const server = serverFlag(flags.url);
    const place = where(flags);
    const paths = agentStatePaths(place.preloopDir, adapter.id);
    const manifest = readManifest(paths);
    if (manifest && manifest.server !== server)
      throw new PreloopError(
        'CONFLICT',
        `${adapter.id} is onboarded to ${manifest.server}; run \`preloop agents offboard ${adapter.id}\` first.`,
      );
    const hookCommand = typeof flags['hook-command'] === 'string' && flags['hook-command'] !== '' ? flags['hook-command'] : 'preloop hook';
    // Asked for once, the hook stays part of the agent's setup on later runs.
    const hook = flags['permission-hook'] === true ? hookCommandLine(server, paths.keyFile, hookCommand) : (manifest?.hook ?? null);
    const context: AgentContext = {
      home: place.home,
      env: place.env,
      server,
      keyFile: paths.keyFile,
      headersFile: paths.headersFile,
      hook,
    };
    // Planned in full before anything happens: a file that cannot be edited stops the run here.
    const plan = planOnboard(adapter, context, manifest);
    const dryRun = flags['dry-run'] === true;
    const name = typeof flags.name === 'string' && flags.name !== '' ? flags.name : `${adapter.id}@${hostname()}`;
    if (dryRun) {
      io.out(
        manifest
          ? `${adapter.id} is onboarded as ${manifest.agentName} (${manifest.agentId}); dry run, nothing changed:`
          : `Would enroll "${name}" (kind ${adapter.kind}) on ${server} and store its key in ${paths.keyFile}; dry run, nothing changed:`,
      );
      report(io, plan, true);
      return 0;
    }
    let record = manifest;
    if (!record) {
      const enrolment = await enrollAgent({ server, apiKey: adminKey(flags) }, { name, kind: adapter.kind });
      writeCredential(paths, enrolment.key);
      record = {
        version: 1,
        agent: adapter.id,
        server,
        agentId: enrolment.agentId,
        agentName: name,
        apiKeyId: enrolment.apiKeyId,
        hook,
        onboardedAt: new Date().toISOString(),
        files: [],
      };
      io.out(`Enrolled "${name}" (${enrolment.agentId}) on ${server}; its API key is in ${paths.keyFile} (mode 0600).`);
    } else if (!plan.some(changes)) {
      io.out(`${adapter.id} is already onboarded as ${record.agentName} (${record.agentId}); nothing changed.`);
      return 0;
    }
    const done = { ...record, hook };
    applyOnboard(plan, paths, (files) => writeManifest(paths, { ...done, files }));
    report(io, plan, false);
    for (const note of adapter.notes(context)) io.out(`Note: ${note}`);
    return 0;
  },
};

function offboardConnection(flags: CommandArguments['flags'], server: string): AdminConnection {
  return { server: typeof flags.url === 'string' ? serverFlag(flags.url) : server, apiKey: adminKey(flags) };
}

const offboard: CliCommand = {
  name: 'agents offboard',
  summary: "Restore an onboarded agent's files (byte for byte when untouched since) and decommission it (its key is revoked)",
  usage: '<claude-code|codex|gemini-cli|cursor> [--key-env PRELOOP_ADMIN_KEY] [--url <server>] [--home <dir>] [--dry-run] [--local-only]',
  async run(_globals, { positionals, flags }, io) {
    const adapter = adapterNamed(positionals[0]);
    const place = where(flags);
    const paths: AgentStatePaths = agentStatePaths(place.preloopDir, adapter.id);
    const manifest = readManifest(paths);
    if (!manifest) {
      io.out(`${adapter.id} is not onboarded (no ${paths.manifest}); nothing to do.`);
      return 0;
    }
    const plan = planOffboard(manifest, paths);
    if (flags['dry-run'] === true) {
      io.out(
        `Would decommission "${manifest.agentName}" (${manifest.agentId}) on ${manifest.server} and restore; dry run, nothing changed:`,
      );
      report(io, plan, true);
      return 0;
    }
    // The credential goes first: if the server cannot revoke it, the files stay as they are and nothing is lost.
    if (flags['local-only'] === true)
      io.out(
        `--local-only: "${manifest.agentName}" (${manifest.agentId}) and its API key are NOT revoked on ${manifest.server}; decommission it in the console (Agents).`,
      );
    else {
      const outcome = await retireAgent(offboardConnection(flags, manifest.server), manifest.agentId);
      io.out(
        outcome === 'decommissioned'
          ? `Decommissioned "${manifest.agentName}" (${manifest.agentId}); its API key is revoked.`
          : `"${manifest.agentName}" (${manifest.agentId}) is no longer on ${manifest.server}.`,
      );
    }
    applyOffboard(plan, manifest);
    report(io, plan, false);
    removeAgentState(paths);
    return 0;
  },
};

/** The `preloop agents` commands. */
export const agentsCommands: CliCommand[] = [discover, onboard, offboard];
