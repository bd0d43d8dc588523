import { html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import type {
  CatalogTool,
  CreateMcpServerInput,
  McpServer,
  McpTransport,
  ToolStats,
  UpdateMcpServerInput,
  UpstreamToolDetail,
} from '../../client/api-types.js';
import type { PreloopClient } from '../../client/preloop-client.js';
import { debounce, formatCount, formatRelative, toneOf } from '../../shared/format.js';
import { icons } from '../../shared/icons.js';
import { PreloopElement } from '../../shared/preloop-element.js';
import { sharedStyles } from '../../shared/shared-styles.js';
import { themeStyles } from '../../shared/theme.js';
import { readServerForm, renderServerFields } from './mcp-server-form.js';
import { mcpServerDetailStyles, mcpServersStyles } from './preloop-mcp-servers.styles.js';
import { renderToolStats } from './tool-stats-panel.js';

const awaitingStatuses = new Set(['pending', 'quarantined']);

/**
 * Upstream MCP servers and the tool catalog. Register a server (Streamable
 * HTTP, or a stdio process for owners), change it or remove it; its headers or
 * environment are write-only. Each tool shows its pin status and, on demand,
 * its call statistics. Pins awaiting approval (a new tool that was not trusted
 * on first use, or one whose description or schema changed upstream and is
 * quarantined: hidden and refused) open a review of what changed; approving
 * pins exactly the definition reviewed (by its hash).
 *
 * @summary Upstream MCP servers, the tool catalog, pin reviews and per-tool statistics.
 * @csspart servers - the server cards.
 * @csspart tools - the tool catalog table.
 * @csspart review - the review panel of a pending pin.
 * @csspart stats - the statistics of a tool.
 *
 * @example
 * ```html
 * <preloop-mcp-servers base-url="https://preloop.internal"></preloop-mcp-servers>
 * ```
 */
export class PreloopMcpServers extends PreloopElement {
  static override styles = [themeStyles, sharedStyles, mcpServersStyles, mcpServerDetailStyles];

  /** Hide the page header. */
  @property({ type: Boolean, attribute: 'no-header' }) noHeader = false;

  private readonly catalogTask = this.loadTask('load MCP servers', async (api) => {
    const [servers, tools] = await Promise.all([api.mcp.servers(), api.mcp.tools()]);
    if (this.stats.size) void this.loadStats([...this.stats.keys()]);
    return { servers: servers.items, tools: tools.items };
  });
  @state() private failure: string | null = null;
  @state() private notice: string | null = null;
  @state() private query = '';
  @state() private review: UpstreamToolDetail | null = null;
  @state() private busy = new Set<string>();
  @state() private editing: McpServer | null = null;
  @state() private transport: McpTransport = 'http';
  @state() private formError: string | null = null;
  @state() private confirmRemove: string | null = null;
  /** Statistics of the tools whose panel is open: the numbers, or the error that stopped them. */
  @state() private stats = new Map<string, ToolStats | { error: string } | null>();
  private readonly refreshStats = debounce(() => void this.loadStats([...this.stats.keys()]), 400);

  constructor() {
    super();
    this.live.on(['audit-recorded'], (event) => {
      if (event.action.startsWith('mcp.server.') || event.action === 'mcp.tool.approve-pin' || event.action === 'mcp.tool.quarantine')
        void this.load();
      if ((event.action === 'mcp.tool.call' || event.action === 'mcp.tool.result') && this.stats.size) this.refreshStats();
    });
    this.live.on(['reconnected'], () => void this.load());
  }

  private get servers(): McpServer[] {
    return this.catalogTask.value?.servers ?? [];
  }

  private get tools(): CatalogTool[] {
    return this.catalogTask.value?.tools ?? [];
  }

  /** Reloads servers and tools (and the open statistics). */
  async load(): Promise<void> {
    await this.rerun(this.catalogTask);
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

  private async loadStats(names: string[]): Promise<void> {
    const api = this.api;
    if (!api || names.length === 0) return;
    const results = await Promise.all(
      names.map((name) => api.mcp.toolStats(name).catch((error: Error) => ({ error: this.reportError('load tool statistics', error) }))),
    );
    const stats = new Map(this.stats);
    names.forEach((name, index) => stats.has(name) && stats.set(name, results[index]!));
    this.stats = stats;
  }

  private toggleStats(name: string): void {
    const stats = new Map(this.stats);
    if (stats.has(name)) stats.delete(name);
    else {
      stats.set(name, null);
      void this.loadStats([name]);
    }
    this.stats = stats;
  }

  private async openReview(tool: CatalogTool): Promise<void> {
    await this.withBusy(tool.name, 'load the tool definition', async (api) => {
      this.review = await api.mcp.tool(tool.name);
    });
  }

  private async approve(): Promise<void> {
    const review = this.review;
    if (!review) return;
    if (
      await this.withBusy(review.exposedName, 'approve the tool definition', (api) =>
        api.mcp.approvePin(review.exposedName, review.liveHash),
      )
    ) {
      this.review = null;
      await this.load();
    }
  }

  private async scan(server: McpServer): Promise<void> {
    if (await this.withBusy(server.id, 'scan the MCP server', (api) => api.mcp.scan(server.id))) await this.load();
  }

  private async openForm(server: McpServer | null): Promise<void> {
    this.editing = server;
    this.transport = server?.transport ?? 'http';
    this.formError = null;
    this.notice = null;
    // The fields carry the server's values as their defaults: render them, then reset the form to show them.
    await this.updateComplete;
    const dialog = this.renderRoot.querySelector<HTMLDialogElement>('dialog.server-form');
    dialog?.querySelector('form')?.reset();
    dialog?.showModal();
  }

  private async submitForm(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const api = this.api;
    const form = event.currentTarget as HTMLFormElement;
    if (!api) return;
    const editing = this.editing;
    let body: CreateMcpServerInput | UpdateMcpServerInput;
    try {
      body = readServerForm(new FormData(form), this.transport, editing);
    } catch (error) {
      this.formError = (error as Error).message;
      return;
    }
    let saved: McpServer | null = null;
    this.formError = await this.attempt(editing ? 'change the MCP server' : 'register the MCP server', async () => {
      saved = editing
        ? await api.mcp.updateServer(editing.id, body as UpdateMcpServerInput)
        : await api.mcp.createServer(body as CreateMcpServerInput);
    });
    if (this.formError || !saved) return;
    form.closest('dialog')?.close();
    const server: McpServer = saved;
    this.editing = null;
    // A new (or changed) server is scanned at once, so its tools show up; a failed scan shows on its card.
    const done = editing ? 'Saved' : 'Registered';
    let notice = `${done} ${server.name} (disabled: not scanned).`;
    if (server.enabled) {
      const found = (await api.mcp.scan(server.id).catch(() => null))?.tools ?? null;
      const pinned = found?.filter((tool) => tool.status === 'pinned').length ?? 0;
      notice = found
        ? `${done} ${server.name}: ${found.length} tool${found.length === 1 ? '' : 's'} found, ${pinned} pinned${found.some((tool) => awaitingStatuses.has(tool.status)) ? ', some waiting for review' : ''}.`
        : `${done} ${server.name}; the scan failed, see the server card.`;
    }
    await this.load();
    this.notice = notice;
  }

  private async removeServer(server: McpServer): Promise<void> {
    if (this.confirmRemove !== server.id) {
      this.confirmRemove = server.id;
      return;
    }
    this.confirmRemove = null;
    if (await this.withBusy(server.id, 'remove the MCP server', (api) => api.mcp.deleteServer(server.id))) {
      this.notice = `Removed ${server.name}, its tools and its stored credentials.`;
      await this.load();
    }
  }

  override render() {
    if (this.signedOut) return this.renderSignedOut();
    const awaiting = this.tools.filter((tool) => awaitingStatuses.has(tool.status));
    const notInstalled = this.isNotInstalled(this.catalogTask);
    return html`
      ${
        this.noHeader
          ? nothing
          : html`<div class="page-header">
            <div>
              <h1>MCP servers</h1>
              <p>Upstream tool servers, the tool catalog, and tool definitions waiting for approval.</p>
            </div>
          </div>`
      }
      ${this.failure ? html`<div class="banner error page" role="alert">${this.failure}</div>` : nothing}
      ${this.notice ? html`<div class="banner success page" role="status">${icons.check}<span>${this.notice}</span></div>` : nothing}
      ${this.renderLoad(
        this.catalogTask,
        () =>
          html`<div class="grid">
            ${
              awaiting.length
                ? html`<div class="banner warning" role="status">${icons.alert}<span><strong>${awaiting.length} tool definition${awaiting.length === 1 ? '' : 's'} awaiting approval.</strong> Until approved, agents neither see nor call ${awaiting.length === 1 ? 'it' : 'them'}.</span></div>`
                : nothing
            }
            ${this.review ? this.renderReview(this.review) : nothing} ${this.renderServers()} ${this.renderTools()}
          </div>`,
        {
          pending: () => html`<div class="card card-body"><span class="skeleton"></span></div>`,
          notInstalled: () =>
            html`<div class="card"><div class="empty">${icons.mcp}<strong>The MCP endpoint is not installed</strong><span>Install <code>@preloop/mcp</code> to govern agents’ tools.</span></div></div>`,
        },
      )}
      ${notInstalled ? nothing : this.renderForm()}
    `;
  }

  private renderServers() {
    return html`<section class="card">
      <div class="card-header">
        <h2>Servers <span class="muted small count">${this.servers.length}</span></h2>
        <button class="small" @click=${() => this.openForm(null)}>${icons.plus} Add server</button>
      </div>
      ${
        this.servers.length === 0
          ? html`<div class="empty">${icons.mcp}<strong>No upstream servers</strong><span>Add one here, or in the configuration file. Its tools reach agents through Preloop, under policy.</span></div>`
          : html`<div class="servers" part="servers">
            ${this.servers.map((server) => {
              const confirming = this.confirmRemove === server.id;
              return html`<div class="server" data-name=${server.name}>
                <div class="name">
                  ${icons.mcp}<span>${server.name}</span>${server.source === 'config' ? html`<span class="tag" title="Registered by the configuration file">config</span>` : nothing}<span class="spacer"></span>
                  <span class="badge ${server.status === 'ok' ? 'success' : server.status === 'error' ? 'danger' : ''}">${server.enabled ? server.status : 'disabled'}</span>
                </div>
                <div class="where" title=${server.url ?? server.command ?? ''}>${server.transport} · ${server.url ?? [server.command, ...server.args].join(' ')}</div>
                ${
                  server.headerNames.length || server.envNames.length
                    ? html`<div class="secrets small muted">${icons.shield} ${[...server.headerNames, ...server.envNames].join(', ')}</div>`
                    : nothing
                }
                <div class="small muted">${formatCount(this.tools.filter((tool) => tool.server === server.name).length)} tools · scanned ${formatRelative(server.lastScanAt)}</div>
                ${server.lastError ? html`<div class="banner error small">${server.lastError}</div>` : nothing}
                <div class="toolbar server-actions">
                  <button class="small ghost" ?disabled=${this.busy.has(server.id) || !server.enabled} @click=${() => this.scan(server)}>${icons.refresh} Scan</button>
                  <button class="small ghost" ?disabled=${this.busy.has(server.id)} @click=${() => this.openForm(server)}>Edit</button>
                  <span class="spacer"></span>
                  <button class=${confirming ? 'small danger' : 'small danger-outline'} ?disabled=${this.busy.has(server.id)} @click=${() => this.removeServer(server)}>${confirming ? 'Confirm remove' : 'Remove'}</button>
                </div>
              </div>`;
            })}
          </div>`
      }
    </section>`;
  }

  private renderForm() {
    const editing = this.editing;
    return html`<dialog class="server-form" aria-labelledby="server-form-title" @close=${() => (this.editing = null)}>
      <form @submit=${this.submitForm}>
        <h2 id="server-form-title">${editing ? html`Edit <code>${editing.name}</code>` : 'Add an MCP server'}</h2>
        ${renderServerFields({ editing, transport: this.transport, onTransport: (transport) => (this.transport = transport) })}
        ${this.formError ? html`<div class="banner error" role="alert">${this.formError}</div>` : nothing}
        <div class="actions">
          <button type="button" class="ghost" @click=${(event: Event) => (event.currentTarget as HTMLElement).closest('dialog')?.close()}>Cancel</button>
          <button type="submit" class="primary">${editing ? 'Save and rescan' : 'Add and scan'}</button>
        </div>
      </form>
    </dialog>`;
  }

  private renderReview(review: UpstreamToolDetail) {
    return html`<section class="card" part="review" aria-label="Review ${review.exposedName}">
      <div class="card-header">
        <h2>Review <code>${review.exposedName}</code></h2>
        <button class="ghost icon small" aria-label="Close review" @click=${() => (this.review = null)}>${icons.x}</button>
      </div>
      <div class="card-body stack">
        <p class="muted">${review.pinnedHash ? 'The upstream server changed this tool since it was approved. Approve only if the change is expected.' : 'This tool was never approved. Check what it does before agents can use it.'}</p>
        ${
          review.diff?.changes.length
            ? html`<ul class="changes">${review.diff.changes.map((change) => html`<li><span class="badge plain ${change.kind === 'removed' ? 'danger' : change.kind === 'added' ? 'success' : 'warning'}">${change.kind}</span> <code>${change.path}</code></li>`)}</ul>`
            : nothing
        }
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
      ${
        tools.length === 0
          ? html`<div class="empty"><strong>No tools</strong></div>`
          : html`<div class="table-wrap">
            <table part="tools">
              <thead><tr><th>Tool</th><th>Source</th><th>Status</th><th><span class="visually-hidden">Actions</span></th></tr></thead>
              <tbody>
                ${tools.map((tool) => {
                  const waiting = awaitingStatuses.has(tool.status);
                  const open = this.stats.has(tool.name);
                  const stats = this.stats.get(tool.name);
                  return html`<tr class=${waiting ? 'quarantined' : open ? 'open' : ''} data-tool=${tool.name}>
                      <td><code class="primary-text">${tool.name}</code>${tool.description ? html`<div class="secondary-text">${tool.description}</div>` : nothing}</td>
                      <td>${tool.server ?? html`<span class="muted">${tool.source}</span>`}</td>
                      <td>
                        <span class="badge ${toneOf(tool.status)}">${tool.status}</span>
                        ${tool.conflict ? html` <span class="badge danger plain" title="Another tool has this name, so it is hidden">name conflict</span>` : nothing}
                        ${tool.flags.map((flag) => html` <span class="tag">${flag}</span>`)}
                      </td>
                      <td class="actions">
                        ${waiting ? html`<button class="primary small" ?disabled=${this.busy.has(tool.name)} @click=${() => this.openReview(tool)}>Review</button>` : nothing}
                        <button class="ghost small" aria-expanded=${open ? 'true' : 'false'} aria-label="Stats of ${tool.name}" @click=${() => this.toggleStats(tool.name)}>${icons.pulse} Stats</button>
                      </td>
                    </tr>
                    ${
                      open
                        ? html`<tr class="stats-row" data-stats-for=${tool.name}>
                          <td colspan="4" part="stats">
                            ${
                              stats === null || stats === undefined
                                ? html`<span class="skeleton"></span>`
                                : 'error' in stats
                                  ? html`<div class="banner error small">${stats.error}</div>`
                                  : renderToolStats(stats)
                            }
                          </td>
                        </tr>`
                        : nothing
                    }`;
                })}
              </tbody>
            </table>
          </div>`
      }
    </section>`;
  }
}
