import { html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { CoreRoutes, SyncStatus } from '../../client/api-types.js';
import { formatRelative } from '../../shared/format.js';
import { ConfirmController } from '../../shared/confirm-controller.js';
import { icons } from '../../shared/icons.js';
import { PreloopElement } from '../../shared/preloop-element.js';
import { sharedStyles } from '../../shared/shared-styles.js';
import { submittedForm } from '../../shared/submitted-form.js';
import { themeStyles } from '../../shared/theme.js';
import { trackerConnectionsStyles } from './preloop-tracker-connections.styles.js';

type InstalledTracker = CoreRoutes['GET /trackers']['response']['items'][number];
type TrackerConnection = CoreRoutes['GET /trackers/connections']['response']['items'][number];
type MyCredential = CoreRoutes['GET /trackers/connections/:id/my-credential']['response'];

/** The fields of a JSON Schema object, for the connect form. */
function fieldsOf(schema: Record<string, unknown> | null): Array<{ name: string; description: string; required: boolean }> {
  const properties = (schema?.properties ?? {}) as Record<string, { description?: string }>;
  const required = new Set((schema?.required as string[] | undefined) ?? []);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    description: property.description ?? '',
    required: required.has(name),
  }));
}

/**
 * Tracker connections (GitHub, GitLab, Jira…): connect one (its settings, and
 * its secrets, which are stored encrypted and never shown again), see the
 * webhook URL and secret to paste at the provider (the secret once), test the
 * credential, import its issues with progress (live), and disconnect. Each
 * signed-in user can also link their own token to a connection ("Use my own
 * token"): what they create and comment from the console is then written as
 * them at the tracker; Unlink goes back to the connection's credential.
 *
 * @summary Tracker connections: connect, test, sync, disconnect.
 * @csspart table - the connections table.
 *
 * @example
 * ```html
 * <preloop-tracker-connections base-url="https://preloop.internal"></preloop-tracker-connections>
 * ```
 */
export class PreloopTrackerConnections extends PreloopElement {
  static override styles = [themeStyles, sharedStyles, trackerConnectionsStyles];

  /** Hide the section header. */
  @property({ type: Boolean, attribute: 'no-header' }) noHeader = false;

  private readonly connectionsTask = this.loadTask('load tracker connections', async (api, _args, signal) => {
    const [trackers, connections] = await Promise.all([
      api.route('GET /trackers', { signal }),
      api.route('GET /trackers/connections', { signal }),
    ]);
    const syncs = await Promise.all(
      connections.items.map((connection) =>
        api.route('GET /trackers/connections/:id/sync', { params: { id: connection.id }, signal }).catch(() => null),
      ),
    );
    this.syncs = new Map(connections.items.flatMap((connection, index) => (syncs[index] ? [[connection.id, syncs[index]!]] : [])));
    // Whether the signed-in user linked their own token (null when the caller cannot have one, such as an agent's key).
    const mine = await Promise.all(
      connections.items.map((connection) =>
        api.route('GET /trackers/connections/:id/my-credential', { params: { id: connection.id }, signal }).catch(() => null),
      ),
    );
    this.mine = new Map(connections.items.flatMap((connection, index) => (mine[index] ? [[connection.id, mine[index]!]] : [])));
    return { trackers: trackers.items, connections: connections.items };
  });
  @state() private syncs = new Map<string, SyncStatus>();
  @state() private chosenTracker = '';
  @state() private failure: string | null = null;
  @state() private formError: string | null = null;
  /** The webhook secret of a connection just made, shown once. */
  @state() private created: { name: string; webhookUrl: string; webhookSecret: string } | null = null;
  @state() private tests = new Map<string, string>();
  private readonly confirmDelete = new ConfirmController(this);
  @state() private mine = new Map<string, MyCredential>();
  /** The connection whose "Use my own token" form is open. */
  @state() private linking: TrackerConnection | null = null;
  @state() private linkError: string | null = null;

  constructor() {
    super();
    this.live.on(['tracker-sync-progress'], (event) => {
      void this.refreshSync(event.connectionId);
    });
    this.live.on(['reconnected'], () => void this.load());
  }

  /** Reloads connections and their sync progress. */
  async load(): Promise<void> {
    await this.rerun(this.connectionsTask);
  }

  private webhookUrl(connection: { webhookPath: string }): string {
    return new URL(connection.webhookPath, this.api?.baseUrl || location.origin).href;
  }

  private async refreshSync(id: string): Promise<void> {
    const status = await this.api?.route('GET /trackers/connections/:id/sync', { params: { id } }).catch(() => null);
    if (status) this.syncs = new Map(this.syncs).set(id, status);
  }

  private async connect(event: SubmitEvent, trackers: InstalledTracker[]): Promise<void> {
    const { form, text } = submittedForm(event);
    const api = this.api;
    const tracker = trackers.find((item) => item.id === text('tracker'));
    if (!api || !tracker) return;
    const collect = (prefix: string, schema: Record<string, unknown> | null) =>
      Object.fromEntries(fieldsOf(schema).flatMap(({ name }) => (text(`${prefix}.${name}`) ? [[name, text(`${prefix}.${name}`)]] : [])));
    this.formError = await this.attempt('connect the tracker', async () => {
      const connection = await api.route('POST /trackers/connections', {
        body: {
          tracker: tracker.id,
          name: text('name'),
          settings: collect('settings', tracker.settingsJsonSchema),
          secrets: collect('secrets', tracker.secretsJsonSchema),
        },
      });
      this.created = { name: connection.name, webhookUrl: this.webhookUrl(connection), webhookSecret: connection.webhookSecret };
      void this.load();
    });
    if (this.formError) return;
    form.reset();
    form.closest('dialog')?.close();
  }

  private async test(connection: TrackerConnection): Promise<void> {
    const api = this.api;
    if (!api) return;
    this.failure = await this.attempt('test the connection', async () => {
      const result = await api.route('POST /trackers/connections/:id/test', { params: { id: connection.id } });
      this.tests = new Map(this.tests).set(
        connection.id,
        result.ok ? `Connected as ${result.identity}` : `Failed: ${result.error.message}`,
      );
      void this.load();
    });
  }

  private async sync(connection: TrackerConnection): Promise<void> {
    const api = this.api;
    if (!api) return;
    this.failure = await this.attempt('start the sync', async () => {
      const status = await api.route('POST /trackers/connections/:id/sync', { params: { id: connection.id } });
      this.syncs = new Map(this.syncs).set(connection.id, status);
    });
  }

  private async disconnect(connection: TrackerConnection): Promise<void> {
    const api = this.api;
    if (!api) return;
    if (!this.confirmDelete.confirmed(connection.id)) return;
    this.failure = await this.attempt('disconnect the tracker', async () => {
      await api.route('DELETE /trackers/connections/:id', { params: { id: connection.id } });
      void this.load();
    });
  }

  private openLink(connection: TrackerConnection): void {
    this.linking = connection;
    this.linkError = null;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLDialogElement>('dialog.my-credential')?.showModal());
  }

  private async link(event: SubmitEvent, trackers: InstalledTracker[]): Promise<void> {
    const { form, text } = submittedForm(event);
    const api = this.api;
    const connection = this.linking;
    const tracker = trackers.find((item) => item.id === connection?.tracker);
    if (!api || !connection || !tracker) return;
    const secrets = Object.fromEntries(
      fieldsOf(tracker.secretsJsonSchema).flatMap(({ name }) => (text(`secrets.${name}`) ? [[name, text(`secrets.${name}`)]] : [])),
    );
    this.linkError = await this.attempt('link your token', async () => {
      const linked = await api.route('PUT /trackers/connections/:id/my-credential', { params: { id: connection.id }, body: { secrets } });
      this.mine = new Map(this.mine).set(connection.id, linked);
    });
    if (this.linkError) return;
    form.reset();
    form.closest('dialog')?.close();
    this.linking = null;
  }

  private async unlink(connection: TrackerConnection): Promise<void> {
    const api = this.api;
    if (!api) return;
    this.failure = await this.attempt('unlink your token', async () => {
      await api.route('DELETE /trackers/connections/:id/my-credential', { params: { id: connection.id } });
      this.mine = new Map(this.mine).set(connection.id, { linked: false });
    });
  }

  override render() {
    if (this.signedOut) return this.renderSignedOut();
    return html`
      ${
        this.noHeader
          ? nothing
          : html`<div class="card-header">
            <h2>Issue trackers</h2>
            <button class="primary small" @click=${() => this.renderRoot.querySelector('dialog')?.showModal()}>${icons.plus} Connect a tracker</button>
          </div>`
      }
      ${this.failure ? html`<div class="banner error" role="alert">${this.failure}</div>` : nothing}
      ${
        this.created
          ? html`<div class="banner success created" role="status">
            <strong>${this.created.name} is connected.</strong> Add a webhook at the provider: URL <code class="webhook-url">${this.created.webhookUrl}</code>, secret
            <code class="webhook-secret">${this.created.webhookSecret}</code> (shown once; rotate it from the API if lost).
            <button class="ghost small" @click=${() => (this.created = null)}>Done</button>
          </div>`
          : nothing
      }
      ${this.renderLoad(
        this.connectionsTask,
        ({ trackers, connections }) =>
          html`${this.renderTable(connections)}${this.renderDialog(trackers)}${this.renderLinkDialog(trackers)}`,
        {
          notInstalled: () => html`<div class="empty">${icons.link}<strong>No tracker routes on this server</strong></div>`,
        },
      )}
    `;
  }

  private renderSync(id: string) {
    const status = this.syncs.get(id);
    if (!status || status.projects.length === 0) return html`<span class="muted">Not synced</span>`;
    return html`${status.projects.map(
      (project) => html`<div class="sync" data-project=${project.project} data-finished=${project.finishedAt ?? ''}>
        <span class="badge ${project.status === 'done' ? 'success' : project.status === 'failed' ? 'danger' : 'warning'}">${project.status}</span>
        ${project.project}: ${project.imported} imported${project.lastSyncedAt ? html` · ${formatRelative(project.lastSyncedAt)}` : nothing}
        ${project.error ? html`<div class="secondary-text">${project.error}</div>` : nothing}
      </div>`,
    )}`;
  }

  private renderTable(connections: TrackerConnection[]) {
    if (connections.length === 0)
      return html`<div class="empty">${icons.link}<strong>No trackers connected</strong><span>Connect GitHub, GitLab or Jira to see their issues in one list.</span></div>`;
    return html`<div class="table-wrap">
      <table part="table">
        <thead>
          <tr><th>Connection</th><th>Webhook URL</th><th>Status</th><th>Sync</th><th>My token</th><th><span class="visually-hidden">Actions</span></th></tr>
        </thead>
        <tbody>
          ${connections.map(
            (connection) => html`<tr data-connection=${connection.name}>
              <td><div class="name">${connection.name}</div><div class="secondary-text">${connection.tracker}</div></td>
              <td><code class="webhook-url">${this.webhookUrl(connection)}</code></td>
              <td>
                <span class="badge ${connection.status === 'active' ? 'success' : 'danger'}">${connection.status}</span>
                ${connection.lastError ? html`<div class="secondary-text">${connection.lastError}</div>` : nothing}
                ${this.tests.has(connection.id) ? html`<div class="secondary-text test-result">${this.tests.get(connection.id)}</div>` : nothing}
              </td>
              <td>${this.renderSync(connection.id)}</td>
              <td class="my-credential">${this.renderMine(connection)}</td>
              <td class="actions">
                <button class="secondary small" @click=${() => this.test(connection)}>Test</button>
                <button class="secondary small" @click=${() => this.sync(connection)}>Sync now</button>
                <button class=${this.confirmDelete.asking(connection.id) ? 'danger small' : 'danger-outline small'} @click=${() => this.disconnect(connection)}>
                  ${this.confirmDelete.asking(connection.id) ? 'Confirm disconnect' : 'Disconnect'}
                </button>
              </td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }

  private renderMine(connection: TrackerConnection) {
    const mine = this.mine.get(connection.id);
    if (!mine) return html`<span class="muted">—</span>`;
    if (!mine.linked)
      return html`<span class="muted">The connection's</span>
        <button class="secondary small" @click=${() => this.openLink(connection)}>Use my own token</button>`;
    return html`<span class="linked">Linked as <strong>${mine.identity}</strong></span>
      <button class="ghost small" @click=${() => this.unlink(connection)}>Unlink</button>`;
  }

  private renderLinkDialog(trackers: InstalledTracker[]) {
    const connection = this.linking;
    const tracker = trackers.find((item) => item.id === connection?.tracker);
    return html`<dialog class="my-credential" aria-labelledby="my-credential-title" @close=${() => (this.linking = null)}>
      <form @submit=${(event: SubmitEvent) => this.link(event, trackers)}>
        <h2 id="my-credential-title">Use my own token${connection ? html` on ${connection.name}` : nothing}</h2>
        <p class="muted">Issues and comments you create from the console are then written as you at the tracker. Agents keep using the connection.</p>
        ${fieldsOf(tracker?.secretsJsonSchema ?? null).map(
          (field) =>
            html`<label class="field"><span>${field.name} <span class="hint">${field.description}</span></span>${
              /key/i.test(field.name) && /private/i.test(field.name)
                ? html`<textarea name=${`secrets.${field.name}`} rows="3" autocomplete="off"></textarea>`
                : html`<input type="password" name=${`secrets.${field.name}`} autocomplete="off" />`
            }</label>`,
        )}
        <span class="secret-note">Tested against the tracker, then stored encrypted; never shown again.</span>
        ${this.linkError ? html`<div class="banner error" role="alert">${this.linkError}</div>` : nothing}
        <div class="actions">
          <button type="button" class="ghost" @click=${(event: Event) => (event.currentTarget as HTMLElement).closest('dialog')?.close()}>Cancel</button>
          <button type="submit" class="primary">Link</button>
        </div>
      </form>
    </dialog>`;
  }

  private renderDialog(trackers: InstalledTracker[]) {
    const chosen = trackers.find((tracker) => tracker.id === this.chosenTracker) ?? trackers[0];
    return html`<dialog aria-labelledby="connect-title">
      <form @submit=${(event: SubmitEvent) => this.connect(event, trackers)}>
        <h2 id="connect-title">Connect a tracker</h2>
        ${
          trackers.length === 0
            ? html`<p class="muted">No tracker plugin is installed (add <code>github()</code>, <code>gitlab()</code> or <code>jira()</code> to the server's plugins).</p>`
            : html`<label class="field"
                >Tracker
                <select name="tracker" @change=${(event: Event) => (this.chosenTracker = (event.target as HTMLSelectElement).value)}>
                  ${trackers.map((tracker) => html`<option value=${tracker.id} ?selected=${tracker.id === chosen?.id}>${tracker.displayName}</option>`)}
                </select>
              </label>
              <label class="field"><span>Name <span class="hint">lowercase slug; tools are <code>name.get_issue</code>…</span></span><input name="name" required pattern="[a-z0-9][a-z0-9\\-]*" /></label>
              <fieldset>
                <legend class="field-legend">Settings</legend>
                ${fieldsOf(chosen?.settingsJsonSchema ?? null).map(
                  (field) =>
                    html`<label class="field"><span>${field.name} <span class="hint">${field.description}</span></span><input name=${`settings.${field.name}`} ?required=${field.required} /></label>`,
                )}
              </fieldset>
              <fieldset>
                <legend class="field-legend">Secrets</legend>
                ${fieldsOf(chosen?.secretsJsonSchema ?? null).map(
                  (field) =>
                    html`<label class="field"><span>${field.name} <span class="hint">${field.description}</span></span>${
                      /key/i.test(field.name) && /private/i.test(field.name)
                        ? html`<textarea name=${`secrets.${field.name}`} rows="3" autocomplete="off" ?required=${field.required}></textarea>`
                        : html`<input type="password" name=${`secrets.${field.name}`} autocomplete="off" ?required=${field.required} />`
                    }</label>`,
                )}
                <span class="secret-note">Stored encrypted in the secret store; never shown again.</span>
              </fieldset>`
        }
        ${this.formError ? html`<div class="banner error" role="alert">${this.formError}</div>` : nothing}
        <div class="actions">
          <button type="button" class="ghost" @click=${(event: Event) => (event.currentTarget as HTMLElement).closest('dialog')?.close()}>Cancel</button>
          <button type="submit" class="primary" ?disabled=${trackers.length === 0}>Connect</button>
        </div>
      </form>
    </dialog>`;
  }
}
