/**
 * What `preloop agents onboard` keeps per agent under Preloop's folder
 * (`$PRELOOP_HOME`, else `~/.preloop`): `agents/<agent>/credential` (the API
 * key alone) and `credential-headers.json` (`{"Authorization":"Bearer …"}`),
 * both mode 0600 in a 0700 folder; `backup/` with the original bytes of every
 * file onboard changed; and `manifest.json`, which records the server, the
 * agent and key ids, and per file what was there before and the SHA-256 of
 * what onboard wrote. The manifest holds no secret.
 *
 * @module
 */

import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PreloopError } from '../../errors.js';
import type { JsonEntry } from './config-edits.js';

/** One JSON entry onboard set, and what was at its path before. */
export interface ManifestEntry extends JsonEntry {
  /** Whether the path held a value before onboard. */
  hadPrevious: boolean;
  /** That value. */
  previous?: unknown;
}

/** One file onboard changed. */
export interface ManifestFile {
  path: string;
  format: 'json' | 'toml' | 'dotenv';
  /** Whether the file existed before onboard. */
  existed: boolean;
  /** Its permission bits then. */
  mode: number | null;
  /** The backup of its original bytes, relative to the agent's folder. */
  backup: string | null;
  /** SHA-256 of what onboard wrote; null once the file was rewritten over a user's edits (then offboard merges). */
  written: string | null;
  /** The JSON entries onboard set (JSON files). */
  entries: ManifestEntry[];
}

/** The record of one onboarded agent. */
export interface Manifest {
  version: 1;
  agent: string;
  server: string;
  agentId: string;
  agentName: string;
  apiKeyId: string;
  /** The permission hook's command line written with `--permission-hook`, else null. */
  hook: string | null;
  onboardedAt: string;
  files: ManifestFile[];
}

/** The paths of one agent's state. */
export interface AgentStatePaths {
  dir: string;
  manifest: string;
  keyFile: string;
  headersFile: string;
}

/**
 * Where one agent's state lives.
 *
 * @example
 * ```ts
 * const paths = agentStatePaths(path.join(home, '.preloop'), 'codex');
 * ```
 */
export function agentStatePaths(preloopDir: string, agent: string): AgentStatePaths {
  const dir = path.join(preloopDir, 'agents', agent);
  return {
    dir,
    manifest: path.join(dir, 'manifest.json'),
    keyFile: path.join(dir, 'credential'),
    headersFile: path.join(dir, 'credential-headers.json'),
  };
}

/** SHA-256 of a text, hex. */
export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The manifest, or null when the agent is not onboarded. */
export function readManifest(paths: AgentStatePaths): Manifest | null {
  if (!existsSync(paths.manifest)) return null;
  try {
    return JSON.parse(readFileSync(paths.manifest, 'utf8')) as Manifest;
  } catch (error) {
    throw new PreloopError(
      'VALIDATION_ERROR',
      `${paths.manifest} cannot be read (${(error as Error).message}); the backups next to it hold the original files.`,
    );
  }
}

function privateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/** Writes a file with mode 0600 (also when it existed with another mode). */
function writePrivate(file: string, text: string): void {
  privateDir(path.dirname(file));
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** Saves the manifest. */
export function writeManifest(paths: AgentStatePaths, manifest: Manifest): void {
  writePrivate(paths.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Stores the agent's API key, in its two forms, mode 0600. */
export function writeCredential(paths: AgentStatePaths, key: string): void {
  writePrivate(paths.keyFile, `${key}\n`);
  writePrivate(paths.headersFile, `${JSON.stringify({ Authorization: `Bearer ${key}` })}\n`);
}

/** Saves the original bytes of a file before onboard first changes it; returns the backup's relative path. */
export function backUp(paths: AgentStatePaths, index: number, file: string, bytes: Buffer): string {
  const relative = path.join('backup', `${index}-${path.basename(file)}`);
  privateDir(path.join(paths.dir, 'backup'));
  writeFileSync(path.join(paths.dir, relative), bytes, { mode: 0o600 });
  return relative;
}

/** The original bytes of a backed-up file. */
export function readBackup(paths: AgentStatePaths, relative: string): Buffer {
  return readFileSync(path.join(paths.dir, relative));
}

/** The permission bits of a file, or null when it does not exist. */
export function fileMode(file: string): number | null {
  const stat = statSync(file, { throwIfNoEntry: false });
  return stat ? stat.mode & 0o777 : null;
}

/** Removes the agent's state: credential, backups, manifest. */
export function removeAgentState(paths: AgentStatePaths): void {
  rmSync(paths.dir, { recursive: true, force: true });
}
