import { initialState } from '@lit/task';
import { html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { IssueListQuery, Page, StoredIssue, StoredIssueDetail } from '../../client/api-types.js';
import { PreloopRouteRequestedEvent } from '../../events/preloop-events.js';
import { formatRelative, formatTime } from '../../shared/format.js';
import { icons } from '../../shared/icons.js';
import { PreloopElement } from '../../shared/preloop-element.js';
import { sharedStyles } from '../../shared/shared-styles.js';
import { submittedForm } from '../../shared/submitted-form.js';
import { themeStyles } from '../../shared/theme.js';
import { issuesStyles } from './preloop-issues.styles.js';

/** The filters of `<preloop-issues>` (each narrows; empty ones are left out). */
export interface IssueFilters {
  tracker: string;
  project: string;
  state: 'open' | 'closed' | 'all';
  label: string;
  assignee: string;
  text: string;
  sort: 'updated' | 'created' | 'relevance';
}

const noFilters: IssueFilters = { tracker: '', project: '', state: 'open', label: '', assignee: '', text: '', sort: 'updated' };

/**
 * The issues of every connected tracker in one list (synced into Preloop, so
 * it is fast and searchable): filters (tracker, project, state, label,
 * assignee, full text), sort, pages, and live updates when a tracker's webhook
 * brings a change. The selected issue shows its description, comments, the
 * pull requests that refer to it and similar issues; create an issue or
 * comment through the connection (the audit names you).
 *
 * @summary Issues across trackers: search, detail, comments, create.
 * @fires preloop-route-requested - an issue was selected (`issues/<id>`).
 * @csspart list - the issues table.
 * @csspart detail - the selected issue's panel.
 *
 * @example
 * ```html
 * <preloop-issues base-url="https://preloop.internal"></preloop-issues>
 * ```
 */
export class PreloopIssues extends PreloopElement {
  static override styles = [themeStyles, sharedStyles, issuesStyles];

  /** The id of the issue shown in detail. */
  @property({ reflect: true }) selected?: string;

  /** Hide the page header. */
  @property({ type: Boolean, attribute: 'no-header' }) noHeader = false;

  @state() private filters: IssueFilters = { ...noFilters };
  /** Pages loaded after the first ("Load more"). */
  @state() private more: StoredIssue[] = [];
  @state() private nextCursor: string | null = null;
  @state() private failure: string | null = null;
  @state() private formError: string | null = null;
  @state() private commentError: string | null = null;

  private readonly listTask = this.loadTask(
    'load issues',
    async (api, [filters], signal) => {
      const page = await api.route('GET /issues', { query: this.queryOf(filters), signal });
      this.more = [];
      this.nextCursor = page.nextCursor;
      return page.items;
    },
    () => [this.filters] as const,
  );
  private readonly detailTask = this.loadTask(
    'load the issue',
    async (api, [id], signal) => (id ? api.route('GET /issues/:id', { params: { id }, signal }) : initialState),
    () => [this.selected] as const,
  );
  private readonly similarTask = this.loadTask(
    'load similar issues',
    async (api, [id], signal) => (id ? api.route('GET /issues/:id/similar', { params: { id }, signal }) : initialState),
    () => [this.selected] as const,
  );
  /** The connections an issue can be created through. */
  private readonly connectionsTask = this.loadTask('load tracker connections', async (api, _args, signal) => {
    return (await api.route('GET /trackers/connections', { signal })).items;
  });

  constructor() {
    super();
    this.live.on(['tracker-issue-synced', 'tracker-event', 'reconnected'], (event) => {
      void this.rerun(this.listTask);
      const changed = (event as { issueId?: string }).issueId;
      if (this.selected && (!changed || changed === this.selected)) void this.detailTask.run();
    });
  }

  protected override willUpdate(changed: PropertyValues): void {
    super.willUpdate(changed);
    if (this.hasUpdated && changed.has('selected')) this.commentError = null;
  }

  private queryOf(filters: IssueFilters, cursor?: string): IssueListQuery {
    const query: IssueListQuery = { state: filters.state, limit: 50 };
    for (const name of ['tracker', 'project', 'label', 'assignee', 'text'] as const)
      if (filters[name].trim()) query[name] = filters[name].trim();
    if (filters.sort !== 'relevance' || query.text) query.sort = filters.sort;
    if (cursor) query.cursor = cursor;
    return query;
  }

  /** Reloads the list from its first page. */
  async load(): Promise<void> {
    await this.rerun(this.listTask);
  }

  private async loadMore(): Promise<void> {
    const api = this.api;
    const cursor = this.nextCursor;
    if (!api || !cursor) return;
    this.failure = await this.attempt('load more issues', async () => {
      const page: Page<StoredIssue> = await api.route('GET /issues', { query: this.queryOf(this.filters, cursor) });
      this.more = [...this.more, ...page.items];
      this.nextCursor = page.nextCursor;
    });
  }

  private applyFilters(event: SubmitEvent): void {
    const { text } = submittedForm(event);
    this.filters = {
      tracker: text('tracker'),
      project: text('project'),
      state: text('state') as IssueFilters['state'],
      label: text('label'),
      assignee: text('assignee'),
      text: text('text'),
      sort: text('sort') as IssueFilters['sort'],
    };
  }

  private select(issue: StoredIssue): void {
    this.selected = issue.id;
    this.dispatchEvent(new PreloopRouteRequestedEvent(`issues/${issue.id}`));
  }

  private selectFromLink(event: Event, issue: StoredIssue): void {
    event.preventDefault();
    this.select(issue);
  }

  private async create(event: SubmitEvent): Promise<void> {
    const { form, text } = submittedForm(event);
    const api = this.api;
    if (!api) return;
    const list = (name: string) =>
      text(name)
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
    this.formError = await this.attempt('create the issue', async () => {
      const created = await api.route('POST /issues', {
        body: {
          connectionId: text('connectionId'),
          project: text('project'),
          title: text('title'),
          body: text('body'),
          ...(list('labels').length ? { labels: list('labels') } : {}),
          ...(list('assignees').length ? { assignees: list('assignees') } : {}),
        },
      });
      this.selected = created.id;
      void this.load();
    });
    if (this.formError) return;
    form.reset();
    form.closest('dialog')?.close();
  }

  private async comment(event: SubmitEvent, issue: StoredIssueDetail): Promise<void> {
    const { form, text } = submittedForm(event);
    const api = this.api;
    if (!api) return;
    this.commentError = await this.attempt('add the comment', async () => {
      await api.route('POST /issues/:id/comments', { params: { id: issue.id }, body: { body: text('body') } });
      void this.detailTask.run();
    });
    if (!this.commentError) form.reset();
  }

  override render() {
    if (this.signedOut) return this.renderSignedOut();
    return html`
      ${
        this.noHeader
          ? nothing
          : html`<div class="page-header">
            <div>
              <h1>Issues</h1>
              <p>Every connected tracker in one list, kept current by webhooks.</p>
            </div>
            <button class="primary" @click=${() => this.renderRoot.querySelector<HTMLDialogElement>('dialog.create')?.showModal()}>${icons.plus} New issue</button>
          </div>`
      }
      ${this.failure ? html`<div class="banner error" role="alert">${this.failure}</div>` : nothing}
      <div class="layout">
        <section class="card" part="list">
          ${this.renderFilters()}
          ${this.renderLoad(this.listTask, (items) => this.renderList([...items, ...this.more]))}
        </section>
        ${this.selected ? this.renderDetail() : nothing}
      </div>
      ${this.renderCreateDialog()}
    `;
  }

  private renderFilters() {
    const filters = this.filters;
    return html`<form class="filters" role="search" @submit=${this.applyFilters}>
      <label class="field grow">Search <input name="text" type="search" .value=${filters.text} placeholder='crash "login page" -android' /></label>
      <label class="field">Tracker <input name="tracker" .value=${filters.tracker} placeholder="github" /></label>
      <label class="field">Project <input name="project" .value=${filters.project} placeholder="owner/repo" /></label>
      <label class="field">Label <input name="label" .value=${filters.label} /></label>
      <label class="field">Assignee <input name="assignee" .value=${filters.assignee} /></label>
      <label class="field"
        >State
        <select name="state" .value=${filters.state}>
          <option value="open">Open</option>
          <option value="closed">Closed</option>
          <option value="all">All</option>
        </select>
      </label>
      <label class="field"
        >Sort
        <select name="sort" .value=${filters.sort}>
          <option value="updated">Recently updated</option>
          <option value="created">Newest</option>
          <option value="relevance">Best match</option>
        </select>
      </label>
      <button type="submit" class="secondary">${icons.search} Apply</button>
    </form>`;
  }

  private renderList(items: StoredIssue[]) {
    if (items.length === 0)
      return html`<div class="empty">${icons.inbox}<strong>No issues match</strong><span>Connect a tracker in Settings and sync it, or change the filters.</span></div>`;
    return html`<div class="table-wrap">
        <table>
          <thead>
            <tr><th>Issue</th><th>State</th><th>Assignees</th><th>Updated</th></tr>
          </thead>
          <tbody>
            ${items.map(
              (
                issue,
              ) => html`<tr data-id=${issue.id} aria-selected=${issue.id === this.selected ? 'true' : 'false'} @click=${() => this.select(issue)}>
                <td>
                  <div class="title">${issue.title}</div>
                  <div class="secondary-text">${issue.tracker} · ${issue.key}
                    ${issue.labels.map((label) => html`<span class="badge plain label">${label}</span>`)}
                  </div>
                </td>
                <td><span class="badge ${issue.state === 'open' ? 'success' : 'accent'}">${issue.state}</span></td>
                <td>${issue.assignees.join(', ') || html`<span class="muted">—</span>`}</td>
                <td title=${formatTime(issue.updatedAt)}>${formatRelative(issue.updatedAt)}</td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
      ${this.nextCursor ? html`<div class="pager"><button class="secondary small" @click=${() => this.loadMore()}>Load more</button></div>` : nothing}`;
  }

  private renderDetail() {
    return html`<section class="card detail" part="detail">
      ${this.renderLoad(this.detailTask, (issue) => {
        if (!issue || issue.id !== this.selected) return nothing;
        return html`<div class="detail-head">
            <div>
              <h2>${issue.title}</h2>
              <div class="secondary-text">
                ${issue.tracker} · <a href=${issue.url} target="_blank" rel="noopener noreferrer">${issue.key}</a> · opened by ${issue.author ?? 'unknown'}
                ${formatRelative(issue.createdAt)}
              </div>
            </div>
            <span class="badge ${issue.state === 'open' ? 'success' : 'accent'}">${issue.state}</span>
          </div>
          <div class="detail-body">
            ${issue.labels.length ? html`<div class="labels">${issue.labels.map((label) => html`<span class="badge plain">${label}</span>`)}</div>` : nothing}
            <div class="body">${issue.body || html`<span class="muted">No description.</span>`}</div>
            <h3>Linked pull requests</h3>
            ${
              issue.linkedPullRequests.length
                ? html`<ul class="linked">
                  ${issue.linkedPullRequests.map((pull) => html`<li><a href=${pull.url} target="_blank" rel="noopener noreferrer">${pull.key}</a> ${pull.title} <span class="badge plain">${pull.state}</span></li>`)}
                </ul>`
                : html`<p class="muted">None refer to this issue.</p>`
            }
            ${this.renderSimilar()}
            <h3>Comments (${issue.comments.length})</h3>
            <ol class="comments">
              ${issue.comments.map(
                (comment) => html`<li data-comment=${comment.sourceId}>
                  <div class="secondary-text">${comment.author ?? 'unknown'} · ${formatRelative(comment.createdAt)}</div>
                  <div class="body">${comment.body}</div>
                </li>`,
              )}
            </ol>
            <form class="comment-form" @submit=${(event: SubmitEvent) => this.comment(event, issue)}>
              <label class="field">Add a comment <textarea name="body" required rows="3"></textarea></label>
              ${this.commentError ? html`<div class="banner error" role="alert">${this.commentError}</div>` : nothing}
              <button type="submit" class="primary small">Comment</button>
            </form>
          </div>`;
      })}
    </section>`;
  }

  private renderSimilar() {
    const similar = this.similarTask.value;
    if (!similar) return nothing;
    return html`<h3>Similar issues</h3>
      ${
        !similar.available
          ? html`<p class="muted similar-unavailable">${similar.reason}</p>`
          : similar.items.length
            ? html`<ul class="similar">
              ${similar.items.map(
                (
                  item,
                ) => html`<li><a href="#" @click=${(event: Event) => this.selectFromLink(event, item.issue)}>${item.issue.key}</a> ${item.issue.title}
                  <span class="secondary-text">${Math.round(item.score * 100)}%</span></li>`,
              )}
            </ul>`
            : html`<p class="muted">No similar issues in this project.</p>`
      }`;
  }

  private renderCreateDialog() {
    const connections = this.connectionsTask.value ?? [];
    return html`<dialog class="create" aria-labelledby="issue-title">
      <form @submit=${this.create}>
        <h2 id="issue-title">New issue</h2>
        <label class="field"
          >Connection
          <select name="connectionId" required>
            ${connections.map((connection) => html`<option value=${connection.id}>${connection.name} (${connection.tracker})</option>`)}
          </select>
        </label>
        <label class="field">Project <input name="project" required placeholder="owner/repo" /></label>
        <label class="field">Title <input name="title" required maxlength="256" /></label>
        <label class="field">Description <textarea name="body" rows="5"></textarea></label>
        <div class="form-grid">
          <label class="field"><span>Labels <span class="hint">comma-separated</span></span><input name="labels" /></label>
          <label class="field"><span>Assignees <span class="hint">comma-separated</span></span><input name="assignees" /></label>
        </div>
        <p class="secret-note">Created through the connection's credential; the audit log names you.</p>
        ${this.formError ? html`<div class="banner error" role="alert">${this.formError}</div>` : nothing}
        <div class="actions">
          <button type="button" class="ghost" @click=${(event: Event) => (event.currentTarget as HTMLElement).closest('dialog')?.close()}>Cancel</button>
          <button type="submit" class="primary">Create issue</button>
        </div>
      </form>
    </dialog>`;
  }
}
