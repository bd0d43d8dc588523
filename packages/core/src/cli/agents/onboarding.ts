/**
 * Plans and applies the file changes of `preloop agents onboard` and
 * `offboard`. A plan is computed first, in full, from what is on disk (a bad
 * file stops everything before anything is written); `--dry-run` prints it as
 * a diff; applying it writes the backups and the manifest before the files.
 *
 * @module
 */

import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import path from 'node:path';
import type { AgentAdapter, AgentContext } from './agent-adapter.js';
import {
  backUp,
  fileMode,
  readBackup,
  sha256,
  type AgentStatePaths,
  type Manifest,
  type ManifestEntry,
  type ManifestFile,
} from './agent-state.js';
import {
  addTomlBlocks,
  arrayAt,
  deleteAt,
  getAt,
  parseJsonFile,
  printJsonLike,
  removeTomlBlocks,
  sameJson,
  setAt,
  unifiedDiff,
  type ConfigEdit,
} from './config-edits.js';

/** One file's change in a plan. */
export interface FileChange {
  path: string;
  /** Its bytes now, or null when it does not exist. */
  before: Buffer | null;
  /** What it becomes, or null when it is removed. */
  after: Buffer | null;
  /** What the user is told about this file. */
  messages: string[];
  /** Its manifest record after the change (onboard), or null (offboard). */
  record: ManifestFile | null;
  /** Whether the manifest already knew the file (an earlier onboard). */
  known: boolean;
}

const read = (file: string): Buffer | null => (existsSync(file) ? readFileSync(file) : null);
const same = (a: Buffer | null, b: Buffer | null) => (a === null ? b === null : b !== null && a.equals(b));

/** Whether a change changes anything. */
export const changes = (change: FileChange): boolean => !same(change.before, change.after);

/**
 * What onboard writes, file by file, given the manifest of an earlier onboard
 * (whose backups and previous values are kept).
 *
 * @example
 * ```ts
 * const plan = planOnboard(claudeCode, context, readManifest(paths));
 * ```
 */
export function planOnboard(adapter: AgentAdapter, context: AgentContext, manifest: Manifest | null): FileChange[] {
  return adapter.edits(context).map((edit) => {
    const before = read(edit.file);
    const earlier = manifest?.files.find((file) => file.path === edit.file) ?? null;
    const text = before?.toString('utf8') ?? null;
    const { after, entries, messages } = edit.format === 'json' ? planJson(edit, text, earlier) : planToml(edit, text);
    // Entries an earlier onboard wrote that this one no longer writes (another hook command) stay recorded, so offboard removes them too.
    const carried =
      earlier?.entries.filter(
        (old) =>
          !entries.some((entry) => entry.path.join('\0') === old.path.join('\0') && (!old.append || sameJson(entry.value, old.value))),
      ) ?? [];
    const record: ManifestFile = earlier
      ? { ...earlier, entries: [...entries, ...carried] }
      : { path: edit.file, format: edit.format, existed: before !== null, mode: fileMode(edit.file), backup: null, written: null, entries };
    return { path: edit.file, before, after: Buffer.from(after, 'utf8'), messages, record, known: earlier !== null };
  });
}

function planJson(
  edit: Extract<ConfigEdit, { format: 'json' }>,
  text: string | null,
  earlier: ManifestFile | null,
): { after: string; entries: ManifestEntry[]; messages: string[] } {
  const root = parseJsonFile(text ?? '', edit.file);
  const messages: string[] = [];
  const entries = edit.entries.map((entry): ManifestEntry => {
    const recorded = earlier?.entries.find(
      (candidate) => candidate.path.join('\0') === entry.path.join('\0') && (!entry.append || sameJson(candidate.value, entry.value)),
    );
    if (recorded) return { ...recorded, value: entry.value };
    const at = getAt(root, entry.path);
    if (entry.append) return { path: entry.path, value: entry.value, append: true, hadPrevious: at.found };
    if (at.found && !sameJson(at.value, entry.value)) messages.push(`replaces ${entry.path.join('.')} (offboard puts it back)`);
    return { path: entry.path, value: entry.value, hadPrevious: at.found, ...(at.found ? { previous: at.value } : {}) };
  });
  for (const entry of edit.entries) {
    if (!entry.append) setAt(root, entry.path, entry.value, edit.file);
    else {
      const array = arrayAt(root, entry.path, edit.file);
      if (!array.some((element) => sameJson(element, entry.value))) array.push(entry.value);
    }
  }
  return { after: printJsonLike(root, text), entries, messages };
}

function planToml(
  edit: Exclude<ConfigEdit, { format: 'json' }>,
  text: string | null,
): { after: string; entries: ManifestEntry[]; messages: string[] } {
  return { after: addTomlBlocks(removeTomlBlocks(text ?? ''), edit.blocks, edit.conflicts, edit.file), entries: [], messages: [] };
}

/**
 * What offboard writes: the original bytes where the file is still what
 * onboard wrote; else the file as it is now without Preloop's entries, each
 * entry put back to what it was before (an entry the user changed is left,
 * and said so).
 *
 * @example
 * ```ts
 * const plan = planOffboard(manifest, paths);
 * ```
 */
export function planOffboard(manifest: Manifest, paths: AgentStatePaths): FileChange[] {
  return manifest.files.map((file) => {
    const before = read(file.path);
    const original = file.backup ? readBackup(paths, file.backup) : null;
    if (before === null)
      return { path: file.path, before, after: null, messages: ['was removed since onboard; left removed'], record: null, known: true };
    if (file.written !== null && sha256(before.toString('utf8')) === file.written) {
      return {
        path: file.path,
        before,
        after: original,
        messages: [original === null ? 'removed (onboard created it)' : 'restored byte for byte'],
        record: null,
        known: true,
      };
    }
    const text = before.toString('utf8');
    const messages = ["changed since onboard: only Preloop's entries are taken out, your changes are kept"];
    if (file.format !== 'json')
      return { path: file.path, before, after: Buffer.from(removeTomlBlocks(text), 'utf8'), messages, record: null, known: true };
    const root = parseJsonFile(text, file.path);
    const originalRoot = original ? parseJsonFile(original.toString('utf8'), `${file.path} (backup)`) : {};
    const keep = (parent: string[]) => getAt(originalRoot, parent).found;
    for (const entry of file.entries) {
      const at = getAt(root, entry.path);
      if (!at.found) continue;
      if (entry.append) {
        if (!Array.isArray(at.value)) continue;
        const rest = at.value.filter((element) => !sameJson(element, entry.value));
        if (rest.length === 0 && !entry.hadPrevious) deleteAt(root, entry.path, keep);
        else setAt(root, entry.path, rest, file.path);
        continue;
      }
      if (!sameJson(at.value, entry.value)) {
        messages.push(`left ${entry.path.join('.')}: changed since onboard`);
        continue;
      }
      if (entry.hadPrevious) setAt(root, entry.path, entry.previous, file.path);
      else deleteAt(root, entry.path, keep);
    }
    return { path: file.path, before, after: Buffer.from(printJsonLike(root, text), 'utf8'), messages, record: null, known: true };
  });
}

/**
 * The plan as a unified diff per changed file (what `--dry-run` prints).
 *
 * @example
 * ```ts
 * for (const block of diffPlan(plan)) io.out(block);
 * ```
 */
export function diffPlan(plan: FileChange[]): string[] {
  return plan
    .filter(changes)
    .map((change) => unifiedDiff(change.path, change.before?.toString('utf8') ?? null, change.after?.toString('utf8') ?? null));
}

/**
 * Writes an onboard plan: backups of files changed for the first time, the
 * manifest (through `save`), then the files.
 *
 * @example
 * ```ts
 * applyOnboard(plan, paths, (files) => writeManifest(paths, { ...manifest, files }));
 * ```
 */
export function applyOnboard(plan: FileChange[], paths: AgentStatePaths, save: (files: ManifestFile[]) => void): void {
  const files = plan.map((change, index) => {
    const record = { ...change.record! };
    if (!changes(change)) return record;
    if (!change.known) {
      if (change.before !== null) record.backup = backUp(paths, index, change.path, change.before);
      record.written = sha256(change.after!.toString('utf8'));
    } else {
      // Rewritten over a user's edit: offboard must merge then, as restoring the old bytes would drop their edit.
      const untouched = record.written !== null && change.before !== null && sha256(change.before.toString('utf8')) === record.written;
      record.written = untouched ? sha256(change.after!.toString('utf8')) : null;
    }
    return record;
  });
  save(files);
  for (const change of plan.filter(changes)) writeBytes(change.path, change.after);
}

/**
 * Writes an offboard plan (files first; the caller removes the state after).
 *
 * @example
 * ```ts
 * applyOffboard(planOffboard(manifest, paths));
 * ```
 */
export function applyOffboard(plan: FileChange[], manifest: Manifest): void {
  for (const change of plan.filter(changes)) {
    writeBytes(change.path, change.after);
    const mode = manifest.files.find((file) => file.path === change.path)?.mode;
    if (change.after !== null && mode != null) chmodSync(change.path, mode);
  }
}

function writeBytes(file: string, bytes: Buffer | null): void {
  if (bytes === null) {
    rmSync(file, { force: true });
    return;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, bytes);
}
