import { html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { Execution, Flow, FlowBody, FlowTrigger, SavedFlow } from '../../client/api-types.js';
import { PreloopRouteRequestedEvent } from '../../events/preloop-events.js';
import { formatMoney, formatRelative, toneOf } from '../../shared/format.js';
import { ConfirmController } from '../../shared/confirm-controller.js';
import { icons } from '../../shared/icons.js';
import { PreloopElement } from '../../shared/preloop-element.js';
import { sharedStyles } from '../../shared/shared-styles.js';
import { submittedForm } from '../../shared/submitted-form.js';
import { themeStyles } from '../../shared/theme.js';
import { describeTrigger, flowBodyFromForm, flowDraft, primaryTrigger, type TriggerType } from './flow-form.js';
import { flowPresets, sampleTrackerEvent } from './flow-presets.js';
import { flowsStyles } from './preloop-flows.styles.js';

/** A flow with its last execution and how many runs the list counted (at most 100, then `100+`). */
interface FlowRow {
  flow: Flow;
  last: Execution | null;
  runs: string;
}

/**
 * Flows: the list (triggers, enabled, last execution, runs), a form-based
 * builder to create or edit one (from a preset: issue triage, PR review), its
 * trigger and filter, the prompt template with a preview against a sample
 * event, runtime, model, tools, limits and approval; enable or disable, run
 * now with inputs, delete. Live: the list follows `flow-changed` and
 * `flow-execution-updated`.
 *
 * @summary Flows: list, build, enable, run.
 * @fires preloop-route-requested - to open an execution (`executions/<id>`) or a flow's executions (`flows/<id>/executions`).
 * @csspart table - the flows table.
 *
 * @example
 * ```html
 * <preloop-flows base-url="https://preloop.internal"></preloop-flows>
 * ```
 */
export class PreloopFlows extends PreloopElement {
  static override styles = [themeStyles, sharedStyles, flowsStyles];

  /** Hide the section header. */
  @property({ type: Boolean, attribute: 'no-header' }) noHeader = false;

  private readonly flowsTask = this.loadTask('load the flows', async (api, _args, signal) => {
    const { items } = await api.route('GET /flows', { signal });
    return Promise.all(
      items.map(async (flow): Promise<FlowRow> => {
        const page = await api.route('GET /flows/:id/executions', { params: { id: flow.id }, query: { limit: 100 }, signal });
        return { flow, last: page.items[0] ?? null, runs: `${page.items.length}${page.nextCursor ? '+' : ''}` };
      }),
    );
  });
  /** What the builder's selects offer: model aliases, tools and tracker connections (each empty when its plugin is absent). */
  private readonly choicesTask = this.loadTask('load models and tools', async (api, _args, signal) => {
    const [runtimes, models, tools, connections] = await Promise.all([
      api.route('GET /flows/runtimes', { signal }).catch(() => ({ items: [{ id: 'agent-loop', description: '' }] })),
      api.route('GET /models', { signal }).catch(() => ({ items: [] })),
      api.route('GET /tools', { signal }).catch(() => ({ items: [] })),
      api.route('GET /trackers/connections', { signal }).catch(() => ({ items: [] })),
    ]);
    return {
      runtimes: runtimes.items,
      models: (models.items as Array<{ alias: string }>).map((model) => model.alias),
      tools: (tools.items as Array<{ name: string }>).map((tool) => tool.name),
      connections: connections.items.map((connection) => connection.name),
    };
  });

  @state() private failure: string | null = null;
  @state() private formError: string | null = null;
  /** The flow being edited (null: a new one) and the form's values. */
  @state() private editing: string | null = null;
  @state() private draft: FlowBody = flowDraft(null);
  @state() private triggerType: TriggerType = 'manual';
  @state() private preview: string | null = null;
  /** The schedule's next fire times (epoch ms), or why there are none. */
  @state() private nextRuns: number[] | string | null = null;
  /** A webhook secret just made, shown once. */
  @state() private secret: { name: string; url: string; secret: string } | null = null;
  @state() private running: Flow | null = null;
  @state() private started: Execution | null = null;
  private readonly confirmDelete = new ConfirmController(this);

  constructor() {
    super();
    this.live.on(['flow-changed', 'flow-execution-updated', 'reconnected'], () => void this.load());
  }

  /** Reloads the flows. */
  async load(): Promise<void> {
    await this.rerun(this.flowsTask);
  }

  private dialog(name: string): HTMLDialogElement | null {
    return this.renderRoot.querySelector<HTMLDialogElement>(`dialog.${name}`);
  }

  private openBuilder(flow: Flow | null): void {
    this.editing = flow?.id ?? null;
    this.draft = flowDraft(flow);
    this.triggerType = primaryTrigger(this.draft).type;
    this.preview = null;
    this.nextRuns = null;
    this.formError = null;
    void this.rerun(this.choicesTask);
    this.dialog('builder')?.showModal();
  }

  private applyPreset(id: string, connection: string, model: string): void {
    const preset = flowPresets.find((item) => item.id === id);
    if (!preset || !connection) return;
    this.draft = preset.build({ connection, model: model || null });
    this.triggerType = primaryTrigger(this.draft).type;
    this.preview = null;
  }

  private async save(event: SubmitEvent): Promise<void> {
    const { form } = submittedForm(event);
    const api = this.api;
    if (!api) return;
    this.formError = await this.attempt('save the flow', async () => {
      const body = flowBodyFromForm(new FormData(form), this.draft);
      const saved: SavedFlow = this.editing
        ? await api.route('PUT /flows/:id', { params: { id: this.editing }, body })
        : await api.route('POST /flows', { body });
      if (saved.webhookSecret && saved.flow.webhookUrl)
        this.secret = { name: saved.flow.name, url: saved.flow.webhookUrl, secret: saved.webhookSecret };
      void this.load();
    });
    if (!this.formError) form.closest('dialog')?.close();
  }

  private async renderPreview(): Promise<void> {
    const form = this.renderRoot.querySelector<HTMLFormElement>('dialog.builder form');
    const api = this.api;
    if (!form || !api) return;
    const data = new FormData(form);
    this.formError = await this.attempt('preview the prompt', async () => {
      let sample: unknown = null;
      const text = String(data.get('sampleEvent') ?? '').trim();
      if (text) {
        try {
          sample = JSON.parse(text);
        } catch {
          throw new Error('Sample event: not valid JSON');
        }
      }
      const result = await api.route('POST /flows/preview', {
        body: {
          prompt: String(data.get('prompt') ?? ''),
          event: sample,
          flow: { id: this.editing ?? 'flow_preview', name: String(data.get('name') || 'preview') },
        },
      });
      this.preview = result.rendered;
    });
  }

  /** Asks the server for the schedule's next fire times (as the trigger will read its cron and time zone). */
  private async previewSchedule(): Promise<void> {
    const form = this.renderRoot.querySelector<HTMLFormElement>('dialog.builder form');
    const api = this.api;
    if (!form || !api) return;
    const data = new FormData(form);
    const cron = String(data.get('cron') ?? '').trim();
    if (!cron) return;
    try {
      const { times } = await api.route('POST /flows/schedule-preview', {
        body: { cron, timezone: String(data.get('timezone') ?? '').trim() || 'UTC', count: 5 },
      });
      this.nextRuns = times;
    } catch (error) {
      this.nextRuns = error instanceof Error ? error.message : String(error);
    }
  }

  private async setEnabled(flow: Flow, enabled: boolean): Promise<void> {
    const api = this.api;
    if (!api) return;
    this.failure = await this.attempt(enabled ? 'enable the flow' : 'disable the flow', async () => {
      await api.route('POST /flows/:id/enabled', { params: { id: flow.id }, body: { enabled } });
      void this.load();
    });
  }

  private openRun(flow: Flow): void {
    this.running = flow;
    this.started = null;
    this.formError = null;
    this.dialog('run')?.showModal();
  }

  private async run(event: SubmitEvent): Promise<void> {
    const { form, data } = submittedForm(event);
    const api = this.api;
    const flow = this.running;
    if (!api || !flow) return;
    const inputs: Record<string, string | number | boolean> = {};
    for (const [name, declaration] of Object.entries(flow.inputs)) {
      const raw = String(data.get(`input.${name}`) ?? '');
      if (declaration.type === 'boolean') inputs[name] = data.get(`input.${name}`) === 'on';
      else if (raw !== '') inputs[name] = declaration.type === 'number' ? Number(raw) : raw;
    }
    this.formError = await this.attempt('start the flow', async () => {
      this.started = await api.route('POST /flows/:id/run', { params: { id: flow.id }, body: { inputs } });
      void this.load();
    });
    if (!this.formError) form.closest('dialog')?.close();
  }

  private async deleteFlow(flow: Flow): Promise<void> {
    const api = this.api;
    if (!api) return;
    if (!this.confirmDelete.confirmed(flow.id)) return;
    this.failure = await this.attempt('delete the flow', async () => {
      await api.route('DELETE /flows/:id', { params: { id: flow.id } });
      void this.load();
    });
  }

  private open(route: string): void {
    this.dispatchEvent(new PreloopRouteRequestedEvent(route));
  }

  override render() {
    if (this.signedOut) return this.renderSignedOut();
    return html`
      ${
        this.noHeader
          ? nothing
          : html`<div class="card-header">
            <h2>Flows</h2>
            <button class="primary small" @click=${() => this.openBuilder(null)}>${icons.plus} New flow</button>
          </div>`
      }
      ${this.failure ? html`<div class="banner error" role="alert">${this.failure}</div>` : nothing}
      ${
        this.secret
          ? html`<div class="banner success created" role="status">
            <strong>${this.secret.name}</strong> has a webhook: POST to <code class="webhook-url">${this.secret.url}</code>, signing with the secret
            <code class="webhook-secret">${this.secret.secret}</code> (shown once; replace it with <code>POST /flows/:id/webhook-secret</code>).
            <button class="ghost small" @click=${() => (this.secret = null)}>Done</button>
          </div>`
          : nothing
      }
      ${
        this.started
          ? html`<div class="banner success started" role="status">
            Execution <code>${this.started.id}</code> is ${this.started.status}.
            <button class="ghost small" @click=${() => this.open(`executions/${this.started!.id}`)}>Open</button>
          </div>`
          : nothing
      }
      ${this.renderLoad(this.flowsTask, (rows) => this.renderTable(rows), {
        notInstalled: () =>
          html`<div class="empty">${icons.pulse}<strong>No flows on this server</strong><span>Add <code>flows()</code> to its plugins.</span></div>`,
      })}
      ${this.renderBuilder()} ${this.renderRunDialog()}
    `;
  }

  private renderTable(rows: FlowRow[]) {
    if (rows.length === 0)
      return html`<div class="empty">${icons.pulse}<strong>No flows yet</strong><span>Start from a preset: issue triage or PR review.</span></div>`;
    return html`<div class="table-wrap">
      <table part="table">
        <thead>
          <tr><th>Flow</th><th>Triggers</th><th>Enabled</th><th>Last execution</th><th>Runs</th><th><span class="visually-hidden">Actions</span></th></tr>
        </thead>
        <tbody>
          ${rows.map(
            ({ flow, last, runs }) => html`<tr data-flow=${flow.name}>
              <td><div class="name">${flow.name}</div><div class="secondary-text">${flow.runtime.id}${flow.model ? html` · ${flow.model}` : nothing}</div></td>
              <td>${flow.triggers.map((trigger) => html`<div class="trigger">${describeTrigger(trigger)}</div>`)}</td>
              <td>
                <label class="toggle"><input type="checkbox" .checked=${flow.enabled} @change=${(event: Event) => this.setEnabled(flow, (event.target as HTMLInputElement).checked)} />
                  <span class="visually-hidden">Enabled</span> ${flow.enabled ? 'on' : 'off'}</label>
              </td>
              <td class="last">
                ${
                  last
                    ? html`<span class="badge ${toneOf(last.status)}">${last.status}</span> ${formatRelative(last.createdAt)}
                      ${last.costMicros ? html`<span class="secondary-text">${formatMoney(last.costMicros)}</span>` : nothing}`
                    : html`<span class="muted">never</span>`
                }
              </td>
              <td class="runs">${runs}</td>
              <td class="actions">
                <button class="secondary small" @click=${() => this.openRun(flow)} ?disabled=${!flow.enabled}>Run now</button>
                <button class="secondary small" @click=${() => this.open(`flows/${flow.id}/executions`)}>Executions</button>
                <button class="secondary small" @click=${() => this.openBuilder(flow)}>Edit</button>
                <button class=${this.confirmDelete.asking(flow.id) ? 'danger small' : 'danger-outline small'} @click=${() => this.deleteFlow(flow)}>
                  ${this.confirmDelete.asking(flow.id) ? 'Confirm delete' : 'Delete'}
                </button>
              </td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }

  private renderBuilder() {
    const draft = this.draft;
    const trigger = primaryTrigger(this.draft);
    const event = trigger.type === 'event' ? trigger : null;
    const schedule = trigger.type === 'schedule' ? trigger : null;
    const hasManual = ((draft.triggers ?? []) as FlowTrigger[]).some((item) => item.type === 'manual') && trigger.type !== 'manual';
    const choices = this.choicesTask.value ?? { runtimes: [], models: [], tools: [], connections: [] };
    const tools = new Set(draft.tools ?? []);
    const otherTools = (draft.tools ?? []).filter((tool) => !choices.tools.includes(tool));
    const sample = JSON.stringify(
      sampleTrackerEvent(event?.types?.includes('pull_request.opened') ? 'pull_request.opened' : 'issue.labeled'),
      null,
      2,
    );
    return html`<dialog class="builder" aria-labelledby="builder-title">
      <form @submit=${(submit: SubmitEvent) => this.save(submit)}>
        <h2 id="builder-title">${this.editing ? `Edit ${draft.name}` : 'New flow'}</h2>
        ${
          this.editing
            ? nothing
            : html`<fieldset class="preset">
              <legend class="field-legend">Start from a preset</legend>
              <div class="row">
                <label class="field">Preset
                  <select name="preset">${flowPresets.map((preset) => html`<option value=${preset.id}>${preset.label}</option>`)}</select>
                </label>
                <label class="field">Tracker connection
                  <select name="presetConnection">${choices.connections.map((name) => html`<option value=${name}>${name}</option>`)}</select>
                </label>
                <button type="button" class="secondary small" ?disabled=${choices.connections.length === 0}
                  @click=${(click: Event) => {
                    const form = (click.currentTarget as HTMLElement).closest('form')!;
                    const data = new FormData(form);
                    this.applyPreset(
                      String(data.get('preset')),
                      String(data.get('presetConnection') ?? ''),
                      String(data.get('model') ?? ''),
                    );
                  }}>Use preset</button>
              </div>
              ${choices.connections.length === 0 ? html`<span class="hint">Connect a tracker (Settings › Trackers) to use a preset.</span>` : nothing}
            </fieldset>`
        }
        <div class="row">
          <label class="field">Name<input name="name" required maxlength="200" .value=${draft.name} /></label>
          <label class="field">Description<input name="description" maxlength="2000" .value=${draft.description ?? ''} /></label>
        </div>
        <fieldset class="trigger">
          <legend class="field-legend">Trigger</legend>
          <label class="field">Starts on
            <select name="trigger" @change=${(change: Event) => (this.triggerType = (change.target as HTMLSelectElement).value as TriggerType)}>
              ${(['event', 'webhook', 'schedule', 'manual'] as const).map(
                (type) =>
                  html`<option value=${type} ?selected=${this.triggerType === type}>${{ event: 'A tracker event', webhook: 'A signed webhook', schedule: 'A schedule', manual: 'Only by hand' }[type]}</option>`,
              )}
            </select>
          </label>
          ${
            this.triggerType === 'event'
              ? html`<div class="row">
                  <label class="field">Kernel event<input name="event" .value=${event?.event ?? 'tracker-event'} /></label>
                  <label class="field"><span>Event types <span class="hint">comma-separated: issue.opened, issue.labeled, pull_request.opened…</span></span><input name="types" .value=${event?.types?.join(', ') ?? ''} /></label>
                </div>
                <div class="row">
                  <label class="field"><span>Projects <span class="hint">owner/repo; empty: any</span></span><input name="projects" .value=${event?.projects?.join(', ') ?? ''} /></label>
                  <label class="field"><span>Labels <span class="hint">empty: any</span></span><input name="labels" .value=${event?.labels?.join(', ') ?? ''} /></label>
                </div>
                <label class="field"><span>Condition <span class="hint">CEL over <code>event</code>, for example <code>event.issue.author != "dependabot"</code></span></span><input name="condition" class="mono" .value=${event?.condition ?? ''} /></label>`
              : nothing
          }
          ${
            this.triggerType === 'schedule'
              ? html`<div class="row">
                  <label class="field"><span>Cron <span class="hint">five fields, or six with seconds first</span></span><input name="cron" required .value=${schedule?.cron ?? '0 9 * * 1-5'} @change=${() => this.previewSchedule()} /></label>
                  <label class="field"><span>Time zone <span class="hint">IANA, for example Europe/Paris</span></span><input name="timezone" .value=${schedule?.timezone ?? 'UTC'} @change=${() => this.previewSchedule()} /></label>
                </div>
                ${this.renderNextRuns(schedule?.timezone)}`
              : nothing
          }
          ${this.triggerType === 'webhook' ? html`<p class="hint">Saving shows the flow's webhook URL and its signing secret, once.</p>` : nothing}
          ${
            this.triggerType !== 'manual'
              ? html`<label class="checkbox"><input type="checkbox" name="manual" .checked=${hasManual} /> Also start it by hand</label>`
              : nothing
          }
          <label class="field"><span>Inputs <span class="hint">JSON, for example <code>{"issue": {"type": "string", "required": true}}</code></span></span>
            <textarea name="inputs" class="mono" rows="2" .value=${Object.keys(draft.inputs ?? {}).length ? JSON.stringify(draft.inputs) : ''}></textarea></label>
        </fieldset>
        <fieldset class="prompt">
          <legend class="field-legend">Prompt</legend>
          <label class="field"><span>Template <span class="hint">Liquid over <code>event</code>, <code>inputs</code>, <code>flow</code></span></span>
            <textarea name="prompt" class="prompt" required .value=${draft.prompt}></textarea></label>
          <label class="field">Sample event (JSON)<textarea name="sampleEvent" class="mono" rows="4" .value=${sample}></textarea></label>
          <button type="button" class="secondary small" @click=${() => this.renderPreview()}>Preview</button>
          ${this.preview !== null ? html`<pre class="preview" tabindex="0" aria-label="Rendered prompt">${this.preview}</pre>` : nothing}
        </fieldset>
        <fieldset class="runtime">
          <legend class="field-legend">Runtime and model</legend>
          <div class="row">
            <label class="field">Runtime
              <select name="runtime">${[...new Set([...choices.runtimes.map((runtime) => runtime.id), draft.runtime?.id ?? 'agent-loop'])].map((id) => html`<option value=${id} ?selected=${(draft.runtime?.id ?? 'agent-loop') === id}>${id}</option>`)}</select>
            </label>
            <label class="field">Model
              <select name="model">
                <option value="">(the runtime's default)</option>
                ${[...new Set([...choices.models, ...(draft.model ? [draft.model] : [])])].map((alias) => html`<option value=${alias} ?selected=${draft.model === alias}>${alias}</option>`)}
              </select>
            </label>
          </div>
          <label class="field"><span>Runtime options <span class="hint">JSON: agent-loop <code>{"maxSteps": 10, "system": "…"}</code>; command <code>{"command": "claude", "args": ["-p"]}</code></span></span>
            <textarea name="runtimeOptions" class="mono" rows="2" .value=${JSON.stringify(draft.runtime?.options ?? {})}></textarea></label>
        </fieldset>
        <fieldset class="tools">
          <legend class="field-legend">Tools <span class="hint">narrow policy, never widen it</span></legend>
          <label class="checkbox"><input type="checkbox" name="allTools" .checked=${draft.tools === null || draft.tools === undefined} /> Any tool policy allows</label>
          <div class="tools">${choices.tools.map((name) => html`<label class="checkbox"><input type="checkbox" name="tool" value=${name} .checked=${tools.has(name)} /> ${name}</label>`)}</div>
          <label class="field"><span>Other tools or globs <span class="hint">comma-separated, for example <code>github.*</code></span></span><input name="toolGlobs" .value=${otherTools.join(', ')} /></label>
        </fieldset>
        <fieldset class="limits">
          <legend class="field-legend">Limits</legend>
          <div class="row">
            <label class="field">Budget per run ($)<input name="budget" type="number" min="0" step="0.01" .value=${draft.budgetMicros ? String(draft.budgetMicros / 1_000_000) : ''} /></label>
            <label class="field">Concurrency<input name="concurrency" type="number" min="1" max="100" .value=${String(draft.concurrency ?? 1)} /></label>
            <label class="field">Timeout (s)<input name="timeoutSeconds" type="number" min="1" max="86400" .value=${String(draft.timeoutSeconds ?? 900)} /></label>
            <label class="field">Retries<input name="retries" type="number" min="0" max="10" .value=${String(draft.retries?.count ?? 0)} /></label>
            <label class="field">Backoff (s)<input name="backoffSeconds" type="number" min="0" max="3600" .value=${String(draft.retries?.backoffSeconds ?? 30)} /></label>
          </div>
        </fieldset>
        <fieldset class="approval">
          <legend class="field-legend">Approval <span class="hint">on top of policy</span></legend>
          <div class="row">
            <label class="field"><span>Workflow <span class="hint">a policy workflow; empty: none</span></span><input name="approvalWorkflow" .value=${draft.approval?.workflow ?? ''} /></label>
            <label class="field"><span>Tools needing it <span class="hint">comma-separated globs</span></span><input name="approvalTools" .value=${draft.approval?.tools.join(', ') ?? ''} /></label>
          </div>
        </fieldset>
        ${this.formError ? html`<div class="banner error" role="alert">${this.formError}</div>` : nothing}
        <div class="actions">
          <button type="button" class="ghost" @click=${(click: Event) => (click.currentTarget as HTMLElement).closest('dialog')?.close()}>Cancel</button>
          <button type="submit" class="primary">${this.editing ? 'Save' : 'Create flow'}</button>
        </div>
      </form>
    </dialog>`;
  }

  private renderNextRuns(timezone: string | undefined) {
    const runs = this.nextRuns;
    if (runs === null)
      return html`<button type="button" class="secondary small" @click=${() => this.previewSchedule()}>Show the next runs</button>`;
    if (typeof runs === 'string') return html`<div class="next-runs error" role="status">${runs}</div>`;
    const zone = (
      this.renderRoot.querySelector<HTMLInputElement>('dialog.builder input[name="timezone"]')?.value ||
      timezone ||
      'UTC'
    ).trim();
    const format = (time: number) => {
      try {
        return new Date(time).toLocaleString(undefined, { timeZone: zone, dateStyle: 'medium', timeStyle: 'short' });
      } catch {
        return new Date(time).toISOString();
      }
    };
    return html`<div class="next-runs" role="status">Next runs (${zone}):
      <ul>${runs.map((time) => html`<li data-time=${time}>${format(time)}</li>`)}</ul>
    </div>`;
  }

  private renderRunDialog() {
    const flow = this.running;
    return html`<dialog class="run" aria-labelledby="run-title">
      <form @submit=${(submit: SubmitEvent) => this.run(submit)}>
        <h2 id="run-title">Run ${flow?.name ?? ''} now</h2>
        ${
          flow && Object.keys(flow.inputs).length
            ? Object.entries(flow.inputs).map(([name, declaration]) =>
                declaration.type === 'boolean'
                  ? html`<label class="checkbox"><input type="checkbox" name=${`input.${name}`} .checked=${declaration.default === true} /> ${name}</label>`
                  : html`<label class="field"><span>${name} <span class="hint">${declaration.description ?? declaration.type}</span></span>
                      <input name=${`input.${name}`} type=${declaration.type === 'number' ? 'number' : 'text'} ?required=${declaration.required}
                        .value=${declaration.default === undefined ? '' : String(declaration.default)} /></label>`,
              )
            : html`<p class="muted">This flow declares no inputs.</p>`
        }
        ${this.formError ? html`<div class="banner error" role="alert">${this.formError}</div>` : nothing}
        <div class="actions">
          <button type="button" class="ghost" @click=${(click: Event) => (click.currentTarget as HTMLElement).closest('dialog')?.close()}>Cancel</button>
          <button type="submit" class="primary">Run</button>
        </div>
      </form>
    </dialog>`;
  }
}
