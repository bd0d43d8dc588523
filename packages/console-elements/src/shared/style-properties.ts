import { noChange, nothing } from 'lit';
import { Directive, directive, PartType, type ElementPart, type PartInfo } from 'lit/directive.js';

class StylePropertiesDirective extends Directive {
  private previous = new Set<string>();

  constructor(partInfo: PartInfo) {
    super(partInfo);
    if (partInfo.type !== PartType.ELEMENT)
      throw new Error('styleProperties() goes on an element: <div ${styleProperties({ width: "10px" })}>');
  }

  render(_properties: Record<string, string | null | undefined>) {
    return nothing;
  }

  override update(part: ElementPart, [properties]: [Record<string, string | null | undefined>]) {
    const style = (part.element as HTMLElement).style;
    for (const name of this.previous) if (!(name in properties)) style.removeProperty(name);
    for (const [name, value] of Object.entries(properties)) {
      if (value === null || value === undefined) style.removeProperty(name);
      else style.setProperty(name, value);
    }
    this.previous = new Set(Object.keys(properties));
    return noChange;
  }
}

/**
 * Sets inline style properties through the CSSOM, never through a `style`
 * attribute, so it works under a strict Content-Security-Policy (Lit's
 * `styleMap` writes the attribute on first render, which `style-src` without
 * `'unsafe-inline'` blocks). Property names are CSS names (`background-color`).
 *
 * @example
 * ```ts
 * html`<span ${styleProperties({ width: `${percent}%` })}></span>`;
 * ```
 */
export const styleProperties = directive(StylePropertiesDirective);
