/**
 * Credential shapes recognized inside any string, wherever they appear: our
 * own `plk_` API keys, OpenAI `sk-…`, Anthropic `sk-ant-…`, GitHub
 * `ghp_/gho_/ghu_/ghs_/ghr_/github_pat_…`, GitLab `glpat-…`, Slack
 * `xox[abposer]-…`, AWS `AKIA…`/`ASIA…`, Google `AIza…`, Stripe
 * `sk_live_…`, JWTs, `Bearer`/`Basic`/`Token` credentials, PEM private keys
 * and passwords inside URLs. The audit trail and approval views share these.
 *
 * @module
 */

/** What kind of credential a pattern found; it names the marker, for example `[redacted:jwt]`. */
export type SecretValueKind = 'private-key' | 'jwt' | 'bearer' | 'api-key' | 'url-password';

interface SecretPattern {
  kind: SecretValueKind;
  pattern: RegExp;
  replacement: string;
}

const patterns: readonly SecretPattern[] = [
  {
    kind: 'private-key',
    pattern: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g,
    replacement: '[redacted:private-key]',
  },
  // The lookbehind keeps this linear: a match can only start where a run of token characters starts.
  { kind: 'jwt', pattern: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, replacement: '[redacted:jwt]' },
  { kind: 'bearer', pattern: /\b(Bearer|Basic|Token)\s+(?!\[redacted)[A-Za-z0-9._~+/=-]{8,}/gi, replacement: '$1 [redacted]' },
  { kind: 'api-key', pattern: /\bplk_[A-Za-z0-9_-]{8,}/g, replacement: '[redacted:api-key]' },
  { kind: 'api-key', pattern: /\bsk-ant-[A-Za-z0-9_-]{8,}/g, replacement: '[redacted:api-key]' },
  { kind: 'api-key', pattern: /\bsk-[A-Za-z0-9_-]{16,}/g, replacement: '[redacted:api-key]' },
  {
    kind: 'api-key',
    pattern: /\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{20,})/g,
    replacement: '[redacted:api-key]',
  },
  { kind: 'api-key', pattern: /\bxox[abposer]-[A-Za-z0-9-]{10,}/g, replacement: '[redacted:api-key]' },
  { kind: 'api-key', pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/g, replacement: '[redacted:api-key]' },
  { kind: 'api-key', pattern: /\bAIza[0-9A-Za-z_-]{35}/g, replacement: '[redacted:api-key]' },
  { kind: 'api-key', pattern: /\b(sk|rk|pk)_(live|test)_[A-Za-z0-9]{16,}/g, replacement: '[redacted:api-key]' },
  { kind: 'url-password', pattern: /(\/\/[^\s:/@]+:)(?!\[redacted\]@)[^\s@/]+@/g, replacement: '$1[redacted]@' },
];

/** A cheap first test: a string that matches none of these fragments cannot match any pattern. */
const hint = /eyJ|bearer|basic|token|plk_|sk-|gh[pousr]_|github_pat_|glpat-|xox|AKIA|ASIA|AIza|_live_|_test_|PRIVATE KEY|\/\/[^\s:/@]+:/i;

/** A string with its credentials replaced, and the kinds that were found. */
export interface SecretValueScan {
  text: string;
  /** The kinds found, each once, in pattern order; empty when nothing was replaced. */
  kinds: SecretValueKind[];
}

/**
 * Replaces every credential-shaped substring of `value` with a marker such as
 * `[redacted:api-key]` and says which kinds it found. Runs in linear time.
 *
 * @example
 * ```ts
 * redactSecretValues('use sk-ant-api03-abcdefghijkl please');
 * // { text: 'use [redacted:api-key] please', kinds: ['api-key'] }
 * ```
 */
export function redactSecretValues(value: string): SecretValueScan {
  if (!hint.test(value)) return { text: value, kinds: [] };
  let text = value;
  const kinds: SecretValueKind[] = [];
  for (const { kind, pattern, replacement } of patterns) {
    const next = text.replace(pattern, replacement);
    if (next !== text && !kinds.includes(kind)) kinds.push(kind);
    text = next;
  }
  return { text, kinds };
}
