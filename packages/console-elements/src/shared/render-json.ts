import { html, nothing, type TemplateResult } from 'lit';
import type { ArgumentRedaction } from '@preloop/core';
import { redactedText } from './redact.js';

/** A marker the server put inside a string: `[redacted]`, `[redacted:<kind>]`. */
const valueMarker = /(\[redacted(?::[a-z-]+)?\])/;
/** The marker that ends a string the server cut. */
const truncationMarker = /…\[truncated (\d+) bytes; sha256 ([0-9a-f]{64})\]$/;

const reasonTitle: Record<string, string> = {
  'secret-name': 'Hidden by the server: the field’s name names a secret',
  'secret-value': 'Hidden by the server: a credential-shaped value',
};

function renderMarked(value: string, redaction: ArgumentRedaction | undefined): TemplateResult {
  const cut = redaction?.reason === 'truncated' ? truncationMarker.exec(value) : null;
  const text = cut ? value.slice(0, cut.index) : value;
  const parts = text.split(valueMarker);
  const quoted = JSON.stringify(text);
  const body =
    parts.length === 1
      ? quoted
      : html`"${parts.map((part, index) =>
          index % 2 === 1
            ? html`<span class="json-redacted" part="redaction" title=${reasonTitle['secret-value']!}>${part}</span>`
            : JSON.stringify(part).slice(1, -1),
        )}"`;
  const more = cut
    ? html`<span class="json-redacted" part="truncation" title=${`The full value is ${redaction?.bytes ?? '?'} bytes, SHA-256 ${cut[2]}`}>… ${Number(cut[1]).toLocaleString('en-US')} more bytes (sha256 ${cut[2]!.slice(0, 12)}…)</span>`
    : nothing;
  return html`<span class="json-string">${body}</span>${more}`;
}

function render(
  value: unknown,
  indent: string,
  depth: number,
  path: string,
  marks: ReadonlyMap<string, ArgumentRedaction>,
): TemplateResult | string {
  if (value === null) return html`<span class="json-literal">null</span>`;
  if (typeof value === 'boolean') return html`<span class="json-literal">${String(value)}</span>`;
  if (typeof value === 'number') return html`<span class="json-number">${String(value)}</span>`;
  if (typeof value === 'string') {
    const mark = marks.get(path);
    if (value === redactedText) {
      return html`<span class="json-redacted" part=${mark ? 'redaction' : nothing} title=${mark ? (reasonTitle[mark.reason] ?? nothing) : nothing}>${value}</span>`;
    }
    return mark ? renderMarked(value, mark) : html`<span class="json-string">${JSON.stringify(value)}</span>`;
  }
  if (depth > 12) return '…';
  const inner = `${indent}  `;
  const child = (key: string | number) => `${path}\u0000${typeof key === 'number' ? `#${key}` : key}`;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return html`[\n${value.map((item, index) => html`${inner}${render(item, inner, depth + 1, child(index), marks)}${index < value.length - 1 ? ',' : nothing}\n`)}${indent}]`;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return '{}';
    return html`{\n${entries.map(
      ([key, item], index) =>
        html`${inner}<span class="json-key">${JSON.stringify(key)}</span>: ${render(item, inner, depth + 1, child(key), marks)}${index < entries.length - 1 ? ',' : nothing}\n`,
    )}${indent}}`;
  }
  return String(value);
}

/**
 * Pretty-prints a JSON value as highlighted spans (keys, strings, numbers,
 * literals, redacted placeholders) for a `<pre class="json">`. With the
 * server's `redactions` (an approval's `argsRedactions`), the places the
 * server hid or cut are marked (`part="redaction"`, `part="truncation"`)
 * with the reason in their title; nothing is redacted here.
 *
 * @example
 * ```ts
 * html`<pre class="json">${renderJson(approval.args, approval.argsRedactions)}</pre>`;
 * ```
 */
export function renderJson(value: unknown, redactions: readonly ArgumentRedaction[] = []): TemplateResult | string {
  const marks = new Map<string, ArgumentRedaction>();
  for (const redaction of redactions) {
    const key = redaction.path.map((segment) => `\u0000${typeof segment === 'number' ? `#${segment}` : segment}`).join('');
    // A string can be both redacted and cut: the cut is what needs the marker at its end.
    if (!marks.has(key) || redaction.reason === 'truncated') marks.set(key, redaction);
  }
  return render(value, '', 0, '', marks);
}
