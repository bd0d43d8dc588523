import { unsafeStatic, type StaticValue } from 'lit/static-html.js';

/**
 * The tag an element class is registered under in `customElements`. When a
 * container renders a child element, it asks for the child's tag this way, so
 * a host that registered the child under its own name (`acme-approval-card`)
 * gets its name used; a class nobody registered yet is registered under its
 * default tag, or `<default>-2`, `-3`… when another element holds that name.
 *
 * @example
 * ```ts
 * const tag = elementTag(PreloopApprovalCard, 'preloop-approval-card'); // "preloop-approval-card"
 * ```
 */
export function elementTag(element: CustomElementConstructor, defaultTag: string): string {
  const registry = globalThis.customElements;
  if (!registry) return defaultTag;
  const registered = registry.getName(element);
  if (registered) return registered;
  let tag = defaultTag;
  for (let suffix = 2; registry.get(tag); suffix++) tag = `${defaultTag}-${suffix}`;
  registry.define(tag, element);
  return tag;
}

const staticTags = new Map<string, StaticValue>();

/**
 * The static tag value of {@link elementTag}, for `lit/static-html.js` templates.
 *
 * @example
 * ```ts
 * const card = staticTag(PreloopApprovalCard, 'preloop-approval-card');
 * return html`<${card} .approval=${approval}></${card}>`;
 * ```
 */
export function staticTag(element: CustomElementConstructor, defaultTag: string): StaticValue {
  const tag = elementTag(element, defaultTag);
  let value = staticTags.get(tag);
  if (!value) staticTags.set(tag, (value = unsafeStatic(tag)));
  return value;
}
