import { html, nothing, type TemplateResult } from 'lit';
import { redactedText } from './redact.js';

function render(value: unknown, indent: string, depth: number): TemplateResult | string {
  if (value === null) return html`<span class="json-literal">null</span>`;
  if (typeof value === 'boolean') return html`<span class="json-literal">${String(value)}</span>`;
  if (typeof value === 'number') return html`<span class="json-number">${String(value)}</span>`;
  if (typeof value === 'string') {
    return value === redactedText ? html`<span class="json-redacted">${value}</span>` : html`<span class="json-string">${JSON.stringify(value)}</span>`;
  }
  if (depth > 12) return '…';
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return html`[\n${value.map((item, index) => html`${inner}${render(item, inner, depth + 1)}${index < value.length - 1 ? ',' : nothing}\n`)}${indent}]`;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return '{}';
    return html`{\n${entries.map(
      ([key, item], index) => html`${inner}<span class="json-key">${JSON.stringify(key)}</span>: ${render(item, inner, depth + 1)}${index < entries.length - 1 ? ',' : nothing}\n`,
    )}${indent}}`;
  }
  return String(value);
}

/**
 * Pretty-prints a JSON value as highlighted spans (keys, strings, numbers,
 * literals, redacted placeholders) for a `<pre class="json">`.
 *
 * @example
 * ```ts
 * html`<pre class="json">${renderJson({ repo: 'acme/api', force: true })}</pre>`;
 * ```
 */
export function renderJson(value: unknown): TemplateResult | string {
  return render(value, '', 0);
}
