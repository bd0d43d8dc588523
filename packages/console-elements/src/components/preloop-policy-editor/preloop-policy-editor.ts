import { TaskStatus } from '@lit/task';
import { html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';

import type { PolicyIssue, PolicySimulation, PolicyValidation, PolicyVersion } from '../../client/api-types.js';
import { PreloopPolicyAppliedEvent } from '../../events/preloop-events.js';
import { formatRelative, formatTime, toneOf } from '../../shared/format.js';
import { icons } from '../../shared/icons.js';
import { PreloopElement } from '../../shared/preloop-element.js';
import { styleProperties } from '../../shared/style-properties.js';
import { sharedStyles } from '../../shared/shared-styles.js';
import { themeStyles } from '../../shared/theme.js';
import { policyEditorStyles } from './preloop-policy-editor.styles.js';

const lineHeight = 20;

/** An issue's message without the path the server already put in front of it. */
function issueText(issue: PolicyIssue): string {
  return issue.path && issue.message.startsWith(`${issue.path}: `) ? issue.message.slice(issue.path.length + 2) : issue.message;
}

/**
 * The policy editor: the YAML of the active policy in an editor that validates
 * as you type (through `POST /policy/validate`) and shows each error inline, on
 * its line, with a marker in the gutter; the embedded tests' result; a diff
 * against the active version; a simulator ("what would this call from this
 * subject get?") against the text being edited; apply with a comment; and the
 * version history with diff and rollback.
 *
 * @summary Edit, validate, diff, simulate, apply and roll back the policy document.
 * @fires preloop-policy-applied - a new version became active (applied or rolled back).
 * @csspart editor - the code editor.
 * @csspart issues - the list of validation issues.
 * @cssproperty --preloop-policy-editor-height - the editor's height. @default 460px
 *
 * @example
 * ```html
 * <preloop-policy-editor base-url="https://preloop.internal"></preloop-policy-editor>
 * ```
 */
export class PreloopPolicyEditor extends PreloopElement {
  static override styles = [themeStyles, sharedStyles, policyEditorStyles];

  /** The text being edited (YAML or JSON). Set it to load a document. */
  @property() source = '';

  /** Milliseconds after the last keystroke before validating. @default 400 */
  @property({ type: Number, attribute: 'validate-delay' }) validateDelay = 400;

  /** The active version, when the element gets a client; it fills an empty editor. */
  private readonly activeTask = this.loadTask('load the policy', async (api, _args, signal) => {
    const active = await api.route('GET /policy', { signal });
    if (!this.source) this.source = active.source;
    void this.validateNow();
    return active;
  });
  /** The version history; reloaded when a version is applied anywhere (its `policy.apply` audit record) and after a reconnect. */
  private readonly versionsTask = this.loadTask(
    'load policy versions',
    async (api, _args, signal) => (await api.route('GET /policy/versions', { signal })).items,
  );
  /** A version applied here, shown as active until the history has it. */
  @state() private applied: PolicyVersion | null = null;
  @state() private validation: PolicyValidation | null = null;
  @state() private validating = false;
  @state() private diff: { title: string; text: string } | null = null;
  @state() private simulation: PolicySimulation | null = null;
  @state() private simulateError: string | null = null;
  @state() private failure: string | null = null;
  @state() private notice: string | null = null;
  @state() private applying = false;

  private timer: ReturnType<typeof setTimeout> | null = null;
  private validationRun = 0;

  constructor() {
    super();
    // The server announces a new policy version as its audit record (`policy.apply`, rollbacks included).
    this.live.on(['audit-recorded'], (event) => {
      if (event.action === 'policy.apply') void this.loadVersions();
    });
    this.live.on(['reconnected'], () => void this.loadVersions());
  }

  /** The active version: the one applied here, else the history's, else the one loaded first. */
  private get active(): PolicyVersion | null {
    return this.applied ?? this.versionsTask.value?.find((version) => version.active) ?? this.activeTask.value ?? null;
  }

  private get versions(): PolicyVersion[] {
    return this.versionsTask.value ?? [];
  }

  /** The issues of the last validation, by 1-based line (issues without a line are under 0). */
  get issuesByLine(): Map<number, PolicyIssue[]> {
    const map = new Map<number, PolicyIssue[]>();
    for (const issue of this.validation?.issues ?? []) {
      const line = issue.line ?? 0;
      map.set(line, [...(map.get(line) ?? []), issue]);
    }
    return map;
  }

  /** Loads the active version (into the editor when it is empty) and refreshes the history. */
  async loadActive(): Promise<void> {
    await Promise.all([this.rerun(this.activeTask), this.loadVersions()]);
  }

  private async loadVersions(): Promise<void> {
    await this.rerun(this.versionsTask);
  }

  /** Validates the current text now. */
  async validateNow(): Promise<PolicyValidation | null> {
    const api = this.api;
    if (!api) return null;
    const run = ++this.validationRun;
    const text = this.source;
    if (!text.trim()) {
      this.validation = { valid: false, issues: [{ path: '', message: 'The document is empty.', line: 1 }], tests: null };
      return this.validation;
    }
    this.validating = true;
    try {
      const result = await api.policy.validate(text);
      if (run === this.validationRun) this.validation = result;
      return result;
    } catch (error) {
      if (run === this.validationRun) this.failure = this.reportError('validate the policy', error);
      return null;
    } finally {
      if (run === this.validationRun) this.validating = false;
    }
  }

  private onInput(event: Event): void {
    this.source = (event.target as HTMLTextAreaElement).value;
    this.notice = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.validateNow(), this.validateDelay);
  }

  private goToLine(line: number): void {
    const textarea = this.renderRoot.querySelector<HTMLTextAreaElement>('textarea.source');
    if (!textarea) return;
    const lines = this.source.split('\n');
    const start = lines.slice(0, Math.max(0, line - 1)).reduce((sum, text) => sum + text.length + 1, 0);
    textarea.focus();
    textarea.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0));
    const editor = this.renderRoot.querySelector<HTMLElement>('.editor');
    if (editor) editor.scrollTop = Math.max(0, (line - 4) * lineHeight);
  }

  private async showDiff(from?: number, to?: number): Promise<void> {
    const api = this.api;
    if (!api) return;
    try {
      const result = await api.policy.diff(to ?? this.source, from);
      this.diff = {
        title: to ? `Version ${from ?? this.active?.version} → ${to}` : `Active version ${this.active?.version ?? ''} → your edits`,
        text: result.diff,
      };
    } catch (error) {
      this.failure = this.reportError('diff the policy', error);
    }
  }

  private async apply(): Promise<void> {
    const api = this.api;
    if (!api) return;
    const validation = await this.validateNow();
    if (!validation?.valid) {
      this.failure = 'Fix the errors shown in the editor before applying.';
      return;
    }
    const comment = this.renderRoot.querySelector<HTMLInputElement>('input[name="comment"]')?.value.trim();
    this.applying = true;
    try {
      const applied = await api.policy.apply(this.source, comment || undefined);
      this.applied = applied;
      this.notice = `Version ${applied.version} is now active.`;
      this.failure = null;
      this.diff = null;
      this.dispatchEvent(new PreloopPolicyAppliedEvent(applied));
      await this.loadVersions();
      this.applied = null;
    } catch (error) {
      this.failure = this.reportError('apply the policy', error);
    } finally {
      this.applying = false;
    }
  }

  private async rollback(version: number): Promise<void> {
    const api = this.api;
    if (!api) return;
    try {
      const applied = await api.policy.rollback(version);
      this.applied = applied;
      this.source = applied.source;
      this.notice = `Rolled back: version ${applied.version} (a copy of ${version}) is now active.`;
      this.dispatchEvent(new PreloopPolicyAppliedEvent(applied));
      void this.validateNow();
      await this.loadVersions();
      this.applied = null;
    } catch (error) {
      this.failure = this.reportError('roll back the policy', error);
    }
  }

  private load(version: PolicyVersion): void {
    this.source = version.source;
    this.notice = `Loaded version ${version.version} into the editor. Apply it to make it active.`;
    void this.validateNow();
  }

  private async simulate(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const api = this.api;
    if (!api) return;
    const data = new FormData(event.currentTarget as HTMLFormElement);
    let args: Record<string, unknown> = {};
    const argsText = String(data.get('args') ?? '').trim();
    try {
      args = argsText ? (JSON.parse(argsText) as Record<string, unknown>) : {};
    } catch {
      this.simulateError = 'Arguments must be a JSON object.';
      return;
    }
    const subjectType = String(data.get('subjectType') ?? 'api_key') as 'api_key' | 'agent' | 'user';
    const subjectId = String(data.get('subjectId') ?? '').trim() || undefined;
    const idField = subjectType === 'agent' ? 'agentId' : subjectType === 'user' ? 'userId' : 'apiKeyId';
    this.simulateError = null;
    try {
      this.simulation = await api.policy.simulate({
        tool: String(data.get('tool')).trim(),
        args,
        readOnly: data.get('readOnly') === 'on',
        subject: { type: subjectType, ...(subjectId ? { id: subjectId, [idField]: subjectId } : {}) },
        document: this.source,
      });
    } catch (error) {
      this.simulation = null;
      this.simulateError = this.reportError('simulate a call', error);
    }
  }

  override render() {
    if (this.signedOut) return this.renderSignedOut();
    const lines = this.source.split('\n');
    const byLine = this.issuesByLine;
    const width = lines.reduce((widest, line, index) => {
      const message =
        byLine
          .get(index + 1)
          ?.map(issueText)
          .join(' · ') ?? '';
      return Math.max(widest, line.length + 4 + (message ? message.length * 0.85 + 3 : 0));
    }, 40);
    const validation = this.validation;
    const changed = this.active !== null && this.source !== this.active.source;
    const failure =
      this.failure ??
      (this.activeTask.status === TaskStatus.ERROR ? String((this.activeTask.error as Error)?.message ?? this.activeTask.error) : null);
    return html`
      ${failure ? html`<div class="banner error" role="alert">${failure}</div>` : nothing}
      ${this.notice ? html`<div class="banner success" role="status">${this.notice}</div>` : nothing}
      <section class="card editor-card">
        <div class="card-header">
          <div>
            <h2>Policy</h2>
            <div class="muted small">${this.active ? html`Active: version ${this.active.version}${this.active.comment ? ` — ${this.active.comment}` : ''}` : 'Loading…'}${changed ? html` · <strong>edited</strong>` : nothing}</div>
          </div>
          <div class="toolbar">
            <span class="status" role="status" data-valid=${validation ? String(validation.valid) : 'unknown'}>
              ${
                this.validating
                  ? html`<span class="muted">Validating…</span>`
                  : validation
                    ? validation.valid
                      ? html`<span class="badge success">Valid</span>${validation.tests ? html`<span class="muted">${validation.tests.passed} test${validation.tests.passed === 1 ? '' : 's'} passed${validation.tests.failed.length ? `, ${validation.tests.failed.length} failed` : ''}</span>` : nothing}`
                      : html`<span class="badge danger">${validation.issues.length} issue${validation.issues.length === 1 ? '' : 's'}</span>`
                    : nothing
              }
            </span>
            <button class="small" @click=${() => this.showDiff()} ?disabled=${!changed}>Diff</button>
            <button class="small" @click=${() => {
              if (!this.active) return;
              this.source = this.active.source;
              void this.validateNow();
            }} ?disabled=${!changed}>Reset</button>
          </div>
        </div>
        <div class="editor" part="editor">
          <div class="gutter" aria-hidden="true">
            ${lines.map(
              (_, index) =>
                html`<div class=${byLine.has(index + 1) ? 'has-error' : ''} data-line=${index + 1} title=${
                  byLine
                    .get(index + 1)
                    ?.map(issueText)
                    .join('\n') ?? ''
                }>${index + 1}</div>`,
            )}
          </div>
          <div class="code" ${styleProperties({ width: `max(100%, ${Math.ceil(width)}ch)` })}>
            <div class="backdrop" aria-hidden="true">
              ${lines.map((line, index) => {
                const issues = byLine.get(index + 1);
                return html`<div class="line ${issues ? 'has-error' : ''}" data-line=${index + 1}>${line}${issues ? html`<span class="message">${issues.map(issueText).join(' · ')}</span>` : nothing}</div>`;
              })}
            </div>
            <textarea
              class="source"
              wrap="off"
              spellcheck="false"
              autocapitalize="off"
              autocomplete="off"
              aria-label="Policy document (YAML)"
              aria-invalid=${validation && !validation.valid ? 'true' : 'false'}
              aria-describedby="issues"
              ${styleProperties({ height: `${lines.length * lineHeight + 20}px` })}
              .value=${this.source}
              @input=${this.onInput}
            ></textarea>
          </div>
        </div>
        ${
          validation?.issues.length
            ? html`<ul class="issues" id="issues" part="issues" aria-label="Validation issues">
              ${validation.issues.map(
                (issue) => html`<li data-line=${issue.line ?? ''}>
                  ${issue.line ? html`<button @click=${() => this.goToLine(issue.line!)}>Line ${issue.line}</button>: ` : nothing}${issue.path ? html`<code>${issue.path}</code> ` : nothing}${issueText(issue)}
                </li>`,
              )}
            </ul>`
            : html`<div id="issues" class="visually-hidden">${validation?.valid ? 'No issues.' : ''}</div>`
        }
        <div class="apply-row">
          <input name="comment" placeholder="What changed and why (kept with the version)" aria-label="Change comment" maxlength="500" />
          <button class="primary" @click=${this.apply} ?disabled=${this.applying || !changed}>${this.applying ? 'Applying…' : 'Apply as new version'}</button>
        </div>
      </section>
      ${
        this.diff
          ? html`<section class="card" aria-label="Diff">
            <div class="card-header"><h2>${this.diff.title}</h2><button class="ghost icon small" aria-label="Close diff" @click=${() => (this.diff = null)}>${icons.x}</button></div>
            <div class="diff">
              ${
                this.diff.text
                  ? this.diff.text
                      .split('\n')
                      .map(
                        (line) =>
                          html`<div class=${line.startsWith('+') && !line.startsWith('+++') ? 'add' : line.startsWith('-') && !line.startsWith('---') ? 'del' : line.startsWith('@@') ? 'hunk' : ''}>${line || ' '}</div>`,
                      )
                  : html`<div class="muted">No differences.</div>`
              }
            </div>
          </section>`
          : nothing
      }
      <div class="lower">${this.renderSimulate()} ${this.renderVersions()}</div>
    `;
  }

  private renderSimulate() {
    const decision = this.simulation?.decision;
    return html`<section class="card simulate">
      <div class="card-header"><h2>Simulate a call</h2><span class="muted small">against the text above</span></div>
      <div class="card-body">
        <form @submit=${this.simulate}>
          <div class="form-grid">
            <label class="field">Tool <input name="tool" required placeholder="github.create_issue" /></label>
            <label class="field"
              >Subject
              <select name="subjectType">
                <option value="api_key">API key</option>
                <option value="agent">Agent</option>
                <option value="user">User</option>
              </select>
            </label>
            <label class="field">Subject id <input name="subjectId" placeholder="optional" /></label>
          </div>
          <label class="field"><span>Arguments <span class="hint">JSON</span></span><textarea name="args" rows="3" placeholder='{ "repo": "acme/api" }'></textarea></label>
          <label class="toolbar small"><input type="checkbox" name="readOnly" /> The tool’s plugin marks it read-only</label>
          <div><button class="primary" type="submit">Simulate</button></div>
          ${this.simulateError ? html`<div class="banner error" role="alert">${this.simulateError}</div>` : nothing}
          ${
            decision
              ? html`<div class="decision" role="status" data-action=${decision.action}>
                <div class="toolbar"><span class="badge ${toneOf(decision.action)}">${decision.action.replace('_', ' ')}</span>${this.simulation?.visible === false ? html`<span class="badge">hidden from tools/list</span>` : nothing}</div>
                ${decision.action !== 'allow' && decision.reason ? html`<div>${decision.reason}</div>` : nothing}
                ${decision.action === 'require_approval' ? html`<div class="muted">Workflow: <strong>${decision.workflow}</strong></div>` : nothing}
                <div class="muted small">Decided by ${decision.explanation.default ? 'the default' : `rule ${decision.explanation.rule ?? '—'}`} in scope <code>${decision.explanation.scope}</code></div>
              </div>`
              : nothing
          }
        </form>
      </div>
    </section>`;
  }

  private renderVersions() {
    return html`<section class="card">
      <div class="card-header"><h2>Versions</h2><span class="muted small">${this.versions.length}</span></div>
      ${
        this.versions.length === 0
          ? html`<div class="card-body"><span class="skeleton"></span></div>`
          : html`<ul class="versions">
            ${this.versions.map(
              (version) => html`<li data-version=${version.version}>
                <span class="v">v${version.version}</span>
                <div>
                  <div class="comment">${version.comment ?? html`<span class="muted">No comment</span>`}</div>
                  <div class="muted small" title=${formatTime(version.createdAt)}>${formatRelative(version.createdAt)}${version.active ? html` · <span class="badge success">active</span>` : nothing}</div>
                </div>
                <div class="buttons">
                  <button class="ghost small" @click=${() => this.load(version)}>Open</button>
                  ${
                    version.active
                      ? nothing
                      : html`<button class="ghost small" @click=${() => this.showDiff(this.active?.version, version.version)}>Diff</button>
                        <button class="small" @click=${() => this.rollback(version.version)}>Roll back</button>`
                  }
                </div>
              </li>`,
            )}
          </ul>`
      }
    </section>`;
  }
}
