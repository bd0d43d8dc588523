import { compilePolicy, createLogger, createPreloop, parsePolicyDocument, evaluateToolCall, type Principal } from '@preloop/core';
import { defineBench, percentile, sampleMicros, type BenchRow } from './harness.js';
// The reference evaluator (every rule in order) is not part of the public API; the bench runs on sources.
import { evaluateToolCallLinear } from '../packages/core/src/policy/evaluate-policy.js';

const subject: Principal = {
  type: 'api_key',
  id: 'key_bench',
  accountId: 'acc_default',
  name: 'bench',
  role: null,
  userId: null,
  apiKeyId: 'key_bench',
  agentId: null,
  runtimeSessionId: null,
  teamIds: ['team_a'],
  scopes: ['mcp'],
};

/**
 * A policy with `count` rules; the call below matches only the last one, so every rule is tried by the
 * linear evaluator. Half carry a CEL condition on the very tool called. With `guarded` (the default) the
 * conditions test a label (`'blocked-N' in args.labels`, which the rule index decides from the args);
 * without, they compare a length (`size(args.title) > N`), which only CEL can decide.
 */
function policyWithRules(count: number, guarded = true): string {
  const rules = Array.from({ length: count - 1 }, (_, index) =>
    index % 2 === 0
      ? `  - name: rule-${index}\n    tool: "server${index}.*"\n    action: deny\n    reason: not this one`
      : `  - name: rule-${index}\n    tool: "github.create_issue"\n    action: deny\n    condition: "${guarded ? `has(args.labels) && 'blocked-${index}' in args.labels` : `size(args.title) > ${1000 + index}`}"`,
  );
  rules.push(
    '  - name: last\n    tool: "github.*"\n    action: require_approval\n    workflow: admins\n    condition: "size(args.title) > 3"',
  );
  return `version: 1
defaults:
  tools: deny
workflows:
  admins:
    approvers: { roles: [owner, admin] }
rules:
${rules.join('\n')}
`;
}

const round = (value: number) => Math.round(value * 100) / 100;

export default defineBench({
  name: 'policy',
  description:
    'Policy decision latency (µs) with 10, 100 and 1,000 rules, compiled once; the worst case (the last rule decides, half the rules have CEL conditions)',
  async run(context) {
    const iterations = context.quick ? 2_000 : 20_000;
    const input = { subject, tool: { name: 'github.create_issue' }, args: { title: 'Crash on start', labels: ['bug'] } };
    const rows: BenchRow[] = [];
    // Same-run baseline: a JSON round trip of the arguments, the least work any decision must do.
    const baseline = await sampleMicros(iterations, () => JSON.parse(JSON.stringify(input.args)));
    rows.push({
      case: 'baseline: JSON round trip of the args',
      rules: 0,
      p50_us: round(percentile(baseline, 50)),
      p99_us: round(percentile(baseline, 99)),
      ratio_p50: 1,
    });
    const ratio = (samples: number[]) => round(percentile(samples, 50) / percentile(baseline, 50));
    const measure = async (label: string, count: number, n: number, evaluate: () => unknown) => {
      for (let i = 0; i < 2_000; i++) evaluate();
      const samples = await sampleMicros(n, evaluate);
      rows.push({
        case: label,
        rules: count,
        p50_us: round(percentile(samples, 50)),
        p99_us: round(percentile(samples, 99)),
        ratio_p50: ratio(samples),
      });
    };
    for (const count of [10, 100, 1000]) {
      const compiled = compilePolicy(parsePolicyDocument(policyWithRules(count)));
      const check = evaluateToolCall(compiled, input);
      if (check.action !== 'require_approval') throw new Error(`unexpected decision ${JSON.stringify(check)}`);
      if (JSON.stringify(evaluateToolCallLinear(compiled, input)) !== JSON.stringify(check))
        throw new Error('the indexed and linear evaluators disagree');
      await measure('evaluateToolCall (pure, indexed)', count, iterations, () => evaluateToolCall(compiled, input));
      await measure('reference: every rule in order (linear)', count, count === 1000 ? iterations / 10 : iterations, () =>
        evaluateToolCallLinear(compiled, input),
      );
      context.log(`${count} rules done`);
    }
    // The index's limit: conditions it cannot decide from the args are evaluated by CEL, one by one.
    const unguarded = compilePolicy(parsePolicyDocument(policyWithRules(1000, false)));
    if (evaluateToolCall(unguarded, input).action !== 'require_approval') throw new Error('unexpected decision (unguarded)');
    await measure('evaluateToolCall, 500 unguarded conditions on the called tool', 1000, iterations / 10, () =>
      evaluateToolCall(unguarded, input),
    );
    // Through the kernel: kill switch + cached active policy + plugin evaluators (none here).
    const preloop = await createPreloop({ database: ':memory:', logger: createLogger({ level: 'silent' }), policy: policyWithRules(100) });
    try {
      for (let i = 0; i < 500; i++) await preloop.governance.evaluateToolCall(input);
      const samples = await sampleMicros(iterations, () => preloop.governance.evaluateToolCall(input));
      rows.push({
        case: 'preloop.governance.evaluateToolCall (kernel, cached)',
        rules: 100,
        p50_us: round(percentile(samples, 50)),
        p99_us: round(percentile(samples, 99)),
        ratio_p50: round(percentile(samples, 50) / percentile(baseline, 50)),
      });
    } finally {
      await preloop.close();
    }
    return {
      rows,
      notes: [
        'Each document is compiled once (globs and CEL parsed once). The linear reference walks the rules in order, so the last-rule case is its worst case; the indexed evaluator tests only the rules whose tool pattern matches the name (exact names, globs by literal prefix, cached per name) and, among those, skips conditions whose `"literal" in args.path` / `args.path == "literal"` term is false for these args.',
        'The unguarded row is the limit of the index: 500 conditions on the called tool that only CEL can decide (`size(args.title) > N`) are each evaluated, so that case stays linear in the number of such rules.',
        'The kernel row adds the kill-switch check and the per-account cache of the compiled active version.',
      ],
    };
  },
});
