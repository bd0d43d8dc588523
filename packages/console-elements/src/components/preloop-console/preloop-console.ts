import { provide } from '@lit/context';
import { initialState, TaskStatus } from '@lit/task';
import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { html as staticHtml } from 'lit/static-html.js';
import type { Me } from '../../client/api-types.js';
import { PreloopApiError } from '../../client/preloop-api-error.js';
import { PreloopClient } from '../../client/preloop-client.js';
import { preloopClientContext } from '../../context/preloop-context.js';
import { staticTag } from '../../define/element-tag.js';
import { type PreloopRouteRequestedEvent, PreloopUserLoggedOutEvent } from '../../events/preloop-events.js';
import { consoleSectionAliases } from '../../shared/console-routes.js';
import { icons } from '../../shared/icons.js';
import { PreloopElement } from '../../shared/preloop-element.js';
import { sharedStyles } from '../../shared/shared-styles.js';
import { themeStyles } from '../../shared/theme.js';
import { PreloopAgents } from '../preloop-agents/preloop-agents.js';
import { PreloopApprovalQueue } from '../preloop-approval-queue/preloop-approval-queue.js';
import { PreloopAuditLog } from '../preloop-audit-log/preloop-audit-log.js';
import { PreloopDashboard } from '../preloop-dashboard/preloop-dashboard.js';
import { PreloopLogin } from '../preloop-login/preloop-login.js';
import { PreloopMcpServers } from '../preloop-mcp-servers/preloop-mcp-servers.js';
import { PreloopModels } from '../preloop-models/preloop-models.js';
import { PreloopSessions } from '../preloop-sessions/preloop-sessions.js';
import { PreloopIssues } from '../preloop-issues/preloop-issues.js';
import { PreloopFlows } from '../preloop-flows/preloop-flows.js';
import { PreloopExecutions } from '../preloop-executions/preloop-executions.js';
import { PreloopSettings } from '../preloop-settings/preloop-settings.js';
import { PreloopUsageChart } from '../preloop-usage-chart/preloop-usage-chart.js';
import { consoleStyles } from './preloop-console.styles.js';

/** One entry of the console's navigation. */
interface NavItem {
  route: string;
  label: string;
  icon: TemplateResult | unknown;
  section?: string;
}

const navigation: NavItem[] = [
  { route: 'dashboard', label: 'Dashboard', icon: icons.dashboard },
  { route: 'approvals', label: 'Approvals', icon: icons.approvals },
  { route: 'sessions', label: 'Sessions', icon: icons.sessions },
  { route: 'agents', label: 'Agents', icon: icons.agents },
  { route: 'issues', label: 'Issues', icon: icons.inbox },
  { route: 'flows', label: 'Flows', icon: icons.pulse },
  { route: 'executions', label: 'Executions', icon: icons.clock },
  { route: 'audit', label: 'Audit log', icon: icons.audit },
  { route: 'usage', label: 'Usage & spend', icon: icons.usage, section: 'Gateway' },
  { route: 'models', label: 'Models', icon: icons.models },
  { route: 'mcp-servers', label: 'MCP servers', icon: icons.mcp },
  { route: 'settings', label: 'Settings', icon: icons.settings, section: 'Administration' },
];

const themeStorageKey = 'preloop-theme';

/**
 * The whole Preloop console: sign-in, an app shell with navigation, and every
 * view (dashboard, approvals, sessions, agents, audit log, usage, models, MCP
 * servers, settings), routed by the URL hash (`#/approvals/<id>` opens one
 * request, which is what notification links use). It provides its client to
 * the views through `@lit/context` once a user is signed in.
 *
 * @summary The whole Preloop console: navigation, sign-in and every view.
 * @fires preloop-user-logged-out - after the user signs out.
 * @csspart sidebar - the navigation column.
 * @csspart content - the view area.
 *
 * @example
 * ```html
 * <preloop-console base-url="https://preloop.internal"></preloop-console>
 * ```
 */
export class PreloopConsole extends PreloopElement {
  static override styles = [themeStyles, sharedStyles, consoleStyles];

  /**
   * The current route, for example `dashboard`, `approvals/apr_1` or `settings/policy`.
   * With `routing="hash"` it follows `location.hash`.
   */
  @property() route = 'dashboard';

  /**
   * `hash`: the route lives in `location.hash` (safe inside any page); `path`: in the URL path below
   * `base-path` (what the server's console page uses, so links like `/approvals/<id>` open the right view);
   * `none`: the host sets `route`. @default 'hash'
   */
  @property() routing: 'hash' | 'path' | 'none' = 'hash';

  /** With `routing="path"`, the path the console is served at. @default '/' */
  @property({ attribute: 'base-path' }) basePath = '/';

  /** Whether the navigation drawer is open (small screens). */
  @property({ type: Boolean, reflect: true, attribute: 'menu-open' }) menuOpen = false;

  @state() private phase: 'checking' | 'anonymous' | 'ready' = 'checking';
  @state() private me: Me | null = null;

  /** The navigation's count of pending approvals (up to 100), once signed in; none when the approvals plugin is not installed. */
  private readonly approvalCountTask = this.loadTask(
    'count pending approvals',
    async (api, [phase], signal) =>
      phase === 'ready'
        ? (await api.route('GET /approvals', { query: { status: 'pending', limit: 100 }, signal })).items.length
        : initialState,
    () => [this.phase] as const,
  );

  @provide({ context: preloopClientContext })
  @state()
  protected providedClient?: PreloopClient;

  private fallbackClient?: PreloopClient;

  constructor() {
    super();
    this.live.on(['approval-created', 'approval-updated', 'reconnected'], () => void this.approvalCountTask.run());
  }

  override get api(): PreloopClient | undefined {
    return super.api ?? (this.fallbackClient ??= new PreloopClient());
  }

  override connectedCallback(): void {
    if (!this.hasAttribute('theme'))
      this.theme = (globalThis.localStorage?.getItem(themeStorageKey) as 'light' | 'dark' | 'auto' | null) ?? 'auto';
    super.connectedCallback();
    if (this.routing !== 'none') {
      window.addEventListener('hashchange', this.onLocationChange);
      window.addEventListener('popstate', this.onLocationChange);
      this.onLocationChange();
    }
    this.addEventListener('preloop-route-requested', this.onRouteRequested);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this.onLocationChange);
    window.removeEventListener('popstate', this.onLocationChange);
    this.removeEventListener('preloop-route-requested', this.onRouteRequested);
  }

  protected override clientChanged(client: PreloopClient): void {
    this.providedClient = undefined;
    void this.checkSession(client);
  }

  protected override updated(changed: PropertyValues): void {
    if (changed.has('route')) this.menuOpen = false;
  }

  /**
   * Shows another view; with hash routing, updates `location.hash` too.
   *
   * @example
   * ```ts
   * consoleElement.navigate('approvals');
   * ```
   */
  navigate(route: string): void {
    const clean = withCurrentSectionName(route.replace(/^[#/]+/, ''));
    if (this.routing === 'hash' && location.hash !== `#/${clean}`) location.hash = `/${clean}`;
    if (this.routing === 'path' && location.pathname !== this.href(clean)) history.pushState(null, '', this.href(clean));
    this.route = clean || 'dashboard';
  }

  private get normalizedBase(): string {
    return `/${this.basePath.replace(/^\/+|\/+$/g, '')}/`.replace(/^\/\/$/, '/');
  }

  private href(route: string): string {
    return this.routing === 'path' ? `${this.normalizedBase}${route}` : `#/${route}`;
  }

  private readonly onLocationChange = () => {
    const hash = location.hash.replace(/^#\/?/, '');
    if (this.routing === 'hash' || hash) {
      this.route = withCurrentSectionName(hash) || 'dashboard';
      return;
    }
    const base = this.normalizedBase;
    const path = location.pathname.startsWith(base) ? location.pathname.slice(base.length) : '';
    this.route = withCurrentSectionName(path.replace(/\/+$/, '')) || 'dashboard';
  };

  private readonly onRouteRequested = (event: PreloopRouteRequestedEvent) => {
    if (event.defaultPrevented) return;
    event.preventDefault();
    this.navigate(event.route);
  };

  private async checkSession(client: PreloopClient): Promise<void> {
    this.phase = 'checking';
    try {
      const me = await client.auth.me();
      if (client !== this.api) return;
      this.me = me;
      this.phase = 'ready';
      this.providedClient = client;
      client.live.resume();
    } catch (error) {
      if (client !== this.api) return;
      if (!(error instanceof PreloopApiError && error.status === 401)) this.reportError('check the session', error);
      this.phase = 'anonymous';
    }
  }

  private get pendingApprovals(): number | null {
    return this.phase === 'ready' && this.approvalCountTask.status !== TaskStatus.ERROR ? (this.approvalCountTask.value ?? null) : null;
  }

  private async logout(): Promise<void> {
    const api = this.api;
    if (!api) return;
    await this.attempt('log out', () => api.auth.logout());
    this.me = null;
    this.providedClient = undefined;
    this.phase = 'anonymous';
    this.dispatchEvent(new PreloopUserLoggedOutEvent());
    await this.focusMain();
  }

  private cycleTheme(): void {
    const order = ['auto', 'light', 'dark'] as const;
    const next = order[(order.indexOf(this.theme ?? 'auto') + 1) % order.length]!;
    this.theme = next;
    globalThis.localStorage?.setItem(themeStorageKey, next);
  }

  override render() {
    if (this.phase === 'checking') return html`<div class="checking" role="status">Loading Preloop…</div>`;
    if (this.phase === 'anonymous') {
      const login = staticTag(PreloopLogin, 'preloop-login');
      return html`<main class="login" tabindex="-1">
        ${staticHtml`<${login} .client=${this.api} @preloop-user-logged-in=${this.onLoggedIn}></${login}>`}
      </main>`;
    }
    const [section] = this.route.split('/');
    const user = this.me?.user;
    const name = user?.name ?? this.me?.principal.name ?? 'Signed in';
    const initials = name
      .split(/\s+/)
      .map((part) => part[0])
      .join('')
      .slice(0, 2)
      .toUpperCase();
    const themeIcon = this.theme === 'dark' ? icons.moon : this.theme === 'light' ? icons.sun : icons.monitor;
    return html`
      <div class="shell">
        <a class="skip-link" href="#content" @click=${this.skipToContent}>Skip to content</a>
        <div class="scrim" @click=${() => (this.menuOpen = false)}></div>
        <aside part="sidebar" aria-label="Preloop">
          <div class="brand">${icons.logo}<span>Preloop</span><span class="edition">Console</span></div>
          <nav aria-label="Console sections">
            ${navigation.map(
              (item) => html`
                ${item.section ? html`<div class="section">${item.section}</div>` : nothing}
                <a href=${this.href(item.route)} aria-current=${section === item.route ? 'page' : nothing} @click=${(event: MouseEvent) => this.follow(event, item.route)}>
                  ${item.icon}<span>${item.label}</span>
                  ${item.route === 'approvals' && this.pendingApprovals ? html`<span class="count" aria-label="${this.pendingApprovals} pending">${this.pendingApprovals}</span>` : nothing}
                </a>
              `,
            )}
          </nav>
          <div class="footer">
            <div class="avatar" aria-hidden="true">${initials}</div>
            <div class="who"><strong>${name}</strong><span>${user?.role ?? this.me?.principal.role ?? ''}</span></div>
            <button class="ghost icon" title="Theme: ${this.theme}" aria-label="Switch theme (now ${this.theme})" @click=${this.cycleTheme}>${themeIcon}</button>
            <button class="ghost icon" title="Sign out" aria-label="Sign out" @click=${this.logout}>${icons.logout}</button>
          </div>
        </aside>
        <main id="content" tabindex="-1">
          <div class="topbar">
            <button class="ghost icon" aria-label="Open navigation" aria-expanded=${this.menuOpen ? 'true' : 'false'} @click=${() => (this.menuOpen = !this.menuOpen)}>${icons.menu}</button>
            <span class="logo">${icons.logo}</span><span>Preloop</span>
          </div>
          <div class="content" part="content">${this.renderView()}</div>
        </main>
      </div>
    `;
  }

  /** After a sign-in the login form is gone: focus moves to the console's main content, not to the page's body. */
  private readonly onLoggedIn = async () => {
    const api = this.api;
    if (!api) return;
    await this.checkSession(api);
    await this.focusMain();
  };

  private readonly skipToContent = (event: MouseEvent) => {
    event.preventDefault();
    void this.focusMain();
  };

  private async focusMain(): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('main')?.focus();
  }

  private follow(event: MouseEvent, route: string): void {
    if (this.routing === 'hash' || event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    this.navigate(route);
  }

  private renderView(): unknown {
    const [section, id, ...rest] = this.route.split('/');
    const detail = id ? decodeURIComponent([id, ...rest].join('/')) : undefined;
    switch (section) {
      case 'approvals': {
        const tag = staticTag(PreloopApprovalQueue, 'preloop-approval-queue');
        return staticHtml`<${tag} request-id=${detail ?? nothing}></${tag}>`;
      }
      case 'sessions': {
        const tag = staticTag(PreloopSessions, 'preloop-sessions');
        return staticHtml`<${tag} selected=${detail ?? nothing}></${tag}>`;
      }
      case 'issues': {
        const tag = staticTag(PreloopIssues, 'preloop-issues');
        return staticHtml`<${tag} selected=${detail ?? nothing}></${tag}>`;
      }
      case 'flows': {
        // flows/<id>/executions: that flow's executions.
        if (id && rest[0] === 'executions') {
          const tag = staticTag(PreloopExecutions, 'preloop-executions');
          return staticHtml`<${tag} flow-id=${decodeURIComponent(id)}></${tag}>`;
        }
        const tag = staticTag(PreloopFlows, 'preloop-flows');
        return staticHtml`<${tag}></${tag}>`;
      }
      case 'executions': {
        const tag = staticTag(PreloopExecutions, 'preloop-executions');
        return staticHtml`<${tag} execution-id=${detail ?? nothing}></${tag}>`;
      }
      case 'agents': {
        const tag = staticTag(PreloopAgents, 'preloop-agents');
        return staticHtml`<${tag}></${tag}>`;
      }
      case 'audit': {
        const tag = staticTag(PreloopAuditLog, 'preloop-audit-log');
        return staticHtml`<${tag}></${tag}>`;
      }
      case 'usage': {
        const tag = staticTag(PreloopUsageChart, 'preloop-usage-chart');
        return staticHtml`<${tag} heading="Usage & spend" show-table></${tag}>`;
      }
      case 'models': {
        const tag = staticTag(PreloopModels, 'preloop-models');
        return staticHtml`<${tag}></${tag}>`;
      }
      case 'mcp-servers': {
        const tag = staticTag(PreloopMcpServers, 'preloop-mcp-servers');
        return staticHtml`<${tag}></${tag}>`;
      }
      case 'settings': {
        const tag = staticTag(PreloopSettings, 'preloop-settings');
        return staticHtml`<${tag} tab=${id ?? 'users'}></${tag}>`;
      }
      default: {
        const tag = staticTag(PreloopDashboard, 'preloop-dashboard');
        return staticHtml`<${tag}></${tag}>`;
      }
    }
  }
}

/** A route with an earlier section name (`mcp/…`) renamed to the current one (`mcp-servers/…`), so old links keep working. */
function withCurrentSectionName(route: string): string {
  const [section, ...rest] = route.split('/');
  const current = consoleSectionAliases[section ?? ''];
  return current ? [current, ...rest].join('/') : route;
}
