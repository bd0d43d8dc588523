import { mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { isPreloopError, PreloopError } from '../errors.js';
import { fromAnchoredCheckpoint, type AnchoredCheckpoint, type AuditAnchorSink } from './anchor-sink.js';

/** Options of {@link createFileAnchorSink}. */
export interface FileAnchorSinkOptions {
  /** The JSONL file; created (with its directory) when absent, only ever appended to. */
  path: string;
}

/**
 * An anchor sink that appends one JSON line per signed checkpoint to a file and
 * fsyncs it before the write counts as done. Put the file where the database's
 * owner cannot rewrite it (another host's volume, an append-only `chattr +a`
 * file, a WORM mount): the anchor is only as strong as that. Reading tolerates
 * a torn last line (a crash mid-append); any other malformed line is an error.
 *
 * @example
 * ```ts
 * const preloop = await createPreloop({ database, secretKey, auditAnchors: [createFileAnchorSink({ path: '/mnt/anchor/audit.jsonl' })] });
 * ```
 */
export function createFileAnchorSink(options: FileAnchorSinkOptions): AuditAnchorSink {
  if (typeof options?.path !== 'string' || options.path === '') {
    throw new PreloopError('CONFIGURATION_ERROR', 'auditAnchors: a file anchor needs a path.');
  }
  const file = path.resolve(options.path);
  let writing: Promise<void> = Promise.resolve();
  return {
    name: `file:${file}`,
    write(checkpoint) {
      const line = `${JSON.stringify(checkpoint)}\n`;
      // Appends are serialized so lines never interleave.
      const next = writing.then(async () => {
        await mkdir(path.dirname(file), { recursive: true });
        const handle = await open(file, 'a+');
        try {
          const { size } = await handle.stat();
          const last = Buffer.alloc(1);
          if (size > 0) await handle.read(last, 0, 1, size - 1);
          // After a torn append (a crash mid-write) start on a new line, so the torn line stays recognisable.
          await handle.appendFile(size > 0 && last[0] !== 0x0a ? `\n${line}` : line, 'utf8');
          await handle.sync();
        } finally {
          await handle.close();
        }
      });
      writing = next.catch(() => {});
      return next;
    },
    // Nothing anchored yet (no checkpoint signed since the anchor was configured): an empty anchor.
    read: () =>
      readAnchorFile(file).catch((error: unknown) => (isPreloopError(error) && error.code === 'NOT_FOUND' ? [] : Promise.reject(error))),
  };
}

/**
 * Reads a JSONL anchor file written by {@link createFileAnchorSink}. A missing
 * file is `NOT_FOUND`; a malformed line is `VALIDATION_ERROR` naming it (a torn
 * last line without its newline is skipped).
 *
 * @example
 * ```ts
 * const anchored = await readAnchorFile('/mnt/anchor/audit.jsonl');
 * ```
 */
export async function readAnchorFile(file: string): Promise<AnchoredCheckpoint[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT')
      throw new PreloopError('NOT_FOUND', `The audit anchor file ${file} does not exist.`, { cause });
    throw new PreloopError('INTERNAL_ERROR', `The audit anchor file ${file} cannot be read: ${(cause as Error).message}`, { cause });
  }
  // The last element is '' after a final newline, or a torn line (the process died mid-append,
  // so that write never completed and never counted as anchored): either way it is left out.
  const complete = text.split('\n').slice(0, -1);
  const entries: AnchoredCheckpoint[] = [];
  complete.forEach((line, index) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      // A torn append (the process died mid-write; the next write started a new line): that write never completed.
      if (line.startsWith('{"v":1,') && !line.endsWith('}')) return;
      throw new PreloopError('VALIDATION_ERROR', `${file} line ${index + 1}: not JSON (not an audit checkpoint written by Preloop).`);
    }
    entries.push(fromAnchoredCheckpoint(value, `${file} line ${index + 1}`));
  });
  return entries;
}
