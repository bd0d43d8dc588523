import { html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { html as staticHtml } from 'lit/static-html.js';
import { apiKeyScopes, roles, type ApiKey, type ApiKeyScope, type CreatedApiKey, type KillSwitchState, type Role, type Team, type User } from '../../client/api-types.js';
import { collectPages, type PreloopClient } from '../../client/preloop-client.js';
import { staticTag } from '../../define/element-tag.js';
import { PreloopApiKeyCreatedEvent, PreloopRouteRequestedEvent } from '../../events/preloop-events.js';
import { formatRelative, formatTime } from '../../shared/format.js';
import { icons } from '../../shared/icons.js';
import { PreloopElement } from '../../shared/preloop-element.js';
import { sharedStyles } from '../../shared/shared-styles.js';
import { themeStyles } from '../../shared/theme.js';
import { PreloopPolicyEditor } from '../preloop-policy-editor/preloop-policy-editor.js';
import { renderKillSwitch } from './kill-switch-panel.js';
import { settingsStyles } from './preloop-settings.styles.js';

/** A tab of the settings. */
export type SettingsTab = 'users' | 'teams' | 'api-keys' | 'policy' | 'kill-switch';

const tabs: Array<[SettingsTab, string]> = [
  ['users', 'Users'],
  ['teams', 'Teams'],
  ['api-keys', 'API keys'],
  ['policy', 'Policy'],
  ['kill-switch', 'Kill switch'],
];

/**
 * Account settings: users (roles, disable, remove), teams and their members,
 * API keys (a new key is shown once, then only its prefix), the policy editor
 * (`<preloop-policy-editor>`), and the kill switch (stop tools, models or flows,
 * with a reason; resume one scope or everything).
 *
 * @fires preloop-api-key-created - a key was created (the record only, never the key).
 * @fires preloop-route-requested - a tab was chosen (`settings/<tab>`).
 * @csspart new-key - the once-only display of a new API key.
 *
 * @example
 * ```html
 * <preloop-settings tab="api-keys"></preloop-settings>
 * ```
 */
export class PreloopSettings extends PreloopElement {
  static override styles = [themeStyles, sharedStyles, settingsStyles];

  /** The tab shown. @default 'users' */
  @property() tab: SettingsTab = 'users';

  @state() private users: User[] = [];
  @state() private teams: Team[] = [];
  @state() private keys: ApiKey[] = [];
  @state() private killSwitch: KillSwitchState | null = null;
  @state() private failure: string | null = null;
  @state() private created: CreatedApiKey | null = null;
  @state() private copied = false;
  @state() private confirm: string | null = null;
  @state() private editingTeam: Team | null = null;
  @state() private killSwitchError: string | null = null;

  constructor() {
    super();
    this.listen(['user-changed', 'team-changed', 'api-key-changed', 'kill-switch-changed', 'reconnected'], () => void this.load());
  }

  protected override clientChanged(_client: PreloopClient): void {
    void this.load();
  }

  /** Reloads users, teams, keys and the kill switch. */
  async load(): Promise<void> {
    const api = this.api;
    if (!api) return;
    try {
      const [users, teams, keys, killSwitch] = await Promise.all([
        collectPages((cursor) => api.users.list({ cursor, limit: 200 })),
        collectPages((cursor) => api.teams.list({ cursor, limit: 200 })),
        api.apiKeys.list({ limit: 200 }),
        api.system.killSwitch().catch(() => null),
      ]);
      this.users = users.items;
      this.teams = teams.items;
      this.keys = keys.items;
      this.killSwitch = killSwitch;
    } catch (error) {
      this.failure = this.reportError('load settings', error);
    }
  }

  private choose(tab: SettingsTab): void {
    const event = new PreloopRouteRequestedEvent(`settings/${tab}`);
    this.dispatchEvent(event);
    if (!event.defaultPrevented) this.tab = tab;
    this.failure = null;
  }

  private async act(action: string, run: (api: PreloopClient) => Promise<unknown>): Promise<boolean> {
    const api = this.api;
    if (!api) return false;
    this.failure = await this.attempt(action, () => run(api));
    if (!this.failure) await this.load();
    return !this.failure;
  }

  /** Changes a user's role; a refused change puts the dropdown back on the role the user still has. */
  private async changeRole(user: User, select: HTMLSelectElement): Promise<void> {
    const changed = await this.act('change role', (api) => api.users.update(user.id, { role: select.value as Role }));
    if (!changed) select.value = user.role;
  }

  private twoStep(id: string, run: () => void): void {
    if (this.confirm === id) {
      this.confirm = null;
      run();
    } else this.confirm = id;
  }

  override render() {
    if (this.signedOut) return this.renderSignedOut();
    return html`
      <div class="page-header">
        <div>
          <h1>Settings</h1>
          <p>People, keys, policy and the emergency stop.</p>
        </div>
      </div>
      <div class="tabs" role="tablist" aria-label="Settings sections">
        ${tabs.map(([tab, label]) => html`<button role="tab" aria-selected=${this.tab === tab ? 'true' : 'false'} @click=${() => this.choose(tab)}>${label}</button>`)}
      </div>
      ${this.failure ? html`<div class="banner error" role="alert">${this.failure}</div>` : nothing}
      <div class="stack">${this.renderTab()}</div>
    `;
  }

  private renderTab() {
    switch (this.tab) {
      case 'teams':
        return this.renderTeams();
      case 'api-keys':
        return this.renderKeys();
      case 'policy': {
        const editor = staticTag(PreloopPolicyEditor, 'preloop-policy-editor');
        return staticHtml`<${editor}></${editor}>`;
      }
      case 'kill-switch':
        return this.renderKillSwitch();
      default:
        return this.renderUsers();
    }
  }

  private async createUser(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const password = String(data.get('password') ?? '');
    const ok = await this.act('create user', (api) =>
      api.users.create({ email: String(data.get('email')).trim(), name: String(data.get('name')).trim(), role: String(data.get('role')) as Role, ...(password ? { password } : {}) }),
    );
    if (ok) form.reset();
  }

  private renderUsers() {
    return html`<section class="card">
      <form class="create" @submit=${this.createUser} aria-label="Add a user">
        <h2>Add a user</h2>
        <div class="form-grid">
          <label class="field">Name <input name="name" required autocomplete="off" /></label>
          <label class="field">Email <input name="email" type="email" required autocomplete="off" /></label>
          <label class="field">Role <select name="role">${roles.map((role) => html`<option ?selected=${role === 'viewer'}>${role}</option>`)}</select></label>
          <label class="field"><span>Password <span class="hint">(optional)</span></span><input name="password" type="password" autocomplete="new-password" minlength="8" /></label>
          <div><button class="primary" type="submit">${icons.plus} Add user</button></div>
        </div>
      </form>
      <div class="table-wrap">
        <table>
          <thead><tr><th>User</th><th>Role</th><th>Status</th><th>Created</th><th><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            ${this.users.map(
              (user) => html`<tr data-id=${user.id}>
                <td><div class="primary-text">${user.name}</div><div class="secondary-text">${user.email}</div></td>
                <td>
                  <select aria-label="Role of ${user.name}" @change=${(event: Event) => this.changeRole(user, event.target as HTMLSelectElement)}>
                    ${roles.map((role) => html`<option ?selected=${role === user.role}>${role}</option>`)}
                  </select>
                </td>
                <td>${user.disabled ? html`<span class="badge danger">disabled</span>` : html`<span class="badge success">active</span>`}</td>
                <td title=${formatTime(user.createdAt)}>${formatRelative(user.createdAt)}</td>
                <td class="actions">
                  <button class="small" @click=${() => this.act(user.disabled ? 'enable user' : 'disable user', (api) => api.users.update(user.id, { disabled: !user.disabled }))}>${user.disabled ? 'Enable' : 'Disable'}</button>
                  <button class=${this.confirm === `user:${user.id}` ? 'danger small' : 'danger-outline small'} @click=${() => this.twoStep(`user:${user.id}`, () => void this.act('delete user', (api) => api.users.delete(user.id)))}>
                    ${this.confirm === `user:${user.id}` ? 'Confirm delete' : 'Delete'}
                  </button>
                </td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
    </section>`;
  }

  private async createTeam(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const ok = await this.act('create team', (api) => api.teams.create(String(data.get('name')).trim(), data.getAll('member').map(String)));
    if (ok) form.reset();
  }

  private async saveMembers(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const team = this.editingTeam;
    const form = event.currentTarget as HTMLFormElement;
    if (!team) return;
    const ids = new FormData(form).getAll('member').map(String);
    if (await this.act('update team members', (api) => api.teams.setMembers(team.id, ids))) this.editingTeam = null;
  }

  private renderTeams() {
    const names = new Map(this.users.map((user) => [user.id, user.name]));
    return html`<section class="card">
      <form class="create" @submit=${this.createTeam} aria-label="Create a team">
        <h2>Create a team</h2>
        <div class="form-grid">
          <label class="field">Name <input name="name" required /></label>
          <div><button class="primary" type="submit">${icons.plus} Create team</button></div>
        </div>
        ${this.memberPicker([])}
      </form>
      ${this.teams.length === 0
        ? html`<div class="empty"><strong>No teams yet</strong><span>Teams name approvers in approval workflows.</span></div>`
        : html`<div class="table-wrap">
            <table>
              <thead><tr><th>Team</th><th>Members</th><th><span class="visually-hidden">Actions</span></th></tr></thead>
              <tbody>
                ${this.teams.map(
                  (team) => html`<tr data-id=${team.id}>
                      <td class="primary-text">${team.name}</td>
                      <td><div class="members">${team.memberIds.length ? team.memberIds.map((id) => html`<span class="tag">${names.get(id) ?? id}</span>`) : html`<span class="muted">none</span>`}</div></td>
                      <td class="actions">
                        <button class="small" @click=${() => (this.editingTeam = this.editingTeam?.id === team.id ? null : team)}>Members</button>
                        <button class=${this.confirm === `team:${team.id}` ? 'danger small' : 'danger-outline small'} @click=${() => this.twoStep(`team:${team.id}`, () => void this.act('delete team', (api) => api.teams.delete(team.id)))}>
                          ${this.confirm === `team:${team.id}` ? 'Confirm delete' : 'Delete'}
                        </button>
                      </td>
                    </tr>
                    ${this.editingTeam?.id === team.id
                      ? html`<tr>
                          <td colspan="3">
                            <form @submit=${this.saveMembers} class="stack">
                              ${this.memberPicker(team.memberIds)}
                              <div class="toolbar"><button class="primary small" type="submit">Save members</button><button class="ghost small" type="button" @click=${() => (this.editingTeam = null)}>Cancel</button></div>
                            </form>
                          </td>
                        </tr>`
                      : nothing}`,
                )}
              </tbody>
            </table>
          </div>`}
    </section>`;
  }

  private memberPicker(selected: string[]) {
    if (this.users.length === 0) return nothing;
    return html`<fieldset class="member-picker">
      <legend class="visually-hidden">Members</legend>
      ${this.users.map((user) => html`<label><input type="checkbox" name="member" value=${user.id} ?checked=${selected.includes(user.id)} /> ${user.name} <span class="muted small">${user.email}</span></label>`)}
    </fieldset>`;
  }

  private async createKey(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const api = this.api;
    const form = event.currentTarget as HTMLFormElement;
    if (!api) return;
    const data = new FormData(form);
    const scopes = data.getAll('scope').map(String) as ApiKeyScope[];
    const days = Number(data.get('expiresInDays') || 0);
    this.copied = false;
    this.failure = await this.attempt('create API key', async () => {
      const created = await api.apiKeys.create({ name: String(data.get('name')).trim(), ...(scopes.length ? { scopes } : {}), ...(days > 0 ? { expiresAt: Date.now() + days * 86_400_000 } : {}) });
      this.created = created;
      this.keys = [created.apiKey, ...this.keys];
      this.dispatchEvent(new PreloopApiKeyCreatedEvent(created.apiKey));
    });
    if (!this.failure) form.reset();
  }

  private async copyKey(): Promise<void> {
    if (!this.created) return;
    try {
      await navigator.clipboard.writeText(this.created.key);
      this.copied = true;
    } catch {
      const code = this.renderRoot.querySelector('.secret code');
      if (code) getSelection()?.selectAllChildren(code);
    }
  }

  private renderKeys() {
    return html`<section class="card">
      ${this.created
        ? html`<div class="secret" part="new-key" role="status">
            <strong>Copy your new key “${this.created.apiKey.name}” now: it will not be shown again.</strong>
            <div class="key">
              <code data-new-key>${this.created.key}</code>
              <button class="small" @click=${this.copyKey}>${icons.copy} ${this.copied ? 'Copied' : 'Copy'}</button>
            </div>
            <div><button class="small primary" @click=${() => (this.created = null)}>I have stored it</button></div>
          </div>`
        : nothing}
      <form class="create" @submit=${this.createKey} aria-label="Create an API key">
        <h2>Create an API key</h2>
        <div class="form-grid">
          <label class="field">Name <input name="name" required placeholder="ci-deploy" /></label>
          <label class="field"><span>Expires in <span class="hint">days, optional</span></span><input name="expiresInDays" type="number" min="1" /></label>
        </div>
        <fieldset class="scopes">
          <legend class="field-legend">Scopes</legend>
          ${apiKeyScopes.map((scope) => html`<label><input type="checkbox" name="scope" value=${scope} ?checked=${scope === 'mcp' || scope === 'gateway'} /> <code>${scope}</code></label>`)}
        </fieldset>
        <div><button class="primary" type="submit">${icons.plus} Create key</button></div>
      </form>
      <div class="table-wrap">
        <table>
          <thead><tr><th>Key</th><th>Scopes</th><th>Last used</th><th>Expires</th><th>Status</th><th><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            ${this.keys.map(
              (key) => html`<tr data-id=${key.id}>
                <td><div class="primary-text">${key.name}</div><div class="secondary-text"><code>${key.prefix}…</code></div></td>
                <td>${key.scopes.map((scope) => html`<span class="tag">${scope}</span>`)}</td>
                <td>${formatRelative(key.lastUsedAt)}</td>
                <td>${key.expiresAt ? formatTime(key.expiresAt) : html`<span class="muted">never</span>`}</td>
                <td>${key.revokedAt ? html`<span class="badge danger">revoked</span>` : html`<span class="badge success">active</span>`}</td>
                <td class="actions">
                  ${key.revokedAt
                    ? nothing
                    : html`<button class=${this.confirm === `key:${key.id}` ? 'danger small' : 'danger-outline small'} @click=${() => this.twoStep(`key:${key.id}`, () => void this.act('revoke API key', (api) => api.apiKeys.revoke(key.id)))}>
                        ${this.confirm === `key:${key.id}` ? 'Confirm revoke' : 'Revoke'}
                      </button>`}
                </td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
    </section>`;
  }

  private renderKillSwitch() {
    return renderKillSwitch({
      state: this.killSwitch,
      formError: this.killSwitchError,
      onStop: async (scopes, reason) => {
        this.killSwitchError = scopes.length ? null : 'Choose what to stop.';
        return scopes.length > 0 && (await this.act('activate the kill switch', (api) => api.system.activateKillSwitch(reason, scopes)));
      },
      onResume: (scopes) => void this.act(scopes ? `resume ${scopes.join(', ')}` : 'resume everything', (api) => api.system.deactivateKillSwitch(scopes)),
    });
  }
}
