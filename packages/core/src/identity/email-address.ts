/**
 * Email address syntax, as console users need it: a dot-atom local part (RFC
 * 5322, Unicode letters allowed), an `@`, and a host name of one or more labels,
 * so single-label hosts such as `admin@localhost` or `approver2@localhost` are
 * valid (the reference server's first admin is `admin@localhost`). Quoted local
 * parts, comments and IP-literal domains are refused: no mail system a console
 * user needs relies on them.
 *
 * @module
 */

const atom = "[\\p{L}\\p{N}!#$%&'*+/=?^_`{|}~-]+";
const label = '[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]{0,61}[\\p{L}\\p{N}])?';
const pattern = new RegExp(`^${atom}(?:\\.${atom})*@${label}(?:\\.${label})*$`, 'u');

/** Longest accepted email address, in characters (RFC 5321's path limit plus slack, as stored). */
export const maxEmailLength = 320;

/**
 * True when `value` is an email address Preloop accepts: `local@host` where
 * host may be a single label (`localhost`).
 *
 * @example
 * ```ts
 * isEmailAddress('approver2@localhost'); // true
 * isEmailAddress('ada@example.com');     // true
 * isEmailAddress('ada@@example.com');    // false
 * ```
 */
export function isEmailAddress(value: string): boolean {
  return value.length <= maxEmailLength && pattern.test(value);
}
