import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { archiveFileName, createArchiveFileWriter, readArchiveFile } from '../audit/archive-file.js';
import { verifyAuditArchive, type AuditArchiveKey, type AuditArchiveReport } from '../audit/audit-archive-verify.js';
import { createCheckpointSigner } from '../audit/checkpoints.js';
import { PreloopError } from '../errors.js';
import { withKernel } from './cli-context.js';
import type { CliCommand } from './commands.js';

const dayMs = 86_400_000;

/** `--before`: an ISO date or time, or `<n>d` (n days ago). */
function parseBefore(value: unknown, now = Date.now()): Date {
  if (typeof value !== 'string' || value === '')
    throw new PreloopError('VALIDATION_ERROR', '--before is required: a date (2026-01-01) or an age in days (90d)');
  const days = /^(\d+)d$/.exec(value);
  const date = days ? new Date(now - Number(days[1]) * dayMs) : new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) && !days)
    throw new PreloopError('VALIDATION_ERROR', `--before must be a date (2026-01-01) or an age in days (90d), not ${value}`);
  if (Number.isNaN(date.getTime())) throw new PreloopError('VALIDATION_ERROR', `--before is not a valid date: ${value}`);
  return date;
}

/** The keys `verify-archive` checks signatures with: `--public-key` (a PEM file or raw base64), else the local secret key and the previous ones. */
function verificationKeys(flag: unknown): AuditArchiveKey[] {
  if (typeof flag === 'string' && flag !== '') {
    if (existsSync(flag)) return [readFileSync(flag, 'utf8')];
    if (/^[A-Za-z0-9+/]{43}=$/.test(flag)) return [flag];
    throw new PreloopError(
      'VALIDATION_ERROR',
      '--public-key must be a PEM file (the pem of GET /api/v1/audit/public-key) or the raw base64 key',
    );
  }
  const keyFile = path.join(path.resolve(process.env.PRELOOP_DATA_DIR ?? '.data'), 'secret.key');
  const secretKey = process.env.PRELOOP_SECRET_KEY || (existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : '');
  if (!secretKey)
    throw new PreloopError('VALIDATION_ERROR', 'pass --public-key <file.pem> (GET /api/v1/audit/public-key), or set PRELOOP_SECRET_KEY');
  const previous = (process.env.PRELOOP_PREVIOUS_SECRET_KEYS ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter(Boolean);
  return [secretKey, ...previous].map((key) => createCheckpointSigner(key).publicKey);
}

/** `preloop audit archive` and `preloop audit verify-archive`. */
export const auditArchiveCommands: CliCommand[] = [
  {
    name: 'audit archive',
    summary:
      'Export audit records older than --before, per account up to the last signed checkpoint, as self-verifying JSONL segments in --out, then prune them from the database (only once each file is written and fsynced)',
    usage: '--before <date|Nd> --out <dir> [--account <id>]',
    async run(globals, { flags }, io) {
      const before = parseBefore(flags.before);
      if (typeof flags.out !== 'string' || flags.out === '')
        throw new PreloopError('VALIDATION_ERROR', '--out is required: the directory the segments are written to');
      const out = flags.out;
      const results = await withKernel(globals, (preloop) =>
        preloop.audit.archive({
          before,
          write: createArchiveFileWriter(out),
          ...(typeof flags.account === 'string' ? { accountId: flags.account } : {}),
        }),
      );
      if (results.length === 0)
        io.out(`Nothing to archive: no signed checkpoint before ${before.toISOString()} past what is already archived.`);
      for (const result of results) {
        io.out(
          `Archived ${result.accountId} records ${result.firstSeq}–${result.lastSeq} (${result.records} records, ${result.checkpoints} checkpoints) to ${path.join(path.resolve(out), archiveFileName(result))}, sha256 ${result.sha256}; pruned from the database.`,
        );
      }
      return 0;
    },
  },
  {
    name: 'audit verify-archive',
    summary:
      'Verify archived audit segments offline: each file’s hash chain and checkpoint signatures, and that consecutive segments of an account link up; exits 1 naming the first problem',
    usage: '<segment.jsonl>… [--public-key <file.pem|base64>]',
    async run(_globals, { positionals, flags }, io) {
      if (positionals.length === 0) throw new PreloopError('VALIDATION_ERROR', 'name at least one segment file');
      const keys = verificationKeys(flags['public-key']);
      const verified: Array<{ file: string; report: AuditArchiveReport }> = [];
      let failed = false;
      for (const file of positionals) {
        if (!existsSync(file)) throw new PreloopError('VALIDATION_ERROR', `${file} does not exist`);
        const report = await verifyAuditArchive(readArchiveFile(file), keys);
        if (!report.ok) {
          const broken = report.firstBroken!;
          io.err(
            `${file}: BROKEN at line ${broken.line}${broken.seq === undefined ? '' : ` (record #${broken.seq})`}: ${broken.reason}. ${broken.message}`,
          );
          failed = true;
          continue;
        }
        const { header } = report;
        io.out(
          `${file}: intact, ${header!.accountId} records ${header!.firstSeq}–${header!.lastSeq} (${report.checkpoints} checkpoints), last hash ${report.lastHash}`,
        );
        verified.push({ file, report });
      }
      // Segments of one account, in chain order, must each start where the previous ended.
      verified.sort(
        (a, b) =>
          a.report.header!.accountId.localeCompare(b.report.header!.accountId) || a.report.header!.firstSeq - b.report.header!.firstSeq,
      );
      for (let index = 1; index < verified.length; index++) {
        const previous = verified[index - 1]!;
        const current = verified[index]!;
        if (previous.report.header!.accountId !== current.report.header!.accountId) continue;
        if (
          current.report.header!.firstSeq !== previous.report.header!.lastSeq + 1 ||
          current.report.header!.prevHash !== previous.report.lastHash
        ) {
          io.err(
            `${current.file}: does not continue ${previous.file} (expected position ${previous.report.header!.lastSeq + 1} after hash ${previous.report.lastHash}).`,
          );
          failed = true;
        }
      }
      return failed ? 1 : 0;
    },
  },
];
