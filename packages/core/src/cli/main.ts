import { parseArgs } from 'node:util';
import { isPreloopError } from '../errors.js';
import type { CliIo } from './cli-context.js';
import { commands as baseCommands } from './commands.js';
import { policyCommands } from './policy-commands.js';
import { tokenCommand } from './token-command.js';
import { agentsCommands } from './agents/agents-commands.js';
import { flowsCommands } from './flows/flows-commands.js';
import { auditArchiveCommands } from './audit-archive-commands.js';

const commands = [...baseCommands, ...auditArchiveCommands, ...policyCommands, tokenCommand, ...agentsCommands, ...flowsCommands];

/**
 * Runs the `preloop` CLI with `argv` (without the node and script names) and
 * returns the exit code.
 *
 * @example
 * ```ts
 * const code = await runCli(['api-key', 'list', '--database', 'sqlite:./preloop.db']);
 * ```
 */
export async function runCli(argv: string[], io: CliIo = { out: (l) => console.log(l), err: (l) => console.error(l) }): Promise<number> {
  const stringFlags = [
    'database',
    'email',
    'name',
    'role',
    'password',
    'scopes',
    'user',
    'agent',
    'expires-days',
    'comment',
    'from',
    'to',
    'format',
    'version',
    'tool',
    'args',
    'api-key',
    'team',
    'reason',
    'anchor',
    'checkpoint-every',
    'account',
    'url',
    'key-env',
    'session-file',
    'audience',
    'home',
    'hook-command',
    'before',
    'out',
    'public-key',
  ];
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    options: {
      ...Object.fromEntries(stringFlags.map((flag) => [flag, { type: 'string' as const }])),
      help: { type: 'boolean', short: 'h' },
      'read-only': { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      'local-only': { type: 'boolean' },
      'permission-hook': { type: 'boolean' },
      follow: { type: 'boolean' },
      input: { type: 'string', multiple: true },
    },
  });
  const words = positionals;
  const command = [...commands]
    .sort((a, b) => b.name.split(' ').length - a.name.split(' ').length)
    .find((candidate) => candidate.name.split(' ').every((word, index) => words[index] === word));
  if (!command || values.help) {
    io.out('Usage: preloop <command> [--database <url>] [options]\n');
    io.out("The database defaults to DATABASE_URL, else the reference server's SQLite file (.data/preloop.db).\n");
    for (const entry of commands) io.out(`  ${`${entry.name} ${entry.usage ?? ''}`.trim()}\n      ${entry.summary}`);
    return command || values.help ? 0 : words.length ? 2 : 0;
  }
  const rest = words.slice(command.name.split(' ').length);
  try {
    return await command.run(
      { database: typeof values.database === 'string' ? values.database : undefined },
      { positionals: rest, flags: values },
      io,
    );
  } catch (error) {
    io.err(`preloop ${command.name}: ${isPreloopError(error) ? error.message : (error as Error).message}`);
    return 1;
  }
}

const invokedDirectly = process.argv[1] && /cli[\\/]main\.(ts|js)$|preloop(\.mjs)?$/.test(process.argv[1]);
if (invokedDirectly) {
  process.exitCode = await runCli(process.argv.slice(2));
}
