import { html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { Execution, ExecutionLogLine, ExecutionStatus, Flow, SessionActivity } from '../../client/api-types.js';
import { createSseParser } from '../../client/sse-parser.js';
import { PreloopRouteRequestedEvent } from '../../events/preloop-events.js';
import { formatMoney, formatRelative, formatTime, toneOf } from '../../shared/format.js';
import { icons } from '../../shared/icons.js';
import { PreloopElement } from '../../shared/preloop-element.js';
import { sharedStyles } from '../../shared/shared-styles.js';
import { themeStyles } from '../../shared/theme.js';
import { executionsStyles } from './preloop-executions.styles.js';

/** Every execution status, in the order the filter offers them. */
const statuses: readonly ExecutionStatus[] = ['queued', 'running', 'waiting_approval', 'succeeded', 'failed', 'cancelled', 'timed_out'];
/** The statuses an execution can still be cancelled in. */
const cancellable = new Set<string>(['queued', 'running', 'waiting_approval']);
/** The statuses an execution can be retried from. */
const retryable = new Set<string>(['failed', 'cancelled', 'timed_out']);
/** Executions per page of the list. */
const pageSize = 50;

/**
 * Flow executions: the list of one flow's (`flow-id`) or of every flow's,
 * filtered by status, newest first; and an execution's detail
 * (`execution-id`): its trigger, rendered prompt, live log (the engine's
 * `GET /executions/:id/logs` event stream), steps (the tool and model calls of
 * its runtime session), cost and result, with cancel and retry. Live: the list
 * and detail follow `flow-execution-updated`.
 *
 * @summary Flow executions: list, detail with live log, cancel, retry.
 * @fires preloop-route-requested - when an execution is opened (`executions/<id>`).
 * @csspart table - the executions table.
 *
 * @example
 * ```html
 * <preloop-executions flow-id="flw_1"></preloop-executions>
 * <preloop-executions execution-id="exe_1"></preloop-executions>
 * ```
 */
export class PreloopExecutions extends PreloopElement {
  static override styles = [themeStyles, sharedStyles, executionsStyles];

  /** Only this flow's executions. @default every flow's */
  @property({ attribute: 'flow-id' }) flowId: string | null = null;
  /** Show this execution's detail instead of the list. */
  @property({ attribute: 'execution-id' }) executionId: string | null = null;
  /** Only executions in this status. @default any */
  @property() status: ExecutionStatus | '' = '';

  private readonly listTask = this.loadTask(
    'load the executions',
    async (api, [flowId, status], signal) => {
      const [flows, page] = await Promise.all([
        api.route('GET /flows', { signal }),
        api.route('GET /executions', {
          query: { ...(flowId ? { flowId } : {}), ...(status ? { status: status as ExecutionStatus } : {}), limit: pageSize },
          signal,
        }),
      ]);
      this.more = { items: [], cursor: page.nextCursor };
      return { items: page.items, names: new Map(flows.items.map((flow) => [flow.id, flow.name])) };
    },
    () => [this.flowId, this.status] as const,
  );

  private readonly detailTask = this.loadTask(
    'load the execution',
    async (api, [id], signal) => {
      if (!id) return null;
      const execution = await api.route('GET /executions/:id', { params: { id }, signal });
      const [flow, steps] = await Promise.all([
        api.route('GET /flows/:id', { params: { id: execution.flowId }, signal }).catch(() => null as Flow | null),
        execution.runtimeSessionId
          ? api
              .route('GET /runtime-sessions/:id/activity', { params: { id: execution.runtimeSessionId }, query: { limit: 200 }, signal })
              .then((page) => page.items)
              .catch(() => [] as SessionActivity[])
          : Promise.resolve([] as SessionActivity[]),
      ]);
      return { execution, flow, steps };
    },
    () => [this.executionId] as const,
  );

  /** Executions loaded with "Load more" after the first page, and the cursor of the next page. */
  @state() private more: { items: Execution[]; cursor: string | null } = { items: [], cursor: null };
  @state() private log: ExecutionLogLine[] = [];
  @state() private logEnded = false;
  @state() private failure: string | null = null;
  private logController: AbortController | null = null;
  private followed: string | null = null;
  private followedApi: unknown = null;

  constructor() {
    super();
    this.live.on(['flow-execution-updated', 'reconnected'], (event) => {
      if (!this.executionId) void this.rerun(this.listTask);
      else if (!('executionId' in event) || event.executionId === this.executionId) void this.rerun(this.detailTask);
    });
  }

  protected override updated(changed: PropertyValues): void {
    super.updated(changed);
    if (changed.has('executionId')) this.followLog();
  }

  protected override clientChanged(): void {
    if (this.executionId) this.followLog();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.logController?.abort();
    this.logController = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.executionId && !this.logController) this.followLog();
  }

  /** Streams the execution's log (from the start), until it ends or the element leaves. */
  private followLog(): void {
    if (this.logController && this.followed === this.executionId && this.followedApi === this.api) return;
    this.logController?.abort();
    this.logController = null;
    this.log = [];
    this.logEnded = false;
    const id = this.executionId;
    const api = this.api;
    if (!id || !api) return;
    const controller = (this.logController = new AbortController());
    this.followed = id;
    this.followedApi = api;
    void (async () => {
      try {
        const response = await api.openStream(`/executions/${encodeURIComponent(id)}/logs`, { signal: controller.signal });
        const parser = createSseParser((event) => {
          if (event.event === 'log') this.log = [...this.log, JSON.parse(event.data) as ExecutionLogLine];
          if (event.event === 'end') {
            this.logEnded = true;
            void this.rerun(this.detailTask);
          }
        });
        const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          parser.feed(value);
        }
      } catch (error) {
        if (!controller.signal.aborted) this.failure = this.reportError('follow the log', error);
      }
    })();
  }

  private async loadMore(): Promise<void> {
    const api = this.api;
    const cursor = this.more.cursor;
    if (!api || !cursor) return;
    this.failure = await this.attempt('load more executions', async () => {
      const page = await api.route('GET /executions', {
        query: {
          ...(this.flowId ? { flowId: this.flowId } : {}),
          ...(this.status ? { status: this.status } : {}),
          limit: pageSize,
          cursor,
        },
      });
      this.more = { items: [...this.more.items, ...page.items], cursor: page.nextCursor };
    });
  }

  private open(id: string): void {
    if (this.dispatchEvent(new PreloopRouteRequestedEvent(`executions/${id}`))) this.executionId = id;
  }

  private async cancel(execution: Execution): Promise<void> {
    const api = this.api;
    if (!api) return;
    this.failure = await this.attempt('cancel the execution', async () => {
      await api.route('POST /executions/:id/cancel', { params: { id: execution.id }, body: {} });
      await this.rerun(this.detailTask);
    });
  }

  private async retry(execution: Execution): Promise<void> {
    const api = this.api;
    if (!api) return;
    this.failure = await this.attempt('retry the execution', async () => {
      const retried = await api.route('POST /executions/:id/retry', { params: { id: execution.id } });
      this.open(retried.id);
    });
  }

  override render() {
    if (this.signedOut) return this.renderSignedOut();
    return html`
      ${this.failure ? html`<div class="banner error" role="alert">${this.failure}</div>` : nothing}
      ${this.executionId ? this.renderLoad(this.detailTask, (detail) => (detail ? this.renderDetail(detail) : nothing)) : this.renderList()}
    `;
  }

  private renderList() {
    return html`
      <div class="filters">
        <label class="field">Status
          <select @change=${(event: Event) => (this.status = (event.target as HTMLSelectElement).value as ExecutionStatus | '')}>
            <option value="" ?selected=${!this.status}>Any</option>
            ${statuses.map((status) => html`<option value=${status} ?selected=${this.status === status}>${status.replace('_', ' ')}</option>`)}
          </select>
        </label>
      </div>
      ${this.renderLoad(
        this.listTask,
        ({ items: first, names }) => {
          const items = [...first, ...this.more.items];
          return items.length === 0
            ? html`<div class="empty">${icons.pulse}<strong>No executions</strong><span>${this.status ? 'None in this status.' : 'Run a flow, or wait for its trigger.'}</span></div>`
            : html`<div class="table-wrap">
              <table part="table">
                <thead><tr><th>Execution</th><th>Flow</th><th>Status</th><th>Trigger</th><th>Started</th><th>Cost</th></tr></thead>
                <tbody>
                  ${items.map(
                    (execution) => html`<tr class="execution" data-execution=${execution.id} data-status=${execution.status}> 
                      <td><button class="link" @click=${() => this.open(execution.id)}>${execution.id}</button></td>
                      <td>${names.get(execution.flowId) ?? execution.flowId}</td>
                      <td><span class="badge ${toneOf(execution.status)}">${execution.status}</span></td>
                      <td>${String(execution.trigger.type ?? '')}</td>
                      <td>${formatRelative(execution.createdAt)}</td>
                      <td>${formatMoney(execution.costMicros)}</td>
                    </tr>`,
                  )}
                </tbody>
              </table>
            </div>
            ${this.more.cursor ? html`<button class="secondary small load-more" @click=${() => this.loadMore()}>Load more</button>` : nothing}`;
        },
        { notInstalled: () => html`<div class="empty">${icons.pulse}<strong>No flows on this server</strong></div>` },
      )}
    `;
  }

  private renderDetail({ execution, flow, steps }: { execution: Execution; flow: Flow | null; steps: SessionActivity[] }) {
    return html`<section class="detail" data-status=${execution.status} aria-labelledby="execution-title">
      <div class="card-header">
        <h2 id="execution-title">${flow?.name ?? execution.flowId} · <code>${execution.id}</code></h2>
        <span class="badge status ${toneOf(execution.status)}">${execution.status}</span>
      </div>
      <div class="buttons">
        ${cancellable.has(execution.status) ? html`<button class="danger-outline small" @click=${() => this.cancel(execution)}>Cancel</button>` : nothing}
        ${retryable.has(execution.status) ? html`<button class="secondary small" @click=${() => this.retry(execution)}>Retry</button>` : nothing}
        ${
          execution.approvalRequestId && execution.status === 'waiting_approval'
            ? html`<button class="primary small" @click=${() => this.dispatchEvent(new PreloopRouteRequestedEvent(`approvals/${execution.approvalRequestId}`))}>Open the approval</button>`
            : nothing
        }
      </div>
      <dl>
        <dt>Trigger</dt><dd class="trigger">${Object.values(execution.trigger)
          .filter((value) => value !== null && typeof value !== 'object')
          .map(String)
          .join(' · ')}</dd>
        <dt>Attempt</dt><dd>${execution.attempt}${execution.failures ? ` (${execution.failures} failed)` : ''}</dd>
        <dt>Created</dt><dd>${formatTime(execution.createdAt)}</dd>
        <dt>Finished</dt><dd>${execution.finishedAt ? formatTime(execution.finishedAt) : '—'}</dd>
        <dt>Cost</dt><dd class="cost">${formatMoney(execution.costMicros)}</dd>
        ${execution.error ? html`<dt>Error</dt><dd class="error">${execution.error}</dd>` : nothing}
      </dl>
      <h3>Result</h3>
      <pre class="result" tabindex="0">${execution.result ?? '—'}</pre>
      <h3>Rendered prompt</h3>
      <pre class="prompt" tabindex="0">${execution.renderedPrompt ?? '—'}</pre>
      <h3>Input <span class="secondary-text">(the trigger's event and the inputs)</span></h3>
      <pre class="payload" tabindex="0">${JSON.stringify(execution.input, null, 2)}</pre>
      <h3>Steps</h3>
      ${
        steps.length === 0
          ? html`<p class="muted">No model or tool calls recorded.</p>`
          : html`<div class="table-wrap" tabindex="0" role="region" aria-label="Steps"><table class="steps">
            <thead><tr><th>Time</th><th>Kind</th><th>Status</th><th>Summary</th></tr></thead>
            <tbody>${[...steps]
              .sort((a, b) => a.time - b.time)
              .map(
                (step) =>
                  html`<tr data-kind=${step.kind}><td>${formatTime(step.time)}</td><td>${step.kind}</td><td><span class="badge ${toneOf(step.status)}">${step.status}</span></td><td>${step.summary}</td></tr>`,
              )}</tbody>
          </table></div>`
      }
      <h3>Log ${this.logEnded ? nothing : html`<span class="badge accent live">live</span>`}</h3>
      <pre class="log" tabindex="0" aria-live="polite">${this.log.map((line) => html`<span class="line" data-stream=${line.stream}>${line.text}</span>`)}</pre>
    </section>`;
  }
}
