import { html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { html as staticHtml } from 'lit/static-html.js';
import type { CreateModelInput, ModelAlias, UsageSummaryRow } from '../../client/api-types.js';
import { staticTag } from '../../define/element-tag.js';
import { formatCount, formatMoney, startOfToday } from '../../shared/format.js';
import { icons } from '../../shared/icons.js';
import { PreloopElement } from '../../shared/preloop-element.js';
import { sharedStyles } from '../../shared/shared-styles.js';
import { submittedForm } from '../../shared/submitted-form.js';
import { themeStyles } from '../../shared/theme.js';
import { PreloopBudgets } from '../preloop-budgets/preloop-budgets.js';
import { modelsStyles } from './preloop-models.styles.js';

const day = 86_400_000;

/**
 * Model aliases the gateway serves: provider, upstream model, a credential kept
 * as an encrypted secret (write-only: it is never shown again), prices, and
 * each model's usage over the last 30 days. Add and remove aliases here.
 * Below them, `<preloop-budgets>`: spend limits and spend this period.
 *
 * @summary Model aliases the gateway serves, with their usage and spend.
 * @csspart table - the models table.
 *
 * @example
 * ```html
 * <preloop-models base-url="https://preloop.internal"></preloop-models>
 * ```
 */
export class PreloopModels extends PreloopElement {
  static override styles = [themeStyles, sharedStyles, modelsStyles];

  /** Hide the page header. */
  @property({ type: Boolean, attribute: 'no-header' }) noHeader = false;

  /** Leave out the budgets section. */
  @property({ type: Boolean, attribute: 'no-budgets' }) noBudgets = false;

  /** The aliases, with their usage over the last 30 days (null when the usage summary could not be read). */
  private readonly modelsTask = this.loadTask('load models', async (api) => {
    // Both together, so a row never shows a usage figure before the usage summary arrived.
    const [page, usage] = await Promise.all([
      api.models.list(),
      api.models.usage({ groupBy: 'model', from: startOfToday() - 29 * day }).catch(() => null),
    ]);
    return {
      models: page.items,
      usage: usage ? new Map(usage.rows.filter((row) => row.key !== null).map((row) => [row.key!, row])) : null,
    };
  });
  @state() private failure: string | null = null;
  @state() private formError: string | null = null;
  @state() private confirmDelete: string | null = null;

  constructor() {
    super();
    this.live.on(['audit-recorded'], (event) => {
      if (event.action.startsWith('gateway.model') || event.action.startsWith('model.')) void this.load();
    });
    this.live.on(['reconnected'], () => void this.load());
  }

  /** Reloads models and their usage. */
  async load(): Promise<void> {
    await this.rerun(this.modelsTask);
  }

  private async create(event: SubmitEvent): Promise<void> {
    const { form, text } = submittedForm(event);
    const api = this.api;
    if (!api) return;
    const price = (name: string) => (text(name) === '' ? undefined : Number(text(name)));
    const input: CreateModelInput = { alias: text('alias'), provider: text('provider'), model: text('model') };
    if (text('baseUrl')) input.baseUrl = text('baseUrl');
    if (text('apiKey')) input.apiKey = text('apiKey');
    const [priceInput, priceOutput] = [price('priceInput'), price('priceOutput')];
    if ((priceInput === undefined) !== (priceOutput === undefined)) {
      this.formError = 'Give both prices, or neither to use the default price table.';
      return;
    }
    if (priceInput !== undefined && priceOutput !== undefined) input.prices = { input: priceInput, output: priceOutput };
    this.formError = await this.attempt('add model', async () => {
      await api.models.create(input);
      void this.load();
    });
    if (this.formError) return;
    form.reset();
    form.closest('dialog')?.close();
  }

  private async removeModel(alias: string): Promise<void> {
    const api = this.api;
    if (!api) return;
    if (this.confirmDelete !== alias) {
      this.confirmDelete = alias;
      return;
    }
    this.confirmDelete = null;
    this.failure = await this.attempt('remove model', async () => {
      await api.models.delete(alias);
      void this.load();
    });
  }

  override render() {
    if (this.signedOut) return this.renderSignedOut();
    const notInstalled = this.isNotInstalled(this.modelsTask);
    return html`
      ${
        this.noHeader
          ? nothing
          : html`<div class="page-header">
            <div>
              <h1>Models</h1>
              <p>Aliases agents call through the gateway. Provider credentials stay on the server.</p>
            </div>
            ${notInstalled ? nothing : html`<button class="primary" @click=${() => this.renderRoot.querySelector('dialog')?.showModal()}>${icons.plus} Add model</button>`}
          </div>`
      }
      ${this.failure ? html`<div class="banner error" role="alert">${this.failure}</div>` : nothing}
      <section class="card">
        ${this.renderLoad(this.modelsTask, ({ models, usage }) => this.renderTable(models, usage), {
          notInstalled: () =>
            html`<div class="empty">${icons.models}<strong>The model gateway is not installed</strong><span>Install <code>@preloop/gateway</code> to route agents’ model calls through Preloop.</span></div>`,
        })}
      </section>
      ${notInstalled ? nothing : this.renderDialog()} ${notInstalled || this.noBudgets ? nothing : this.renderBudgets()}
    `;
  }

  private renderBudgets() {
    const budgets = staticTag(PreloopBudgets, 'preloop-budgets');
    return staticHtml`<${budgets} class="budgets" .client=${this.api}></${budgets}>`;
  }

  private renderTable(models: ModelAlias[], usageByAlias: Map<string, UsageSummaryRow> | null) {
    if (models.length === 0)
      return html`<div class="empty">${icons.models}<strong>No models yet</strong><span>Add an alias, for example <code>fast</code> → <code>gpt-4o-mini</code>.</span></div>`;
    return html`<div class="table-wrap">
      <table part="table">
        <thead>
          <tr><th>Alias</th><th>Provider</th><th>Credential</th><th>Price in / out</th><th>Requests · 30 d</th><th>Spend · 30 d</th><th><span class="visually-hidden">Actions</span></th></tr>
        </thead>
        <tbody>
          ${models.map((model) => {
            const usage = usageByAlias?.get(model.alias);
            const prices = model.prices;
            return html`<tr data-alias=${model.alias}>
              <td><div class="alias">${model.alias}</div><div class="secondary-text">${model.model}${model.fallback ? ` · falls back to ${model.fallback}` : ''}</div></td>
              <td>${model.provider}${model.baseUrl ? html`<div class="secondary-text">${model.baseUrl}</div>` : nothing}</td>
              <td>${model.hasCredential === false ? html`<span class="badge">none</span>` : html`<span class="badge success">secret stored</span>`}</td>
              <td class="num">${prices ? `$${prices.input} / $${prices.output}` : html`<span class="muted">default table</span>`}</td>
              <td class="num">${usageByAlias ? formatCount(usage?.calls ?? 0) : html`<span title="Usage could not be read">—</span>`}</td>
              <td class="num">${usageByAlias ? (usage ? formatMoney(usage.costMicros) : '$0.00') : html`<span title="Usage could not be read">—</span>`}${usage?.unpricedCalls ? html`<div class="secondary-text">${usage.unpricedCalls} unpriced</div>` : nothing}</td>
              <td class="actions">
                <button class=${this.confirmDelete === model.alias ? 'danger small' : 'danger-outline small'} @click=${() => this.removeModel(model.alias)}>${this.confirmDelete === model.alias ? 'Confirm remove' : 'Remove'}</button>
              </td>
            </tr>`;
          })}
        </tbody>
      </table>
    </div>`;
  }

  private renderDialog() {
    return html`<dialog aria-labelledby="model-title">
      <form @submit=${this.create}>
        <h2 id="model-title">Add a model alias</h2>
        <div class="form-grid">
          <label class="field">Alias <input name="alias" required placeholder="fast" /></label>
          <label class="field"
            >Provider
            <input name="provider" required list="providers" placeholder="openai" />
            <datalist id="providers"><option value="openai"></option><option value="anthropic"></option></datalist>
          </label>
        </div>
        <label class="field">Upstream model <input name="model" required placeholder="gpt-4o-mini" /></label>
        <label class="field"><span>Base URL <span class="hint">(optional, for OpenAI-compatible servers)</span></span><input name="baseUrl" type="url" placeholder="https://api.openai.com/v1" /></label>
        <label class="field"
          >Provider API key
          <input name="apiKey" type="password" autocomplete="off" />
          <span class="secret-note">Stored encrypted as a secret. It is never shown again and never reaches agents.</span>
        </label>
        <div class="form-grid">
          <label class="field"><span>Input price <span class="hint">$ / 1M tokens</span></span><input name="priceInput" type="number" min="0" step="any" /></label>
          <label class="field"><span>Output price <span class="hint">$ / 1M tokens</span></span><input name="priceOutput" type="number" min="0" step="any" /></label>
        </div>
        ${this.formError ? html`<div class="banner error" role="alert">${this.formError}</div>` : nothing}
        <div class="actions">
          <button type="button" class="ghost" @click=${(event: Event) => (event.currentTarget as HTMLElement).closest('dialog')?.close()}>Cancel</button>
          <button type="submit" class="primary">Add model</button>
        </div>
      </form>
    </dialog>`;
  }
}
