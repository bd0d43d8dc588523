import { readFile } from 'node:fs/promises';
import { PreloopError } from '../errors.js';
import { killSwitchScopes, type KillSwitchScope } from '../governance/kill-switch.js';
import { compilePolicy, parsePolicyDocument, runPolicyTests } from '../policy/index.js';
import { withKernel } from './cli-context.js';
import type { CliCommand } from './commands.js';

const cliActor = { type: 'system' as const, name: 'preloop cli' };

const readPolicyFile = async (file: string | undefined): Promise<string> => {
  if (!file) throw new PreloopError('VALIDATION_ERROR', 'a policy file path is required');
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    throw new PreloopError('VALIDATION_ERROR', `cannot read ${file}: ${(cause as Error).message}`, { cause });
  }
};

const printIssues = (error: unknown, err: (line: string) => void): number => {
  if (error instanceof PreloopError && error.code === 'VALIDATION_ERROR') {
    const details = error.details as { issues?: { message: string; line?: number }[] } | { message: string; line?: number }[] | undefined;
    const issues = Array.isArray(details) ? details : details?.issues;
    if (issues?.length)
      for (const issue of issues) err(`  ${issue.line ? `line ${issue.line}: ` : ''}${issue.message.replace(/ \(line \d+\)$/, '')}`);
    else err(`  ${error.message}`);
    return 1;
  }
  throw error;
};

const parseScopes = (value: unknown): KillSwitchScope[] | undefined => {
  if (typeof value !== 'string') return undefined;
  const scopes = value.split(',').map((s) => s.trim());
  for (const scope of scopes) {
    if (!killSwitchScopes.includes(scope as KillSwitchScope))
      throw new PreloopError('VALIDATION_ERROR', `--scopes: "${scope}" is not one of ${killSwitchScopes.join(', ')}`);
  }
  return scopes as KillSwitchScope[];
};

/** `preloop policy …` and `preloop kill-switch …`. */
export const policyCommands: CliCommand[] = [
  {
    name: 'policy validate',
    summary: 'Validate a policy file (YAML or JSON) and run its embedded tests, offline',
    usage: '<file>',
    async run(_globals, { positionals }, io) {
      try {
        const report = runPolicyTests(compilePolicy(parsePolicyDocument(await readPolicyFile(positionals[0]))));
        io.out(`Valid. ${report.passed} test(s) passed, ${report.failed.length} failed.`);
        for (const failure of report.failed)
          io.err(
            `  FAIL ${failure.name}: expected ${failure.expected}, got ${failure.actual}${failure.reason ? ` (${failure.reason})` : ''}`,
          );
        return report.failed.length ? 1 : 0;
      } catch (error) {
        io.err('Invalid policy:');
        return printIssues(error, io.err);
      }
    },
  },
  {
    name: 'policy test',
    summary: 'Run the test cases of a policy file; exits 1 on a miss',
    usage: '<file>',
    async run(globals, args, io) {
      return policyCommands[0]!.run(globals, args, io);
    },
  },
  {
    name: 'policy apply',
    summary: 'Apply a policy file as the new active version (nothing changes if it is invalid or a test fails)',
    usage: '<file> [--comment <text>]',
    async run(globals, { positionals, flags }, io) {
      const text = await readPolicyFile(positionals[0]);
      try {
        const version = await withKernel(globals, (preloop) =>
          preloop.governance.policies.apply(
            preloop.accountId,
            text,
            cliActor,
            typeof flags.comment === 'string' ? flags.comment : undefined,
          ),
        );
        io.out(`Applied policy version ${version.version}.`);
        return 0;
      } catch (error) {
        io.err('Policy not applied:');
        return printIssues(error, io.err);
      }
    },
  },
  {
    name: 'policy versions',
    summary: 'List policy versions',
    async run(globals, _args, io) {
      const versions = await withKernel(globals, (preloop) => preloop.governance.policies.versions(preloop.accountId));
      for (const v of versions) io.out(`${v.active ? '*' : ' '} v${v.version}  ${new Date(v.createdAt).toISOString()}  ${v.comment ?? ''}`);
      return 0;
    },
  },
  {
    name: 'policy diff',
    summary: 'Diff the active version against a file, or two versions',
    usage: '[<file>] [--from <version>] [--to <version>]',
    async run(globals, { positionals, flags }, io) {
      const text = positionals[0] ? await readPolicyFile(positionals[0]) : undefined;
      const diff = await withKernel(globals, async (preloop) => {
        const from = flags.from ? Number(flags.from) : (await preloop.governance.policies.active(preloop.accountId)).version;
        const to = text ?? (flags.to ? Number(flags.to) : undefined);
        if (to === undefined) throw new PreloopError('VALIDATION_ERROR', 'give a file or --to <version>');
        return preloop.governance.policies.diff(preloop.accountId, from, to);
      });
      io.out(diff || '(no differences)');
      return 0;
    },
  },
  {
    name: 'policy rollback',
    summary: 'Make an earlier version active again',
    usage: '<version>',
    async run(globals, { positionals }, io) {
      const version = Number(positionals[0]);
      if (!Number.isInteger(version) || version < 1) throw new PreloopError('VALIDATION_ERROR', 'a version number is required');
      const applied = await withKernel(globals, (preloop) => preloop.governance.policies.rollback(preloop.accountId, version, cliActor));
      io.out(`Rolled back to v${version} as version ${applied.version}.`);
      return 0;
    },
  },
  {
    name: 'policy export',
    summary: 'Print the active policy',
    usage: '[--format yaml|json] [--version <n>]',
    async run(globals, { flags }, io) {
      const format = flags.format === 'json' ? 'json' : 'yaml';
      io.out(
        await withKernel(globals, (preloop) =>
          preloop.governance.policies.export(preloop.accountId, format, flags.version ? Number(flags.version) : undefined),
        ),
      );
      return 0;
    },
  },
  {
    name: 'policy simulate',
    summary: 'What would happen to a call, without running it',
    usage: '--tool <name> [--args <json>] [--api-key <id>] [--agent <id>] [--team <id>] [--read-only]',
    async run(globals, { flags }, io) {
      if (typeof flags.tool !== 'string') throw new PreloopError('VALIDATION_ERROR', '--tool is required');
      let args: Record<string, unknown> = {};
      try {
        args = typeof flags.args === 'string' ? (JSON.parse(flags.args) as Record<string, unknown>) : {};
      } catch {
        throw new PreloopError('VALIDATION_ERROR', '--args must be a JSON object');
      }
      const result = await withKernel(globals, async (preloop) => {
        const subject = {
          type: (flags.agent ? 'agent' : 'api_key') as 'agent' | 'api_key',
          id: String(flags['api-key'] ?? flags.agent ?? 'simulated'),
          accountId: preloop.accountId,
          name: 'simulated subject',
          role: null,
          userId: null,
          apiKeyId: typeof flags['api-key'] === 'string' ? flags['api-key'] : null,
          agentId: typeof flags.agent === 'string' ? flags.agent : null,
          runtimeSessionId: null,
          teamIds: typeof flags.team === 'string' ? [flags.team] : [],
          scopes: [],
        };
        const input = { subject, tool: { name: flags.tool as string, readOnly: flags['read-only'] === true }, args };
        return {
          visible: await preloop.governance.isToolVisible(subject, input.tool.name),
          decision: await preloop.governance.evaluateToolCall(input),
        };
      });
      io.out(JSON.stringify(result, null, 2));
      return 0;
    },
  },
  {
    name: 'kill-switch on',
    summary: 'Stop tools, models and/or flows account-wide, on every instance',
    usage: '--reason <text> [--scopes tools,models,flows]',
    async run(globals, { flags }, io) {
      if (typeof flags.reason !== 'string' || !flags.reason) throw new PreloopError('VALIDATION_ERROR', '--reason is required');
      const scopes = parseScopes(flags.scopes) ?? [...killSwitchScopes];
      const state = await withKernel(globals, (preloop) =>
        preloop.governance.killSwitch.activate(preloop.accountId, scopes, flags.reason as string, cliActor),
      );
      io.out(`Kill switch ON for ${state.active.join(', ')}.`);
      return 0;
    },
  },
  {
    name: 'kill-switch off',
    summary: 'Resume the given scopes (all when omitted)',
    usage: '[--scopes tools,models,flows]',
    async run(globals, { flags }, io) {
      const state = await withKernel(globals, (preloop) =>
        preloop.governance.killSwitch.deactivate(preloop.accountId, parseScopes(flags.scopes), cliActor),
      );
      io.out(state.active.length ? `Kill switch still ON for ${state.active.join(', ')}.` : 'Kill switch OFF.');
      return 0;
    },
  },
  {
    name: 'kill-switch status',
    summary: 'Show the kill switch state',
    async run(globals, _args, io) {
      const state = await withKernel(globals, (preloop) => preloop.governance.killSwitch.state(preloop.accountId));
      io.out(state.active.length ? `ON for ${state.active.join(', ')}: ${state.reason ?? ''}` : 'OFF');
      return 0;
    },
  },
];
