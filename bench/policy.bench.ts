import { compilePolicy, createLogger, createPreloop, parsePolicyDocument, evaluateToolCall, type Principal } from '@preloop/core';
import { defineBench, percentile, sampleMicros, type BenchRow } from './harness.js';

const subject: Principal = {
  type: 'api_key', id: 'key_bench', accountId: 'acc_default', name: 'bench', role: null, userId: null,
  apiKeyId: 'key_bench', agentId: null, runtimeSessionId: null, teamIds: ['team_a'], scopes: ['mcp'],
};

/** A policy with `count` rules; the call below matches only the last one, so every rule is tried. Half carry a CEL condition. */
function policyWithRules(count: number): string {
  const rules = Array.from({ length: count - 1 }, (_, index) =>
    index % 2 === 0
      ? `  - name: rule-${index}\n    tool: "server${index}.*"\n    action: deny\n    reason: not this one`
      : `  - name: rule-${index}\n    tool: "github.create_issue"\n    action: deny\n    condition: "has(args.labels) && 'blocked-${index}' in args.labels"`,
  );
  rules.push('  - name: last\n    tool: "github.*"\n    action: require_approval\n    workflow: admins\n    condition: "size(args.title) > 3"');
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
  description: 'Policy decision latency (µs) with 10, 100 and 1,000 rules, compiled once; the worst case (the last rule decides, half the rules have CEL conditions)',
  async run(context) {
    const iterations = context.quick ? 2_000 : 20_000;
    const input = { subject, tool: { name: 'github.create_issue' }, args: { title: 'Crash on start', labels: ['bug'] } };
    const rows: BenchRow[] = [];
    // Same-run baseline: a JSON round trip of the arguments, the least work any decision must do.
    const baseline = await sampleMicros(iterations, () => JSON.parse(JSON.stringify(input.args)));
    rows.push({ case: 'baseline: JSON round trip of the args', rules: 0, p50_us: round(percentile(baseline, 50)), p99_us: round(percentile(baseline, 99)), ratio_p50: 1 });
    for (const count of [10, 100, 1000]) {
      const compiled = compilePolicy(parsePolicyDocument(policyWithRules(count)));
      const check = evaluateToolCall(compiled, input);
      if (check.action !== 'require_approval') throw new Error(`unexpected decision ${JSON.stringify(check)}`);
      for (let i = 0; i < 500; i++) evaluateToolCall(compiled, input);
      const samples = await sampleMicros(iterations, () => evaluateToolCall(compiled, input));
      rows.push({
        case: 'evaluateToolCall (pure)',
        rules: count,
        p50_us: round(percentile(samples, 50)),
        p99_us: round(percentile(samples, 99)),
        ratio_p50: round(percentile(samples, 50) / percentile(baseline, 50)),
      });
      context.log(`${count} rules done`);
    }
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
        'Each document is compiled once (globs and CEL parsed once); a decision walks the rules in order, so the last-rule case is the worst case.',
        'The kernel row adds the kill-switch check and the per-account cache of the compiled active version.',
      ],
    };
  },
});
