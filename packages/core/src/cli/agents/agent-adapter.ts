/**
 * What `preloop agents` knows about one kind of local agent: where its
 * configuration lives and what onboarding writes there.
 *
 * @module
 */

import type { ConfigEdit } from './config-edits.js';

/** Where things are on this machine, and the server the agent is pointed at. */
export interface AgentContext {
  /** The home folder (`--home`, else the user's). */
  home: string;
  /** Environment overrides the agents honour (`CODEX_HOME`); empty with `--home`. */
  env: Record<string, string | undefined>;
  /** The server's base URL, without a trailing slash. */
  server: string;
  /** The file holding the agent's API key alone (mode 0600). */
  keyFile: string;
  /** The file holding `{"Authorization":"Bearer …"}` (mode 0600), for header helpers. */
  headersFile: string;
  /** The permission hook's command line (`--permission-hook`), or null when not asked for. */
  hook: string | null;
}

/** One configuration file an agent reads. */
export interface AgentFile {
  /** Absolute path. */
  path: string;
  /** What it configures, for `discover`. */
  role: string;
  /** Whether onboard edits it (project files such as `.mcp.json` are only reported). */
  managed: boolean;
}

/** An adapter: one supported agent. */
export interface AgentAdapter {
  /** The name on the command line, for example `claude-code`. */
  id: string;
  /** Its display name. */
  title: string;
  /** The managed agent's `kind` on the server. */
  kind: string;
  /** Its configuration files, existing or not. */
  files(context: Pick<AgentContext, 'home' | 'env'>, cwd: string): AgentFile[];
  /** The folders whose presence means the agent is installed for this user. */
  markers(context: Pick<AgentContext, 'home' | 'env'>): string[];
  /** The edits that point it at Preloop. */
  edits(context: AgentContext): ConfigEdit[];
  /** What onboarding does not cover, shown after onboard (for example the model gateway for Cursor). */
  notes(context: AgentContext): string[];
}

/**
 * The command line of the permission hook: `preloop hook` (or `hookCommand`)
 * with the server and the stored key in its environment, wrapped in `sh -c`
 * so that it runs the same whether the agent uses a shell or splits words.
 *
 * @example
 * ```ts
 * const hook = hookCommandLine('http://127.0.0.1:8787', keyFile, 'preloop hook');
 * ```
 */
export function hookCommandLine(server: string, keyFile: string, hookCommand: string): string {
  return `sh -c ${shellQuote(`PRELOOP_URL=${shellQuote(server)} PRELOOP_API_KEY="$(cat ${shellQuote(keyFile)})" exec ${hookCommand}`)}`;
}

/** Single-quotes a path for a shell command line (and for the simple word splitting some agents do). */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
