import { html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { Agent, ApiKey, BudgetPeriod, BudgetScopeType, BudgetStatus, CreateBudgetInput, ModelAlias } from '../../client/api-types.js';
import { formatMoney, formatRelative, formatTime } from '../../shared/format.js';
import { icons } from '../../shared/icons.js';
import { PreloopElement } from '../../shared/preloop-element.js';
import { sharedStyles } from '../../shared/shared-styles.js';
import { submittedForm } from '../../shared/submitted-form.js';
import { styleProperties } from '../../shared/style-properties.js';
import { themeStyles } from '../../shared/theme.js';
import { budgetsStyles } from './preloop-budgets.styles.js';

const scopeLabels: Record<BudgetScopeType, string> = { account: 'Whole account', agent: 'Agent', api_key: 'API key', model: 'Model' };
const periodLabels: Record<BudgetPeriod, string> = { day: 'Daily', week: 'Weekly', month: 'Monthly' };
const stateLabels: Record<BudgetStatus['state'], [string, string]> = {
  ok: ['Within limits', 'success'],
  soft_limit_reached: ['Soft limit reached', 'warning'],
  below_call_reservation: ['Too little left for a call', 'danger'],
  hard_limit_reached: ['Limit reached', 'danger'],
};

/** Dollars typed in a form field as integer micro-dollars; undefined when empty, NaN when not a number. */
function toMicros(text: string): number | undefined {
  if (text.trim() === '') return undefined;
  const dollars = Number(text);
  return Number.isFinite(dollars) && dollars >= 0 ? Math.round(dollars * 1_000_000) : Number.NaN;
}

/**
 * Spending limits on the gateway's model calls: for the whole account, one
 * agent, one API key or one model alias, per day, week or month. Each shows
 * its spend this period (settled, plus what calls in flight have reserved)
 * against its soft limit (a warning event) and hard limit (calls that could
 * pass it are refused). Add and remove budgets here. `<preloop-models>` shows
 * it under the model aliases.
 *
 * @summary Spend limits on model calls, with each budget's spend this period.
 * @csspart budgets - the budgets card.
 * @csspart meter - the spend meter of a budget.
 *
 * @example
 * ```html
 * <preloop-budgets base-url="https://preloop.internal"></preloop-budgets>
 * ```
 */
export class PreloopBudgets extends PreloopElement {
  static override styles = [themeStyles, sharedStyles, budgetsStyles];

  /** The budgets with their spend, and the agents, keys and models a budget may name (empty where they could not be read). */
  private readonly budgetsTask = this.loadTask('load budgets', async (api) => {
    const [status, agents, keys, models] = await Promise.all([
      api.budgets.status(),
      api.agents.list({ limit: 200 }).catch(() => null),
      api.apiKeys.list({ limit: 200, revoked: false }).catch(() => null),
      api.models.list().catch(() => null),
    ]);
    return { budgets: status.items, agents: agents?.items ?? [], keys: keys?.items ?? [], models: models?.items ?? [] };
  });
  @state() private failure: string | null = null;
  @state() private formError: string | null = null;
  @state() private scopeType: BudgetScopeType = 'account';
  @state() private confirmDelete: string | null = null;

  /** Refresh the spend at most this often while calls stream in. */
  @property({ type: Number, attribute: 'refresh-interval' }) refreshInterval = 1000;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;

  constructor() {
    super();
    this.live.on(['gateway-usage-recorded', 'gateway-budget-soft-limit', 'gateway-budget-exceeded'], () => this.scheduleRefresh());
    this.live.on(['audit-recorded'], (event) => {
      if (event.action.startsWith('gateway.budget.')) void this.load();
    });
    this.live.on(['reconnected'], () => void this.load());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
  }

  private scheduleRefresh(): void {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      void this.load();
    }, this.refreshInterval);
  }

  /** Reloads the budgets and their spend, and the agents, keys and models they may name. */
  async load(): Promise<void> {
    await this.rerun(this.budgetsTask);
  }

  private get agents(): Agent[] {
    return this.budgetsTask.value?.agents ?? [];
  }

  private get keys(): ApiKey[] {
    return this.budgetsTask.value?.keys ?? [];
  }

  private get models(): ModelAlias[] {
    return this.budgetsTask.value?.models ?? [];
  }

  private async openDialog(): Promise<void> {
    this.formError = null;
    this.scopeType = 'account';
    await this.updateComplete;
    const dialog = this.renderRoot.querySelector('dialog');
    dialog?.querySelector('form')?.reset();
    dialog?.showModal();
  }

  private async create(event: SubmitEvent): Promise<void> {
    const { form, text } = submittedForm(event);
    const api = this.api;
    if (!api) return;
    const hard = toMicros(text('hardLimit'));
    const soft = toMicros(text('softLimit'));
    if (Number.isNaN(hard) || Number.isNaN(soft)) {
      this.formError = 'Limits are amounts in US dollars, for example 25 or 2.50.';
      return;
    }
    if (hard === undefined && soft === undefined) {
      this.formError = 'Set a hard limit, a soft limit, or both.';
      return;
    }
    if (hard !== undefined && soft !== undefined && soft > hard) {
      this.formError = 'The soft limit warns before the hard limit: make it the smaller one.';
      return;
    }
    const input: CreateBudgetInput = {
      name: text('name'),
      scope: this.scopeType === 'account' ? { type: 'account' } : { type: this.scopeType, id: text('scopeId') },
      period: text('period') as BudgetPeriod,
      ...(hard !== undefined ? { hardLimitMicros: hard } : {}),
      ...(soft !== undefined ? { softLimitMicros: soft } : {}),
    };
    this.formError = await this.attempt('add budget', async () => {
      await api.budgets.create(input);
      await this.load();
    });
    if (this.formError) return;
    form.reset();
    this.scopeType = 'account';
    form.closest('dialog')?.close();
  }

  private async removeBudget(budget: BudgetStatus): Promise<void> {
    const api = this.api;
    if (!api) return;
    if (this.confirmDelete !== budget.id) {
      this.confirmDelete = budget.id;
      return;
    }
    this.confirmDelete = null;
    this.failure = await this.attempt('remove budget', async () => {
      await api.budgets.delete(budget.id);
      void this.load();
    });
  }

  /** What a budget applies to, by name where the console knows it. */
  private target(budget: BudgetStatus) {
    const { type, id } = budget.scope;
    if (type === 'account') return html`<span>Whole account</span>`;
    const name =
      type === 'agent'
        ? this.agents.find((agent) => agent.id === id)?.name
        : type === 'api_key'
          ? this.keys.find((key) => key.id === id)?.name
          : id;
    return html`<span class="muted">${scopeLabels[type]}</span> <span class=${type === 'model' ? 'mono' : ''}>${name ?? id}</span>`;
  }

  override render() {
    if (this.signedOut) return this.renderSignedOut();
    const notInstalled = this.isNotInstalled(this.budgetsTask);
    return html`<section class="card" part="budgets" aria-labelledby="budgets-title">
        <div class="card-header">
          <div>
            <h2 id="budgets-title">Budgets</h2>
            <p class="muted small">Spend limits on model calls. A call that could take spend past a hard limit is refused before it reaches the provider.</p>
          </div>
          ${notInstalled ? nothing : html`<button class="small" @click=${this.openDialog}>${icons.plus} Add budget</button>`}
        </div>
        ${this.failure ? html`<div class="banner error" role="alert">${this.failure}</div>` : nothing} 
        ${this.renderLoad(this.budgetsTask, ({ budgets }) => this.renderTable(budgets), {
          notInstalled: () =>
            html`<div class="empty">${icons.coins}<strong>Budgets need the model gateway</strong><span>Install <code>@preloop/gateway</code> to cap what agents spend on models.</span></div>`,
        })}
      </section>
      ${notInstalled ? nothing : this.renderDialog()}`;
  }

  private renderTable(budgets: BudgetStatus[]) {
    if (budgets.length === 0) {
      return html`<div class="empty">${icons.coins}<strong>No budgets yet</strong><span>Cap what the account, an agent, a key or a model may spend per day, week or month.</span></div>`;
    }
    return html`<div class="table-wrap">
      <table>
        <thead>
          <tr><th>Budget</th><th>Applies to</th><th class="spend-head">Spend this period</th><th>State</th><th><span class="visually-hidden">Actions</span></th></tr>
        </thead>
        <tbody>
          ${budgets.map((budget) => {
            const [label, tone] = stateLabels[budget.state] ?? [budget.state, ''];
            return html`<tr data-budget=${budget.name}>
              <td><div class="primary-text">${budget.name}</div><div class="secondary-text" title="Since ${formatTime(budget.periodStart)}">${periodLabels[budget.period] ?? budget.period} · resets ${formatRelative(budget.periodEnd)}</div></td>
              <td>${this.target(budget)}</td>
              <td>${this.renderMeter(budget)}</td>
              <td><span class="badge ${tone}">${label}</span></td>
              <td class="actions">
                <button class=${this.confirmDelete === budget.id ? 'danger small' : 'danger-outline small'} @click=${() => this.removeBudget(budget)}>${this.confirmDelete === budget.id ? 'Confirm remove' : 'Remove'}</button>
              </td>
            </tr>`;
          })}
        </tbody>
      </table>
    </div>`;
  }

  /** Spend (and reserved spend) against the hard limit, or the soft limit when there is no hard one; the soft limit as a tick. */
  private renderMeter(budget: BudgetStatus) {
    const scale = budget.hardLimitMicros ?? budget.softLimitMicros ?? 0;
    const percent = (micros: number) => `${Math.min(100, scale > 0 ? (micros / scale) * 100 : 0).toFixed(1)}%`;
    const used = budget.spentMicros + budget.reservedMicros;
    return html`<div class="spend" data-spent=${budget.spentMicros}>
      <div class="figures">
        <strong>${formatMoney(budget.spentMicros)}</strong>
        <span class="muted">of ${formatMoney(scale)}${budget.hardLimitMicros === null ? ' (soft)' : ''}</span>
      </div>
      <div
        class="meter ${budget.state}"
        part="meter"
        role="meter"
        aria-label="Spend of ${budget.name}"
        aria-valuemin="0"
        aria-valuemax=${scale}
        aria-valuenow=${Math.min(budget.spentMicros, scale)}
        aria-valuetext="${formatMoney(budget.spentMicros)} of ${formatMoney(scale)}"
      >
        <span class="reserved" ${styleProperties({ width: percent(used) })}></span>
        <span class="spent" ${styleProperties({ width: percent(budget.spentMicros) })}></span>
        ${
          budget.hardLimitMicros !== null && budget.softLimitMicros !== null
            ? html`<i class="soft" title="Soft limit ${formatMoney(budget.softLimitMicros)}" ${styleProperties({ left: percent(budget.softLimitMicros) })}></i>`
            : nothing
        }
      </div>
      <div class="secondary-text">
        ${[
          budget.reservedMicros > 0 ? `${formatMoney(budget.reservedMicros)} in flight` : null,
          budget.softLimitMicros !== null && budget.hardLimitMicros !== null ? `warns at ${formatMoney(budget.softLimitMicros)}` : null,
        ]
          .filter(Boolean)
          .join(' · ')}
      </div>
    </div>`;
  }

  private renderDialog() {
    const targets: Array<[string, string]> =
      this.scopeType === 'agent'
        ? this.agents.filter((agent) => agent.state !== 'decommissioned').map((agent) => [agent.id, agent.name])
        : this.scopeType === 'api_key'
          ? this.keys.filter((key) => !key.revokedAt).map((key) => [key.id, `${key.name} (${key.prefix}…)`])
          : this.models.map((model) => [model.alias, model.alias]);
    return html`<dialog aria-labelledby="budget-title">
      <form @submit=${this.create}>
        <h2 id="budget-title">Add a budget</h2>
        <label class="field">Name <input name="name" required maxlength="200" placeholder="Monthly model spend" /></label>
        <div class="form-grid">
          <label class="field"
            >Applies to
            <select name="scopeType" @change=${(event: Event) => (this.scopeType = (event.target as HTMLSelectElement).value as BudgetScopeType)}>
              ${Object.entries(scopeLabels).map(([value, label]) => html`<option value=${value} ?selected=${value === this.scopeType}>${label}</option>`)}
            </select>
          </label>
          ${
            this.scopeType === 'account'
              ? nothing
              : html`<label class="field"
                >${scopeLabels[this.scopeType]}
                <select name="scopeId" required>
                  ${targets.length ? targets.map(([value, label]) => html`<option value=${value}>${label}</option>`) : html`<option value="" disabled selected>None yet</option>`}
                </select>
              </label>`
          }
          <label class="field"
            >Period
            <select name="period">
              ${Object.entries(periodLabels).map(([value, label]) => html`<option value=${value} ?selected=${value === 'month'}>${label}</option>`)}
            </select>
          </label>
        </div>
        <div class="form-grid">
          <label class="field"><span>Hard limit <span class="hint">US $</span></span><input name="hardLimit" type="number" min="0" step="any" inputmode="decimal" placeholder="100" /></label>
          <label class="field"><span>Soft limit <span class="hint">US $, warns</span></span><input name="softLimit" type="number" min="0" step="any" inputmode="decimal" placeholder="80" /></label>
        </div>
        <p class="muted small">Periods follow UTC: days start at midnight, weeks on Monday, months on the 1st.</p>
        ${this.formError ? html`<div class="banner error" role="alert">${this.formError}</div>` : nothing}
        <div class="actions">
          <button type="button" class="ghost" @click=${(event: Event) => (event.currentTarget as HTMLElement).closest('dialog')?.close()}>Cancel</button>
          <button type="submit" class="primary">Add budget</button>
        </div>
      </form>
    </dialog>`;
  }
}
