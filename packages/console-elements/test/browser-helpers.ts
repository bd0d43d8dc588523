/**
 * Helpers of the browser tests (they run in Chromium): the seed from the global
 * setup, clients for the seeded principals, mounting elements, and waiting.
 */
import { inject } from 'vitest';
// The typings of `inject('preloop')` and of the browser commands (module augmentations).
import type {} from './browser-commands.js';
import type {} from './test-seed.js';
import { defineElements } from '../src/define/define-elements.js';
import { PreloopClient } from '../src/client/preloop-client.js';

defineElements();

/** What the global setup seeded. */
export const seed = inject('preloop');

/** A client on the test page's origin (proxied to the kernel) with the owner's admin API key. */
export function ownerClient(): PreloopClient {
  return new PreloopClient({ token: seed.owner.key });
}

/** A client with the viewer's read-only key. */
export function viewerClient(): PreloopClient {
  return new PreloopClient({ token: seed.viewer.key });
}

const mounted = new Set<HTMLElement>();

/**
 * Creates `tag` with `properties`, appends it to the document, and waits for its first render.
 *
 * @example
 * ```ts
 * const agents = await mount('preloop-agents', { client: ownerClient() });
 * ```
 */
export async function mount<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  properties: Partial<HTMLElementTagNameMap[K]> = {},
  attributes: Record<string, string> = {},
  parent: HTMLElement = document.body,
): Promise<HTMLElementTagNameMap[K]> {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  Object.assign(element, properties);
  parent.append(element);
  mounted.add(element);
  await (element as unknown as { updateComplete: Promise<unknown> }).updateComplete;
  return element;
}

/** Removes everything `mount` added. */
export function unmountAll(): void {
  for (const element of mounted) element.remove();
  mounted.clear();
}

/**
 * Polls `check` until it returns something truthy (or stops throwing), then returns it.
 *
 * @example
 * ```ts
 * const row = await waitFor(() => query(element, 'tr[data-id]'));
 * ```
 */
export async function waitFor<T>(
  check: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  options: { timeout?: number; message?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeout ?? 8000);
  let lastError: unknown = null;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `Timed out waiting: ${options.message ?? check.toString().slice(0, 160)}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
}

/** The first element matching `selector` in `host`'s shadow root (searching nested shadow roots too). */
export function query<T extends Element = HTMLElement>(host: Element | null | undefined, selector: string): T | null {
  return queryAll<T>(host, selector)[0] ?? null;
}

/** Every element matching `selector` in `host`'s shadow root (or, for an element without one, its children) and the shadow roots below it, in document order. */
export function queryAll<T extends Element = HTMLElement>(host: Element | null | undefined, selector: string): T[] {
  const found: T[] = [];
  const visit = (root: ShadowRoot | Element) => {
    for (const element of root.querySelectorAll('*')) {
      if (element.matches(selector)) found.push(element as T);
      if (element.shadowRoot) visit(element.shadowRoot);
    }
  };
  if (host) visit(host.shadowRoot ?? host);
  return found;
}

/** The rendered text of `element` (shadow DOM included), whitespace collapsed. */
export function textOf(element: Element | null | undefined): string {
  if (!element) return '';
  const hasShadowInside = (node: Element) => node.shadowRoot !== null || [...node.querySelectorAll('*')].some((child) => child.shadowRoot);
  const collect = (node: Node): string => {
    if (node.nodeType === Node.TEXT_NODE) return node.textContent ?? '';
    if (!(node instanceof Element)) return '';
    if (node instanceof HTMLElement && !hasShadowInside(node)) return node.innerText || node.textContent || '';
    const children = node.shadowRoot ? [...node.shadowRoot.childNodes] : [...node.childNodes];
    return children.map(collect).join(' ');
  };
  return collect(element).replace(/\s+/g, ' ').trim();
}

/** Clicks a button in `host`'s shadow DOM by its visible text. */
export function clickButton(host: Element, text: string | RegExp): HTMLButtonElement {
  const button = queryAll<HTMLButtonElement>(host, 'button').find((candidate) =>
    typeof text === 'string' ? textOf(candidate) === text : text.test(textOf(candidate)),
  );
  if (!button) throw new Error(`No button "${String(text)}" in <${host.localName}>`);
  button.click();
  return button;
}

/** Sets an input's value and fires `input` and `change`, as typing would. */
export function type(input: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement, value: string): void {
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  input.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
}
