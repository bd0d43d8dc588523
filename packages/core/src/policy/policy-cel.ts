/**
 * The CEL environment of policy conditions (built on `@marcbachmann/cel-js`) and
 * the context a condition is evaluated against.
 *
 * Variables:
 * - `args`: the tool call's arguments as sent (`dyn`). JSON numbers are CEL
 *   `double`s, as in CEL's JSON mapping: comparisons with int literals work
 *   (`args.count > 5`), arithmetic needs a double literal (`args.count + 1.0`) or
 *   `int(args.count)`. A missing key is an error (and an error denies the call):
 *   guard optional arguments with `has(args.key)`.
 * - `tool`: `{ name: string, server: string | null, readOnly: bool }`.
 * - `subject`: `{ type, id, name: string, role, userId, agentId, apiKeyId:
 *   string | null, teamIds: list<string> }`.
 * - `session`: `{ id: string, tainted: bool }` for calls made inside a runtime
 *   session, else `null`. `tainted` is true once untrusted content (a result of
 *   a tool marked untrusted) entered the session, for the rest of its life.
 *   Outside a session `session.tainted` is an error (the call is denied): write
 *   `session != null && session.tainted`.
 * - `time`: `{ now: timestamp, hour: int, minute: int, weekday: int }`; `hour`,
 *   `minute` and `weekday` (0 = Sunday … 6 = Saturday) are in UTC, and `now`
 *   offers CEL's timestamp methods (`time.now.getHours("Europe/Berlin")`).
 */
import { Environment } from '@marcbachmann/cel-js';
import type { Principal } from '../identity/principal.js';

/** The longest condition, in characters, a policy may hold. */
export const maximumConditionLength = 4096;

/** The longest the message of a CEL error is, once reduced to one line. */
const maximumMessageLength = 300;

const environment = new Environment({ limits: { maxAstNodes: 2000, maxDepth: 64 } })
  .registerVariable('args', 'dyn', { description: 'The tool call arguments as sent.' })
  .registerVariable({
    name: 'tool',
    schema: { name: 'string', server: 'dyn', readOnly: 'bool' },
  })
  .registerVariable({
    name: 'subject',
    schema: {
      type: 'string',
      id: 'string',
      name: 'string',
      role: 'dyn',
      userId: 'dyn',
      agentId: 'dyn',
      apiKeyId: 'dyn',
      teamIds: 'list<string>',
    },
  })
  .registerVariable('session', 'dyn', { description: 'The runtime session, { id, tainted }, or null.' })
  .registerVariable({
    name: 'time',
    schema: { now: 'dyn', hour: 'int', minute: 'int', weekday: 'int' },
  });

/** The tool as a condition sees it (`tool` in CEL). */
export interface ConditionTool {
  /** Full tool name, for example `github.create_issue`. */
  name: string;
  /** The upstream MCP server or plugin the tool comes from, if known. */
  server: string | null;
  /** True when the tool's own plugin marks it read-only. */
  readOnly: boolean;
}

/** The variables a condition is evaluated against. */
export interface ConditionContext {
  /** The tool call arguments. */
  args: unknown;
  /** The tool being called. */
  tool: ConditionTool;
  /** The caller, reduced to the fields conditions may read. */
  subject: {
    type: string;
    id: string;
    name: string;
    role: string | null;
    userId: string | null;
    agentId: string | null;
    apiKeyId: string | null;
    teamIds: string[];
  };
  /** The runtime session of the call, or null. */
  session: { id: string; tainted: boolean } | null;
  /** The evaluation time: a timestamp plus UTC helpers. */
  time: { now: Date; hour: bigint; minute: bigint; weekday: bigint };
}

/** A condition parsed and type-checked once, evaluated many times. */
export interface CompiledCondition {
  /** The CEL source. */
  readonly expression: string;
  /** The parsed syntax tree (`@marcbachmann/cel-js`), read by the rule index to find argument guards. */
  readonly ast: unknown;
  /** Evaluates the condition; throws on CEL runtime errors. */
  evaluate(context: ConditionContext): unknown;
}

/** The outcome of {@link compileCondition}. */
export type ConditionCompileResult = { ok: true; condition: CompiledCondition } | { ok: false; message: string };

/**
 * Reduces any error thrown by the CEL library (whose messages hold a multi-line
 * source excerpt) to one line: the summary and the column.
 *
 * @example
 * ```ts
 * celErrorMessage(error); // 'Unexpected token: EOF (column 4)'
 * ```
 */
export function celErrorMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error).slice(0, maximumMessageLength);
  const withSummary = error as Error & { summary?: unknown; range?: { start?: unknown } };
  const summary = typeof withSummary.summary === 'string' ? withSummary.summary : (error.message.split('\n')[0] ?? '');
  const start = withSummary.range?.start;
  const where = typeof start === 'number' ? ` (column ${start + 1})` : '';
  return `${summary}${where}`.slice(0, maximumMessageLength);
}

/**
 * Parses and type-checks a CEL condition. It fails when the expression does not
 * parse, names an unknown variable or field, mistypes an operation, or cannot
 * return a bool.
 *
 * @example
 * ```ts
 * const result = compileCondition('args.repo == "acme/api"');
 * if (result.ok) result.condition.evaluate(context); // true or false
 * ```
 */
export function compileCondition(expression: string): ConditionCompileResult {
  if (expression.length > maximumConditionLength) {
    return { ok: false, message: `is longer than ${maximumConditionLength} characters` };
  }
  try {
    const parsed = environment.parse(expression);
    const checked = parsed.check();
    if (!checked.valid) return { ok: false, message: celErrorMessage(checked.error) };
    if (checked.type !== 'bool' && checked.type !== 'dyn') {
      return { ok: false, message: `must evaluate to a bool, but evaluates to ${checked.type}` };
    }
    const condition: CompiledCondition = Object.freeze({
      expression,
      ast: parsed.ast,
      evaluate: (context: ConditionContext): unknown => parsed(context as unknown as Record<string, unknown>),
    });
    return { ok: true, condition };
  } catch (error) {
    return { ok: false, message: celErrorMessage(error) };
  }
}

/**
 * Builds the condition context of one tool call. `time` is epoch milliseconds;
 * `session` says whether the subject's runtime session is tainted (ignored
 * when the subject has no runtime session). @default session `{ tainted: false }`
 *
 * @example
 * ```ts
 * const context = createConditionContext(principal, { name: 'github.merge', server: 'github', readOnly: false }, { pr: 7 }, Date.now());
 * ```
 */
export function createConditionContext(
  subject: Principal,
  tool: ConditionTool,
  args: unknown,
  time: number,
  session: { tainted: boolean } = { tainted: false },
): ConditionContext {
  const now = new Date(time);
  return {
    args,
    tool,
    subject: {
      type: subject.type,
      id: subject.id,
      name: subject.name,
      role: subject.role,
      userId: subject.userId,
      agentId: subject.agentId,
      apiKeyId: subject.apiKeyId,
      teamIds: [...subject.teamIds],
    },
    session: subject.runtimeSessionId === null ? null : { id: subject.runtimeSessionId, tainted: session.tainted === true },
    time: {
      now,
      hour: BigInt(now.getUTCHours()),
      minute: BigInt(now.getUTCMinutes()),
      weekday: BigInt(now.getUTCDay()),
    },
  };
}
