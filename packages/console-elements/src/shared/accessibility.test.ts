import { commands, page, userEvent } from 'vitest/browser';
import { afterEach, describe, expect, it } from 'vitest';
import { PreloopClient } from '../client/preloop-client.js';
import { axeViolations } from '../../test/axe-check.js';
import { mount, ownerClient, query, queryAll, seed, textOf, type, unmountAll, waitFor } from '../../test/browser-helpers.js';

afterEach(() => {
  unmountAll();
  history.replaceState(null, '', location.pathname + location.search);
});

/** The focused element, looking through shadow roots. */
function deepActiveElement(): Element | null {
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active;
}

/** `top` (with alpha) painted over the opaque `bottom`. */
function composite(top: [number, number, number, number], bottom: [number, number, number, number]): [number, number, number, number] {
  const alpha = top[3];
  return [top[0] * alpha + bottom[0] * (1 - alpha), top[1] * alpha + bottom[1] * (1 - alpha), top[2] * alpha + bottom[2] * (1 - alpha), 1];
}

function ratio(a: number[], b: number[]): number {
  const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (high! + 0.05) / (low! + 0.05);
}

function parseColor(value: string): [number, number, number, number] {
  const numbers = value.match(/[\d.]+/g)!.map(Number);
  if (value.startsWith('color(srgb')) return [numbers[0]! * 255, numbers[1]! * 255, numbers[2]! * 255, numbers[3] ?? 1];
  return [numbers[0]!, numbers[1]!, numbers[2]!, numbers[3] ?? 1];
}

function luminance([r, g, b]: number[]): number {
  const channel = (value: number) => {
    const v = value / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r!) + 0.7152 * channel(g!) + 0.0722 * channel(b!);
}

/** The first opaque background behind `element`, crossing shadow roots. */
function backgroundOf(element: Element): [number, number, number, number] {
  for (let node: Element | null = element; node; node = node.parentElement ?? (node.getRootNode() as ShadowRoot).host ?? null) {
    const color = parseColor(getComputedStyle(node).backgroundColor);
    if (color[3] > 0.95) return color;
  }
  return [255, 255, 255, 1];
}

function contrast(element: Element): number {
  const [a, b] = [luminance(parseColor(getComputedStyle(element).color)), luminance(backgroundOf(element))].sort((x, y) => y - x);
  return (a! + 0.05) / (b! + 0.05);
}

describe('accessibility', () => {
  for (const theme of ['light', 'dark'] as const) {
    it(`keeps text contrast at WCAG AA (4.5:1) in the ${theme} theme`, async () => {
      const agents = await mount('preloop-agents', { client: ownerClient() }, { theme });
      await waitFor(() => query(agents, `tr[data-id="${seed.agents.nightly}"] .badge`));
      const samples = [
        ...queryAll(agents, '.badge'),
        ...queryAll(agents, 'th'),
        ...queryAll(agents, '.secondary-text'),
        ...queryAll(agents, '.page-header p'),
        ...queryAll(agents, 'button.primary'),
        ...queryAll(agents, 'button.danger-outline'),
        ...queryAll(agents, '.tabs button'),
      ];
      expect(samples.length).toBeGreaterThan(10);
      const failing = samples
        .map((element) => ({ text: element.textContent?.trim(), ratio: contrast(element) }))
        .filter((sample) => sample.ratio < 4.5);
      expect(failing).toEqual([]);
    });
  }

  it('gives every form control an accessible name', async () => {
    const settings = await mount('preloop-settings', { client: ownerClient() }, { tab: 'api-keys' });
    const editor = await mount('preloop-policy-editor', { client: ownerClient() });
    const log = await mount('preloop-audit-log', { client: ownerClient() });
    await waitFor(() => query(editor, 'textarea.source') && query(log, '.row'));
    const controls = [settings, editor, log].flatMap((host) => queryAll<HTMLInputElement>(host, 'input, select, textarea'));
    expect(controls.length).toBeGreaterThan(10);
    const unnamed = controls.filter(
      (control) => !(control.labels?.length || control.getAttribute('aria-label') || control.getAttribute('aria-labelledby')),
    );
    expect(unnamed.map((control) => control.outerHTML.slice(0, 80))).toEqual([]);
  });

  it('works from the keyboard: rows take focus and open with Enter', async () => {
    const log = await mount('preloop-audit-log', { client: ownerClient() });
    const row = await waitFor(() => query<HTMLElement>(log, '.row'));
    row.focus();
    expect(log.shadowRoot!.activeElement).toBe(row);
    row.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
    await waitFor(() => query(log, '[part="detail"]'));
    expect(getComputedStyle(row).boxShadow === 'none' ? 'no ring' : 'ring').toBe('ring');
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`draws focus rings at 3:1 or more against what surrounds them (WCAG 1.4.11), ${theme} theme`, async () => {
      const agents = await mount('preloop-agents', { client: ownerClient() }, { theme });
      await waitFor(() => query(agents, `tr[data-id="${seed.agents.nightly}"]`));
      const controls = [
        query<HTMLElement>(agents, 'button.primary')!,
        query<HTMLElement>(agents, '.tabs button')!,
        queryAll<HTMLElement>(agents, 'input, select').find((control) => control.checkVisibility()),
      ].filter(Boolean) as HTMLElement[];
      expect(controls.length).toBeGreaterThanOrEqual(2);
      for (const control of controls) {
        control.focus();
        // Buttons ease their ring in: read it once the transition is over.
        await Promise.all(control.getAnimations().map((animation) => animation.finished));
        const shadow = getComputedStyle(control).boxShadow;
        expect(shadow, `${control.outerHTML.slice(0, 60)} shows a ring`).not.toBe('none');
        // The outermost ring's colour, over the background around the control.
        const ring = parseColor(shadow.match(/(rgba?|color)\([^)]*\)/g)!.at(-1)!);
        const around = backgroundOf(control.parentElement ?? control);
        expect(
          ratio(composite(ring, around), around),
          `${control.localName}.${control.className} ${shadow} on ${String(around)}`,
        ).toBeGreaterThanOrEqual(3);
      }
    });
  }

  it('lets a keyboard user skip the navigation: the first Tab reaches "Skip to content", which moves focus into the main content', async () => {
    await new PreloopClient().auth.login(seed.owner.email, seed.owner.password);
    const element = await mount('preloop-console', { client: new PreloopClient() }, { routing: 'none' });
    await waitFor(() => query(element, 'preloop-dashboard'));
    (document.activeElement as HTMLElement | null)?.blur();
    await userEvent.keyboard('{Tab}');
    const skip = deepActiveElement() as HTMLAnchorElement;
    expect(textOf(skip)).toBe('Skip to content');
    expect(skip.getBoundingClientRect().top).toBeGreaterThanOrEqual(0);
    await userEvent.keyboard('{Enter}');
    expect(deepActiveElement()?.localName).toBe('main');
    // The next Tab lands inside the view, not in the navigation.
    await userEvent.keyboard('{Tab}');
    expect(deepActiveElement()?.closest('nav, aside')).toBeNull();
    expect(location.hash).toBe('');
  });

  it("reaches a pending request's Approve button in a few key presses through the skip link (it took 15 Tabs through the navigation)", async () => {
    // A desktop-wide console, where the navigation is a sidebar in the tab order.
    await page.viewport(1280, 900);
    const call = await commands.callTool('github.create_issue', { repo: 'acme/keyboard', title: 'Reached by keyboard' });
    try {
      await new PreloopClient().auth.login(seed.owner.email, seed.owner.password);
      const element = await mount('preloop-console', { client: new PreloopClient(), route: 'approvals' }, { routing: 'none' });
      const queue = await waitFor(() => query(element, 'preloop-approval-queue'));
      await waitFor(() =>
        queryAll(queue, 'preloop-approval-card').some((card) =>
          textOf(query(card, 'pre[part="arguments"]')).includes('Reached by keyboard'),
        ),
      );
      const onApprove = () => deepActiveElement()?.getAttribute('part') === 'approve';
      /** Key presses from the top of the page to the first Approve button: `first`, then Tabs. */
      const pressesTo = async (first: string[]): Promise<number> => {
        const top = document.createElement('button');
        top.textContent = 'top of the page';
        document.body.prepend(top);
        top.focus();
        top.remove();
        let presses = 0;
        for (const key of first) {
          await userEvent.keyboard(key);
          presses += 1;
        }
        while (!onApprove() && presses < 60) {
          await userEvent.keyboard('{Tab}');
          presses += 1;
        }
        return presses;
      };
      const tabsOnly = await pressesTo([]);
      const throughSkipLink = await pressesTo(['{Tab}', '{Enter}']);
      expect(onApprove()).toBe(true);
      expect(throughSkipLink).toBeLessThanOrEqual(8);
      expect(tabsOnly - throughSkipLink, 'the skip link saves the navigation').toBeGreaterThanOrEqual(8);
    } finally {
      await page.viewport(414, 896);
      const approval = (await ownerClient().approvals.list({ status: 'pending', limit: 100 })).items.find((item) =>
        JSON.stringify(item.args).includes('Reached by keyboard'),
      );
      if (approval) await ownerClient().approvals.decide(approval.id, { decision: 'deny', comment: 'keyboard test done' });
      await commands.toolResult(call);
    }
  });

  it('keeps focus in the console after signing in (not on the page body), and gives the sign-in page a main landmark', async () => {
    await new PreloopClient().auth.logout();
    const element = await mount('preloop-console', { client: new PreloopClient() }, { routing: 'none' });
    const login = await waitFor(() => query(element, 'preloop-login'));
    const landmarks = await axeViolations(document, { rules: ['region', 'landmark-one-main'] });
    expect(landmarks).toEqual([]);
    type(query<HTMLInputElement>(login, 'input[name="email"]')!, seed.owner.email);
    type(query<HTMLInputElement>(login, 'input[name="password"]')!, seed.owner.password);
    const submit = query<HTMLButtonElement>(login, 'button[type="submit"]')!;
    submit.focus();
    await userEvent.keyboard('{Enter}');
    await waitFor(() => query(element, 'preloop-dashboard'));
    await waitFor(() => deepActiveElement() !== document.body && deepActiveElement(), { message: 'focus is somewhere after sign-in' });
    expect(deepActiveElement()?.localName).toBe('main');
  });

  it('keeps focus in the queue after deciding (on the card now in its place), never on the page body', async () => {
    const queue = await mount('preloop-approval-queue', { client: ownerClient() });
    const first = await commands.callTool('github.create_issue', { repo: 'acme/focus', title: 'First of two' });
    const second = await commands.callTool('github.create_issue', { repo: 'acme/focus', title: 'Second of two' });
    const cardWith = (title: string) =>
      queryAll(queue, 'preloop-approval-card').find((card) => textOf(query(card, 'pre[part="arguments"]')).includes(title));
    const card = await waitFor(() => cardWith('First of two'));
    await waitFor(() => cardWith('Second of two'));
    query<HTMLButtonElement>(card, 'button[part="deny"]')!.focus();
    type(query<HTMLTextAreaElement>(card, 'textarea[name="comment"]')!, 'Not now');
    query<HTMLButtonElement>(card, 'button[part="deny"]')!.focus();
    await userEvent.keyboard('{Enter}');
    await waitFor(() => !cardWith('First of two'), { message: 'the decided card leaves' });
    const focused = await waitFor(() => deepActiveElement() !== document.body && deepActiveElement());
    expect(focused.localName).toBe('preloop-approval-card');
    expect(focused.closest('button')).toBeNull();
    // Clean up: deny the second one too; again focus stays in the queue.
    const other = cardWith('Second of two')!;
    query<HTMLButtonElement>(other, 'button[part="deny"]')!.focus();
    await userEvent.keyboard('{Enter}');
    await waitFor(() => !cardWith('Second of two'));
    await waitFor(() => deepActiveElement() !== document.body && deepActiveElement());
    await commands.toolResult(first);
    await commands.toolResult(second);
  });
});
