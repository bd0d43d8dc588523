import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from './compile-policy.js';
import { defaultPolicy } from './default-policy.js';
import { parsePolicyDocument } from './policy-document.js';
import { runPolicyTests } from './policy-tests.js';

const guide = readFileSync(new URL('../../../../docs/policy-guide.md', import.meta.url), 'utf8');

/** Every ```yaml block of the guide, with the line it starts on. */
const blocks = [...guide.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((match) => ({
  text: match[1],
  line: guide.slice(0, match.index).split('\n').length,
}));

describe('docs/policy-guide.md', () => {
  it('has YAML examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(5);
  });

  it.each(blocks)('the example at line $line parses, compiles and passes its own tests', ({ text }) => {
    const document = parsePolicyDocument(text);
    expect(document.tests?.length ?? 0).toBeGreaterThan(0);
    const report = runPolicyTests(compilePolicy(document));
    expect(report.failed).toEqual([]);
    expect(report.passed).toBe(document.tests?.length);
  });

  it('shows the shipped default policy exactly', () => {
    const documents = blocks.map(({ text }) => parsePolicyDocument(text));
    expect(documents).toContainEqual(defaultPolicy);
  });
});
