import { randomBytes } from 'node:crypto';
import { PreloopError } from '../errors.js';
import { roles, type Role } from '../identity/principal.js';
import { createPreloop } from '../kernel/create-preloop.js';
import { createLogger } from '../logger.js';
import { readAnchorFile } from '../audit/anchor-file.js';
import { resolveLocalSetup } from '../node/local-setup.js';
import { withKernel, type CliGlobals, type CliIo } from './cli-context.js';
import { hookCommand } from './hook-command.js';

/** Parsed arguments of one command: positionals and `--flag value` options. */
export interface CommandArguments {
  positionals: string[];
  flags: Record<string, string | boolean | undefined>;
}

/** One CLI command. */
export interface CliCommand {
  /** Words that name it, for example `api-key create`. */
  name: string;
  /** One line for `--help`. */
  summary: string;
  /** Usage after the name, for `--help`. */
  usage?: string;
  /** Runs it; the return value is the exit code. */
  run(globals: CliGlobals, args: CommandArguments, io: CliIo): Promise<number>;
}

const text = (value: unknown, flag: string): string => {
  if (typeof value !== 'string' || value === '') throw new PreloopError('VALIDATION_ERROR', `--${flag} is required`);
  return value;
};

/** The CLI's commands. */
export const commands: CliCommand[] = [
  {
    name: 'migrate',
    summary: 'Apply database migrations (core; plugin migrations run when the server starts)',
    async run(globals, _args, io) {
      const setup = resolveLocalSetup({ databaseUrl: globals.database });
      const preloop = await createPreloop({
        database: setup.databaseUrl,
        secretKey: setup.secretKey,
        logger: createLogger({ level: 'warn' }),
        migrate: true,
      });
      await preloop.close();
      io.out('Migrations applied.');
      return 0;
    },
  },
  {
    name: 'create-admin',
    summary: 'Create a console user (owner by default) and print its password once',
    usage: '--email <email> [--name <name>] [--role owner|admin|approver|viewer] [--password <password>]',
    async run(globals, { flags }, io) {
      const email = text(flags.email, 'email');
      const role = (flags.role ?? 'owner') as Role;
      if (!roles.includes(role)) throw new PreloopError('VALIDATION_ERROR', `--role must be one of ${roles.join(', ')}`);
      const password = typeof flags.password === 'string' ? flags.password : randomBytes(12).toString('base64url');
      await withKernel(globals, (preloop) =>
        preloop.identity.users.create(preloop.accountId, {
          email,
          name: typeof flags.name === 'string' ? flags.name : email,
          role,
          password,
        }),
      );
      io.out(`Created ${role} ${email}.`);
      if (typeof flags.password !== 'string') io.out(`Password (shown once): ${password}`);
      return 0;
    },
  },
  {
    name: 'api-key create',
    summary: 'Create an API key and print it once',
    usage: '--name <name> [--scopes mcp,gateway,admin:read,admin:write] [--user <email>] [--agent <agent id>] [--expires-days <n>]',
    async run(globals, { flags }, io) {
      const name = text(flags.name, 'name');
      const scopes =
        typeof flags.scopes === 'string'
          ? flags.scopes
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : undefined;
      const days = flags['expires-days'] === undefined ? null : Number(flags['expires-days']);
      if (days !== null && !(days > 0)) throw new PreloopError('VALIDATION_ERROR', '--expires-days must be a positive number');
      const created = await withKernel(globals, async (preloop) => {
        let userId: string | null = null;
        if (typeof flags.user === 'string') {
          const user = await preloop.identity.users.findByEmail(flags.user);
          if (!user) throw new PreloopError('NOT_FOUND', `No user with email ${flags.user}`);
          userId = user.id;
        }
        return preloop.identity.apiKeys.create(preloop.accountId, {
          name,
          scopes: scopes as never,
          userId,
          agentId: typeof flags.agent === 'string' ? flags.agent : null,
          expiresAt: days === null ? null : Date.now() + days * 86_400_000,
        });
      });
      io.out(`Created API key ${created.apiKey.id} (${created.apiKey.scopes.join(', ')}).`);
      io.out(`Key (shown once, store it now): ${created.key}`);
      return 0;
    },
  },
  {
    name: 'api-key list',
    summary: 'List API keys (never the keys themselves)',
    async run(globals, _args, io) {
      await withKernel(globals, async (preloop) => {
        let cursor: string | undefined;
        do {
          const page = await preloop.identity.apiKeys.list(preloop.accountId, { cursor, limit: 200 });
          for (const key of page.items) {
            const state = key.revokedAt ? 'revoked' : key.expiresAt && key.expiresAt < Date.now() ? 'expired' : 'active';
            io.out(`${key.id}  ${key.prefix}…  ${state.padEnd(7)}  ${key.scopes.join(',')}  ${key.name}`);
          }
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
      });
      return 0;
    },
  },
  {
    name: 'api-key revoke',
    summary: 'Revoke an API key',
    usage: '<key id>',
    async run(globals, { positionals }, io) {
      const id = text(positionals[0], 'id (positional)');
      await withKernel(globals, (preloop) => preloop.identity.apiKeys.revoke(preloop.accountId, id));
      io.out(`Revoked ${id}.`);
      return 0;
    },
  },
  {
    name: 'rotate-key',
    summary:
      'After changing PRELOOP_SECRET_KEY (old one in PRELOOP_PREVIOUS_SECRET_KEYS): re-wrap every secret and re-sign audit checkpoints with the new key',
    async run(globals, _args, io) {
      const previous = (process.env.PRELOOP_PREVIOUS_SECRET_KEYS ?? '')
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean);
      if (previous.length === 0)
        throw new PreloopError(
          'VALIDATION_ERROR',
          'set PRELOOP_PREVIOUS_SECRET_KEYS to the old key(s), comma-separated, and PRELOOP_SECRET_KEY to the new one',
        );
      const setup = resolveLocalSetup({ databaseUrl: globals.database });
      const preloop = await createPreloop({
        database: setup.databaseUrl,
        secretKey: setup.secretKey,
        previousSecretKeys: previous,
        logger: createLogger({ level: 'warn' }),
      });
      try {
        const { rewrapped } = await preloop.secrets.rotate();
        const { resigned } = await preloop.audit.rotate();
        io.out(
          `Re-wrapped ${rewrapped} secret(s) and re-signed ${resigned} audit checkpoint(s) with the new key. The old key is no longer needed.`,
        );
      } finally {
        await preloop.close();
      }
      return 0;
    },
  },
  {
    name: 'audit verify',
    summary:
      'Verify the audit trail’s hash chain, signed checkpoints (one per full interval) and, with --anchor, the checkpoints exported outside the database; exits 1 naming the first break',
    usage: '[--anchor file:<path.jsonl>] [--checkpoint-every <n>] [--account <id>]',
    async run(globals, { flags }, io) {
      const anchorFile = flags.anchor === undefined ? null : anchorPath(flags.anchor);
      const every = flags['checkpoint-every'] === undefined ? undefined : Number(flags['checkpoint-every']);
      if (every !== undefined && !(Number.isSafeInteger(every) && every >= 0)) {
        throw new PreloopError('VALIDATION_ERROR', '--checkpoint-every must be a whole number of records (0 skips the interval check)');
      }
      const anchor = anchorFile === null ? undefined : await readAnchorFile(anchorFile);
      const report = await withKernel(globals, (preloop) =>
        preloop.audit.verify(typeof flags.account === 'string' ? flags.account : preloop.accountId, {
          checkpointEvery: every ?? preloop.options.auditCheckpointEvery,
          ...(anchor ? { anchor } : {}),
          onProgress: (checked: number) => {
            if (checked > 0 && checked % 10_000 === 0) io.err(`  checked ${checked} records…`);
          },
        }),
      );
      if (report.ok) {
        const anchored = report.anchored === undefined ? '' : `, ${report.anchored} anchored checkpoints matched`;
        io.out(`Audit trail intact: ${report.records} records, ${report.checkpoints} signed checkpoints verified${anchored}.`);
        return 0;
      }
      const broken = report.firstBroken!;
      io.err(
        `Audit trail BROKEN at record #${broken.seq}${broken.id ? ` (${broken.id})` : ''}: ${broken.reason}. ${broken.message}`.trim(),
      );
      return 1;
    },
  },
  hookCommand,
];

/** The file of `--anchor file:<path>` (the only anchor the CLI reads; other sinks are read by their own tools). */
function anchorPath(value: string | boolean | undefined): string {
  if (typeof value !== 'string' || !value.startsWith('file:') || value.length === 'file:'.length) {
    throw new PreloopError(
      'VALIDATION_ERROR',
      '--anchor must be file:<path> of a JSONL anchor file (for example file:/mnt/anchor/audit.jsonl)',
    );
  }
  return value.slice('file:'.length);
}
