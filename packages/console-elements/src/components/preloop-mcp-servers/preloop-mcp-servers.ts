import { html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { CatalogTool, McpServer, UpstreamToolDetail } from '../../client/api-types.js';
import { isRouteMissing } from '../../client/preloop-api-error.js';
import type { PreloopClient } from '../../client/preloop-client.js';
import { formatCount, formatRelative, toneOf } from '../../shared/format.js';
import { icons } from '../../shared/icons.js';
import { PreloopElement } from '../../shared/preloop-element.js';
import { sharedStyles } from '../../shared/shared-styles.js';
import { themeStyles } from '../../shared/theme.js';
import { mcpServersStyles } from './preloop-mcp-servers.styles.js';

const awaitingStatuses = new Set(['pending', 'quarantined']);

/**
 * Upstream MCP servers and the tool catalog: each tool with its pin status,
 * and the pins awaiting approval (a new tool that was not trusted on first
 * use, or one whose description or schema changed upstream and is quarantined:
 * hidden and refused). Review shows what changed; approving pins exactly the
 * definition reviewed (by its hash).
 *
 * @csspart servers - the server cards.
 * @csspart tools - the tool catalog table.
 * @csspart review - the review panel of a pending pin.
 *
 * @example
 * ```html
 * <preloop-mcp-servers base-url="https://preloop.internal"></preloop-mcp-servers>
 * ```
 */
export class PreloopMcpServers extends PreloopElement {
  static override styles = [themeStyles, sharedStyles, mcpServersStyles];

  /** Hide the page header. */
  @property({ type: Boolean, attribute: 'no-header' }) noHeader = false;

  @state() private servers: McpServer[] = [];
  @state() private tools: CatalogTool[] = [];
  @state() private loading = true;
  @state() private notInstalled = false;
  @state() private failure: string | null = null;
  @state() private query = '';
  @state() private review: UpstreamToolDetail | null = null;
  @state() private busy = new Set<string>();

  constructor() {
    super();
    this.listen(['audit-recorded'], (event) => {
      if (event.action.startsWith('mcp.server.') || event.action === 'mcp.tool.approve-pin' || event.action === 'mcp.tool.quarantine') void this.load(true);
    });
    this.listen(['reconnected'], () => void this.load(true));
  }

  protected override clientChanged(_client: PreloopClient): void {
    void this.load();
  }

  /** Reloads servers and tools. */
  async load(quiet = false): Promise<void> {
    const api = this.api;
    if (!api) return;
    if (!quiet) this.loading = true;
    try {
      const [servers, tools] = await Promise.all([api.mcp.servers(), api.mcp.tools()]);
      this.servers = servers.items;
      this.tools = tools.items;
      this.notInstalled = false;
      this.failure = null;
    } catch (error) {
      if (isRouteMissing(error)) this.notInstalled = true;
      else this.failure = this.reportError('load MCP servers', error);
    } finally {
      this.loading = false;
    }
  }

  private async withBusy(key: string, action: string, run: (api: PreloopClient) => Promise<unknown>): Promise<boolean> {
    const api = this.api;
    if (!api) return false;
    this.busy = new Set(this.busy).add(key);
    this.failure = await this.attempt(action, () => run(api));
    const busy = new Set(this.busy);
    busy.delete(key);
    this.busy = busy;
    return this.failure === null;
  }

  private async openReview(tool: CatalogTool): Promise<void> {
    await this.withBusy(tool.name, 'load the tool definition', async (api) => {
      this.review = await api.mcp.tool(tool.name);
    });
  }

  private async approve(): Promise<void> {
    const review = this.review;
    if (!review) return;
    if (await this.withBusy(review.exposedName, 'approve the tool definition', (api) => api.mcp.approvePin(review.exposedName, review.liveHash))) {
      this.review = null;
      await this.load(true);
    }
  }

  private async scan(server: McpServer): Promise<void> {
    if (await this.withBusy(server.id, 'scan the MCP server', (api) => api.mcp.scan(server.id))) await this.load(true);
  }

  override render() {
    const awaiting = this.tools.filter((tool) => awaitingStatuses.has(tool.status));
    return html`
      ${this.noHeader
        ? nothing
        : html`<div class="page-header">
            <div>
              <h1>MCP servers</h1>
              <p>Upstream tool servers, the tool catalog, and tool definitions waiting for approval.</p>
            </div>
          </div>`}
      ${this.failure ? html`<div class="banner error" role="alert">${this.failure}</div>` : nothing}
      ${this.notInstalled
        ? html`<div class="card"><div class="empty">${icons.mcp}<strong>The MCP endpoint is not installed</strong><span>Install <code>@preloop/mcp</code> to govern agents’ tools.</span></div></div>`
        : this.loading && this.tools.length === 0 && this.servers.length === 0
          ? html`<div class="card card-body"><span class="skeleton"></span></div>`
          : html`<div class="grid">
              ${awaiting.length
                ? html`<div class="banner warning" role="status">${icons.alert}<span><strong>${awaiting.length} tool definition${awaiting.length === 1 ? '' : 's'} awaiting approval.</strong> Until approved, agents neither see nor call ${awaiting.length === 1 ? 'it' : 'them'}.</span></div>`
                : nothing}
              ${this.review ? this.renderReview(this.review) : nothing}
              <section class="card">
                <div class="card-header"><h2>Servers</h2><span class="muted small">${this.servers.length}</span></div>
                ${this.servers.length === 0
                  ? html`<div class="empty"><strong>No upstream servers</strong><span>Register one through the admin API or the configuration file.</span></div>`
                  : html`<div class="servers" part="servers">
                      ${this.servers.map(
                        (server) => html`<div class="server" data-name=${server.name}>
                          <div class="name">${icons.mcp}<span>${server.name}</span><span class="spacer"></span><span class="badge ${server.status === 'ok' ? 'success' : server.status === 'error' ? 'danger' : ''}">${server.enabled ? server.status : 'disabled'}</span></div>
                          <div class="where" title=${server.url ?? server.command ?? ''}>${server.transport} · ${server.url ?? [server.command, ...server.args].join(' ')}</div>
                          <div class="toolbar small muted">
                            <span>${formatCount(this.tools.filter((tool) => tool.server === server.name).length)} tools · scanned ${formatRelative(server.lastScanAt)}</span>
                            <span class="spacer"></span>
                            <button class="small ghost" ?disabled=${this.busy.has(server.id) || !server.enabled} @click=${() => this.scan(server)}>${icons.refresh} Scan</button>
                          </div>
                          ${server.lastError ? html`<div class="banner error small">${server.lastError}</div>` : nothing}
                        </div>`,
                      )}
                    </div>`}
              </section>
              ${this.renderTools()}
            </div>`}
    `;
  }

  private renderReview(review: UpstreamToolDetail) {
    return html`<section class="card" part="review" aria-label="Review ${review.exposedName}">
      <div class="card-header">
        <h2>Review <code>${review.exposedName}</code></h2>
        <button class="ghost icon small" aria-label="Close review" @click=${() => (this.review = null)}>${icons.x}</button>
      </div>
      <div class="card-body stack">
        <p class="muted">${review.pinnedHash ? 'The upstream server changed this tool since it was approved. Approve only if the change is expected.' : 'This tool was never approved. Check what it does before agents can use it.'}</p>
        ${review.diff?.changes.length
          ? html`<ul class="changes">${review.diff.changes.map((change) => html`<li><span class="badge plain ${change.kind === 'removed' ? 'danger' : change.kind === 'added' ? 'success' : 'warning'}">${change.kind}</span> <code>${change.path}</code></li>`)}</ul>`
          : nothing}
        <pre class="json">${review.diff?.text ?? JSON.stringify(review.liveDefinition, null, 2)}</pre>
        <div class="toolbar">
          <span class="muted small">Live definition <code>${review.liveHash.slice(0, 12)}…</code></span>
          <span class="spacer"></span>
          <button class="ghost" @click=${() => (this.review = null)}>Not now</button>
          <button class="primary" ?disabled=${this.busy.has(review.exposedName)} @click=${this.approve}>${icons.check} Approve this definition</button>
        </div>
      </div>
    </section>`;
  }

  private renderTools() {
    const query = this.query.toLowerCase();
    const tools = this.tools
      .filter((tool) => !query || tool.name.toLowerCase().includes(query) || (tool.description ?? '').toLowerCase().includes(query))
      .sort((a, b) => Number(awaitingStatuses.has(b.status)) - Number(awaitingStatuses.has(a.status)) || a.name.localeCompare(b.name));
    return html`<section class="card">
      <div class="card-header">
        <h2>Tool catalog</h2>
        <input class="search" type="search" placeholder="Filter tools" aria-label="Filter tools" .value=${this.query} @input=${(event: Event) => (this.query = (event.target as HTMLInputElement).value)} />
      </div>
      ${tools.length === 0
        ? html`<div class="empty"><strong>No tools</strong></div>`
        : html`<div class="table-wrap">
            <table part="tools">
              <thead><tr><th>Tool</th><th>Source</th><th>Status</th><th><span class="visually-hidden">Actions</span></th></tr></thead>
              <tbody>
                ${tools.map((tool) => {
                  const waiting = awaitingStatuses.has(tool.status);
                  return html`<tr class=${waiting ? 'quarantined' : ''} data-tool=${tool.name}>
                    <td><code class="primary-text">${tool.name}</code>${tool.description ? html`<div class="secondary-text">${tool.description}</div>` : nothing}</td>
                    <td>${tool.server ?? html`<span class="muted">${tool.source}</span>`}</td>
                    <td>
                      <span class="badge ${toneOf(tool.status)}">${tool.status}</span>
                      ${tool.conflict ? html` <span class="badge danger plain" title="Another tool has this name, so it is hidden">name conflict</span>` : nothing}
                      ${tool.flags.map((flag) => html` <span class="tag">${flag}</span>`)}
                    </td>
                    <td class="actions">${waiting ? html`<button class="primary small" ?disabled=${this.busy.has(tool.name)} @click=${() => this.openReview(tool)}>Review</button>` : nothing}</td>
                  </tr>`;
                })}
              </tbody>
            </table>
          </div>`}
    </section>`;
  }
}
