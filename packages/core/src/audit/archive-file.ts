import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { PreloopError } from '../errors.js';
import type { AuditArchiveWriter, AuditSegmentHeader } from './audit-archive.js';

/**
 * The file name of a segment: `audit-<account>-<firstSeq>-<lastSeq>.jsonl`,
 * positions zero-padded to 12 digits so names sort in chain order.
 *
 * @example
 * ```ts
 * archiveFileName({ accountId: 'acc_default', firstSeq: 1, lastSeq: 1000 }); // 'audit-acc_default-000000000001-000000001000.jsonl'
 * ```
 */
export function archiveFileName(header: Pick<AuditSegmentHeader, 'accountId' | 'firstSeq' | 'lastSeq'>): string {
  const pad = (seq: number) => String(seq).padStart(12, '0');
  return `audit-${header.accountId.replace(/[^A-Za-z0-9_.-]/g, '_')}-${pad(header.firstSeq)}-${pad(header.lastSeq)}.jsonl`;
}

/**
 * An archive writer that stores each segment as a JSONL file in `dir`
 * ({@link archiveFileName}): written to a temporary file, fsynced, renamed into
 * place and the directory fsynced, so the segment is complete and durable
 * before the records are pruned, and a re-run replaces it atomically.
 *
 * @example
 * ```ts
 * await preloop.audit.archive({ before: new Date('2026-01-01'), write: createArchiveFileWriter('/mnt/archive') });
 * ```
 */
export function createArchiveFileWriter(dir: string): AuditArchiveWriter {
  if (typeof dir !== 'string' || dir === '') throw new PreloopError('VALIDATION_ERROR', 'An audit archive directory is required.');
  const folder = path.resolve(dir);
  return async (header, lines) => {
    await mkdir(folder, { recursive: true });
    const file = path.join(folder, archiveFileName(header));
    const temporary = `${file}.${process.pid}.tmp`;
    const handle = await open(temporary, 'w');
    try {
      let chunk = '';
      for await (const line of lines) {
        chunk += `${line}\n`;
        if (chunk.length >= 1 << 20) {
          await handle.write(chunk);
          chunk = '';
        }
      }
      if (chunk) await handle.write(chunk);
      await handle.sync();
    } catch (error) {
      await handle.close();
      await rm(temporary, { force: true });
      throw error;
    }
    await handle.close();
    await rename(temporary, file);
    const directory = await open(folder, 'r');
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
  };
}

/**
 * The lines of a segment file, for {@link verifyAuditArchive}, read as a stream
 * (memory does not grow with the segment).
 *
 * @example
 * ```ts
 * const report = await verifyAuditArchive(readArchiveFile('audit-acc_default-000000000001-000000001000.jsonl'), publicKeyPem);
 * ```
 */
export function readArchiveFile(file: string): AsyncIterable<string> {
  return createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
}
