import { html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { Agent, AgentState } from '../../client/api-types.js';
import { PreloopAgentChangedEvent } from '../../events/preloop-events.js';
import { formatRelative, formatTime, toneOf } from '../../shared/format.js';
import { icons } from '../../shared/icons.js';
import { PreloopElement } from '../../shared/preloop-element.js';
import { sharedStyles } from '../../shared/shared-styles.js';
import { themeStyles } from '../../shared/theme.js';
import { agentsStyles } from './preloop-agents.styles.js';

type Pending = { agent: Agent; action: 'suspend' | 'decommission' } | null;

/**
 * Enrolled (managed) agents with their lifecycle: enroll, suspend (keys and
 * runtime credentials refused until resumed), resume, and decommission (for
 * good). Updates live when an agent changes anywhere.
 *
 * @summary Enrolled agents and their lifecycle: enroll, suspend, resume, decommission.
 * @fires preloop-agent-changed - an agent was enrolled or changed state here.
 * @csspart table - the agents table.
 *
 * @example
 * ```html
 * <preloop-agents base-url="https://preloop.internal"></preloop-agents>
 * ```
 */
export class PreloopAgents extends PreloopElement {
  static override styles = [themeStyles, sharedStyles, agentsStyles];

  /** Only agents in this state. */
  @property() state?: AgentState;

  /** Hide the page header. */
  @property({ type: Boolean, attribute: 'no-header' }) noHeader = false;

  private readonly agentsTask = this.loadTask(
    'load agents',
    async (api, [state]) => (await api.agents.list({ limit: 200, ...(state ? { state } : {}) })).items,
    () => [this.state] as const,
  );
  @state() private failure: string | null = null;
  @state() private working = new Set<string>();
  @state() private confirming: Pending = null;
  @state() private enrollError: string | null = null;

  constructor() {
    super();
    this.live.on(['agent-changed', 'reconnected'], () => void this.load());
  }

  /** Reloads the list. */
  async load(): Promise<void> {
    await this.rerun(this.agentsTask);
  }

  private async run(agent: Agent, action: 'suspend' | 'resume' | 'decommission', reason?: string): Promise<void> {
    const api = this.api;
    if (!api) return;
    this.working = new Set(this.working).add(agent.id);
    try {
      const updated =
        action === 'resume'
          ? await api.agents.resume(agent.id)
          : action === 'suspend'
            ? await api.agents.suspend(agent.id, reason)
            : await api.agents.decommission(agent.id, reason);
      this.failure = null;
      void this.load();
      this.dispatchEvent(new PreloopAgentChangedEvent(updated));
    } catch (error) {
      this.failure = this.reportError(`${action} agent`, error);
    } finally {
      const working = new Set(this.working);
      working.delete(agent.id);
      this.working = working;
    }
  }

  private ask(agent: Agent, action: 'suspend' | 'decommission'): void {
    this.confirming = { agent, action };
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLDialogElement>('dialog.confirm')?.showModal());
  }

  private async confirm(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const pending = this.confirming;
    const dialog = event.currentTarget instanceof HTMLFormElement ? event.currentTarget.closest('dialog') : null;
    const reason = ((event.currentTarget as HTMLFormElement).elements.namedItem('reason') as HTMLInputElement).value.trim();
    dialog?.close();
    this.confirming = null;
    if (pending) await this.run(pending.agent, pending.action, reason || undefined);
  }

  private openEnroll(): void {
    this.renderRoot.querySelector<HTMLDialogElement>('dialog.enroll')?.showModal();
  }

  private async enroll(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const api = this.api;
    const form = event.currentTarget as HTMLFormElement;
    if (!api) return;
    const data = new FormData(form);
    const tags = String(data.get('tags') ?? '')
      .split(',')
      .map((tag) => tag.trim())
      .filter(Boolean);
    const failure = await this.attempt('enroll agent', async () => {
      const agent = await api.agents.enroll({
        name: String(data.get('name')).trim(),
        kind: String(data.get('kind')).trim(),
        ...(tags.length ? { tags } : {}),
      });
      void this.load();
      this.dispatchEvent(new PreloopAgentChangedEvent(agent));
    });
    this.enrollError = failure;
    if (failure) return;
    form.reset();
    form.closest('dialog')?.close();
  }

  override render() {
    if (this.signedOut) return this.renderSignedOut();
    const states: Array<[AgentState | undefined, string]> = [
      [undefined, 'All'],
      ['active', 'Active'],
      ['suspended', 'Suspended'],
      ['decommissioned', 'Decommissioned'],
    ];
    return html`
      ${
        this.noHeader
          ? nothing
          : html`<div class="page-header">
            <div>
              <h1>Agents</h1>
              <p>Enrolled agents and their lifecycle. Suspending one stops its keys and sessions at once.</p>
            </div>
            <button class="primary" @click=${this.openEnroll}>${icons.plus} Enroll agent</button>
          </div>`
      }
      ${this.failure ? html`<div class="banner error" role="alert">${this.failure}</div>` : nothing}
      <section class="card">
        <div class="card-header">
          <div class="tabs" role="tablist" aria-label="Filter by state">
            ${states.map(([value, label]) => html`<button role="tab" aria-selected=${this.state === value ? 'true' : 'false'} @click=${() => (this.state = value)}>${label}</button>`)}
          </div>
        </div>
        ${this.renderLoad(this.agentsTask, (agents) => this.renderTable(agents))}
      </section>
      ${this.renderDialogs()}
    `;
  }

  private renderTable(agents: Agent[]) {
    if (agents.length === 0)
      return html`<div class="empty">${icons.agents}<strong>No agents here</strong><span>Enroll an agent to govern its keys and sessions.</span></div>`;
    return html`<div class="table-wrap">
      <table part="table">
        <thead>
          <tr><th>Agent</th><th>State</th><th class="optional">Tags</th><th class="optional">Last seen</th><th class="optional">Enrolled</th><th><span class="visually-hidden">Actions</span></th></tr>
        </thead>
        <tbody>
          ${agents.map((agent) => {
            const busy = this.working.has(agent.id);
            return html`<tr data-id=${agent.id}>
              <td>
                <div class="agent">
                  <span class="agent-icon">${icons.agents}</span>
                  <div><div class="primary-text">${agent.name}</div><div class="secondary-text">${agent.kind}</div></div>
                </div>
              </td>
              <td><span class="badge ${toneOf(agent.state)}" title=${agent.stateReason ?? ''}>${agent.state}</span></td>
              <td class="optional">${agent.tags.length ? agent.tags.map((tag) => html`<span class="tag">${tag}</span>`) : html`<span class="muted">—</span>`}</td>
              <td class="optional" title=${formatTime(agent.lastSeenAt)}>${formatRelative(agent.lastSeenAt)}</td>
              <td class="optional" title=${formatTime(agent.createdAt)}>${formatRelative(agent.createdAt)}</td>
              <td class="actions">
                ${agent.state === 'active' ? html`<button class="small" ?disabled=${busy} @click=${() => this.ask(agent, 'suspend')}>Suspend</button>` : nothing}
                ${agent.state === 'suspended' ? html`<button class="small" ?disabled=${busy} @click=${() => this.run(agent, 'resume')}>Resume</button>` : nothing}
                ${agent.state !== 'decommissioned' ? html`<button class="small danger-outline" ?disabled=${busy} @click=${() => this.ask(agent, 'decommission')}>Decommission</button>` : nothing}
              </td>
            </tr>`;
          })}
        </tbody>
      </table>
    </div>`;
  }

  private renderDialogs() {
    const pending = this.confirming;
    return html`
      <dialog class="enroll" aria-labelledby="enroll-title">
        <form @submit=${this.enroll}>
          <h2 id="enroll-title">Enroll an agent</h2>
          <label class="field">Name <input name="name" required maxlength="200" placeholder="release-bot" /></label>
          <label class="field"><span>Kind <span class="hint">lower-case, for example claude_code, codex, custom</span></span><input name="kind" required pattern="[a-z0-9][a-z0-9_.\\-]{0,63}" placeholder="claude_code" /></label>
          <label class="field"><span>Tags <span class="hint">comma-separated</span></span><input name="tags" placeholder="ci, production" /></label>
          ${this.enrollError ? html`<div class="banner error" role="alert">${this.enrollError}</div>` : nothing}
          <div class="actions">
            <button type="button" class="ghost" @click=${(event: Event) => (event.currentTarget as HTMLElement).closest('dialog')?.close()}>Cancel</button>
            <button type="submit" class="primary">Enroll</button>
          </div>
        </form>
      </dialog>
      <dialog class="confirm" aria-labelledby="confirm-title" @close=${() => (this.confirming = null)}>
        ${
          pending
            ? html`<form @submit=${this.confirm}>
              <h2 id="confirm-title">${pending.action === 'suspend' ? 'Suspend' : 'Decommission'} ${pending.agent.name}?</h2>
              <p class="muted">
                ${
                  pending.action === 'suspend'
                    ? 'Its API keys and runtime credentials are refused until you resume it.'
                    : 'This is permanent: its keys are revoked and its sessions end.'
                }
              </p>
              <label class="field"><span>Reason <span class="hint">(optional, recorded in the audit log)</span></span><input name="reason" maxlength="500" /></label>
              <div class="actions">
                <button type="button" class="ghost" @click=${(event: Event) => (event.currentTarget as HTMLElement).closest('dialog')?.close()}>Cancel</button>
                <button type="submit" class=${pending.action === 'suspend' ? 'primary' : 'danger'}>${pending.action === 'suspend' ? 'Suspend' : 'Decommission'}</button>
              </div>
            </form>`
            : nothing
        }
      </dialog>
    `;
  }
}
