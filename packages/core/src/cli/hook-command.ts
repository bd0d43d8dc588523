/**
 * `preloop hook`: the command hook of an agent (Claude Code and Codex
 * `PreToolUse`; see docs/permission-checks.md). It reads the hook JSON on
 * stdin, asks the server (`POST /api/v1/agents/permission-check`) and prints
 * the decision JSON on stdout, exit code 0, always: a deny is a JSON deny,
 * which both agents apply (an exit code or empty output other than that may
 * let the call through).
 *
 * Fail closed: a server that cannot be reached, a timeout, an answer that is
 * not a 200 with the expected JSON, a bad configuration or unreadable input
 * all print a deny. `PRELOOP_HOOK_FAIL_OPEN=transport` opts in to failing
 * open for transport errors only (no HTTP answer at all: refused connection,
 * unknown host, timeout): the hook then prints nothing and the agent's own
 * permission rules decide, as if there were no hook.
 *
 * @module
 */

import { text as readAll } from 'node:stream/consumers';
import { z } from 'zod';
import type { CliCommand } from './commands.js';

/** The environment `preloop hook` reads. */
export interface HookEnvironment {
  /** The server's base URL, for example `https://preloop.example.com` (`PRELOOP_URL`). */
  PRELOOP_URL?: string;
  /** The agent's API key (`PRELOOP_API_KEY`, or the variable `--key-env` names). */
  PRELOOP_API_KEY?: string;
  /** Seconds the server waits for an approver (`?wait=`). @default '25' */
  PRELOOP_HOOK_WAIT?: string;
  /** The answer when approval is still pending: `deny`, `ask` or `defer` (`?pending=`). @default 'deny' */
  PRELOOP_HOOK_ON_PENDING?: string;
  /** Seconds before the hook gives up on the server (keep it below the agent's hook timeout). @default wait + 5 */
  PRELOOP_HOOK_TIMEOUT?: string;
  /** `transport`: on a transport error print no decision (the agent's own rules decide) instead of a deny. @default unset */
  PRELOOP_HOOK_FAIL_OPEN?: string;
  [name: string]: string | undefined;
}

/** What one hook run prints and exits with. */
export interface HookRun {
  code: number;
  stdout: string;
  stderr: string;
}

const answerSchema = z.strictObject({
  hookSpecificOutput: z.strictObject({
    hookEventName: z.literal('PreToolUse'),
    permissionDecision: z.enum(['allow', 'deny', 'ask', 'defer']),
    permissionDecisionReason: z.string().max(2000),
  }),
});

const deny = (reason: string): HookRun => ({
  code: 0,
  stdout: JSON.stringify({
    hookSpecificOutput: {
      hookEventName: 'PreToolUse',
      permissionDecision: 'deny',
      permissionDecisionReason: `Preloop: ${reason}`.slice(0, 2000),
    },
  }),
  stderr: `preloop hook: ${reason}`,
});

/** A transport error: no HTTP answer at all. */
class TransportError extends Error {}

/**
 * Runs the hook once: `input` is the hook JSON the agent wrote on stdin
 * (Claude Code's and Codex's `PreToolUse`, or Gemini CLI's `BeforeTool`).
 * Never throws; every failure is a deny (or, for a transport error with
 * `PRELOOP_HOOK_FAIL_OPEN=transport`, no decision).
 *
 * @example
 * ```ts
 * const run = await runHook('{"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"ls"}}', process.env);
 * process.stdout.write(run.stdout);
 * ```
 */
export async function runHook(input: string, env: HookEnvironment, options: { keyEnv?: string; url?: string } = {}): Promise<HookRun> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(input);
  } catch {
    // answered below, by `ask`
  }
  // Gemini CLI's `BeforeTool` hands the same fields under another event name; it blocks on exit code 2 with the reason on stderr.
  const gemini =
    typeof parsed === 'object' && parsed !== null && (parsed as { hook_event_name?: unknown }).hook_event_name === 'BeforeTool';
  const run = await ask(gemini ? JSON.stringify({ ...(parsed as object), hook_event_name: 'PreToolUse' }) : input, env, options);
  return gemini ? toGemini(run) : run;
}

/** A decision as Gemini CLI reads it: `{}` and exit 0 lets the call go on (its own rules still apply), exit 2 with the reason on stderr blocks. */
function toGemini(run: HookRun): HookRun {
  if (!run.stdout) return run; // fail-open on a transport error: no decision
  const answer = (JSON.parse(run.stdout) as z.infer<typeof answerSchema>).hookSpecificOutput;
  if (answer.permissionDecision === 'allow') return { code: 0, stdout: '{}', stderr: '' };
  return { code: 2, stdout: '', stderr: answer.permissionDecisionReason };
}

async function ask(input: string, env: HookEnvironment, options: { keyEnv?: string; url?: string }): Promise<HookRun> {
  const failOpen = env.PRELOOP_HOOK_FAIL_OPEN;
  if (failOpen !== undefined && failOpen !== '' && failOpen !== 'transport')
    return deny(`PRELOOP_HOOK_FAIL_OPEN must be "transport" or unset, not "${failOpen.slice(0, 40)}".`);
  const base = options.url ?? env.PRELOOP_URL;
  const keyEnv = options.keyEnv ?? 'PRELOOP_API_KEY';
  const key = env[keyEnv];
  if (!base) return deny('PRELOOP_URL is not set, so the call cannot be checked.');
  if (!key) return deny(`${keyEnv} is not set, so the call cannot be checked.`);
  let url: URL;
  try {
    url = new URL('/api/v1/agents/permission-check', base);
  } catch {
    return deny('PRELOOP_URL is not a URL.');
  }
  const wait = env.PRELOOP_HOOK_WAIT ?? '25';
  if (!/^\d{1,3}$/.test(wait)) return deny('PRELOOP_HOOK_WAIT must be a whole number of seconds.');
  url.searchParams.set('wait', wait);
  if (env.PRELOOP_HOOK_ON_PENDING) url.searchParams.set('pending', env.PRELOOP_HOOK_ON_PENDING);
  const timeoutSeconds = env.PRELOOP_HOOK_TIMEOUT ? Number(env.PRELOOP_HOOK_TIMEOUT) : Number(wait) + 5;
  if (!(timeoutSeconds > 0)) return deny('PRELOOP_HOOK_TIMEOUT must be a positive number of seconds.');
  try {
    JSON.parse(input);
  } catch {
    return deny('the hook input on stdin is not JSON.');
  }

  try {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: input,
        signal: AbortSignal.timeout(timeoutSeconds * 1000),
      });
    } catch (error) {
      const why =
        (error as Error)?.name === 'TimeoutError'
          ? `no answer within ${timeoutSeconds} s`
          : `${(error as Error)?.message ?? 'error'}${(error as { cause?: { code?: string } })?.cause?.code ? ` (${(error as { cause: { code: string } }).cause.code})` : ''}`;
      throw new TransportError(`the server at ${url.origin} could not be reached: ${why}`);
    }
    let body: string;
    try {
      body = await response.text();
    } catch (error) {
      throw new TransportError(`the answer of ${url.origin} was cut off: ${(error as Error)?.message ?? 'error'}`);
    }
    if (response.status !== 200) {
      let message = '';
      try {
        message = String((JSON.parse(body) as { error?: { message?: unknown } }).error?.message ?? '').slice(0, 300);
      } catch {
        // not a JSON error body
      }
      return deny(`the server answered HTTP ${response.status}${message ? `: ${message}` : ''}; the call is denied.`);
    }
    let parsed: z.infer<typeof answerSchema>;
    try {
      parsed = answerSchema.parse(JSON.parse(body));
    } catch {
      return deny('the server’s answer is not a permission decision; the call is denied.');
    }
    return { code: 0, stdout: JSON.stringify(parsed), stderr: '' };
  } catch (error) {
    if (error instanceof TransportError) {
      if (failOpen === 'transport')
        return {
          code: 0,
          stdout: '',
          stderr: `preloop hook: ${error.message}; failing open (PRELOOP_HOOK_FAIL_OPEN=transport): the agent's own permission rules decide.`,
        };
      return deny(`${error.message}; the call is denied.`);
    }
    return deny(`the check failed: ${(error as Error)?.message ?? 'error'}; the call is denied.`);
  }
}

/** `preloop hook`: reads the PreToolUse JSON on stdin, prints the decision JSON, exits 0. */
export const hookCommand: CliCommand = {
  name: 'hook',
  summary: 'PreToolUse hook for Claude Code and Codex: ask the server (PRELOOP_URL, PRELOOP_API_KEY) whether a native tool call may run',
  usage:
    '[--url <server url>] [--key-env <VAR>]  (hook JSON on stdin; env PRELOOP_HOOK_WAIT, PRELOOP_HOOK_ON_PENDING, PRELOOP_HOOK_TIMEOUT, PRELOOP_HOOK_FAIL_OPEN=transport)',
  async run(_globals, { flags }, io) {
    let input = '';
    try {
      input = await readAll(process.stdin);
    } catch {
      input = '';
    }
    const run = await runHook(input, process.env as HookEnvironment, {
      ...(typeof flags['key-env'] === 'string' ? { keyEnv: flags['key-env'] } : {}),
      ...(typeof flags.url === 'string' ? { url: flags.url } : {}),
    });
    if (run.stdout) io.out(run.stdout);
    if (run.stderr) io.err(run.stderr);
    return run.code;
  },
};
