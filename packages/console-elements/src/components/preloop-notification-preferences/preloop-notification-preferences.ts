import { css, html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { NotificationPreferences } from '../../client/api-types.js';
import { PreloopApiError } from '../../client/preloop-api-error.js';
import { PreloopElement } from '../../shared/preloop-element.js';
import { sharedStyles } from '../../shared/shared-styles.js';
import { themeStyles } from '../../shared/theme.js';

/** A form field a server refusal can name. */
type Field = 'mutedNotifiers' | 'quietHours' | 'start' | 'end' | 'timeZone' | 'digest' | 'form';

/** The field a `VALIDATION_ERROR` issue path names (`quietHours.timeZone`, `mutedNotifiers.0`, `mutedNotifiers[0]`…). */
function fieldOf(path: string): Field {
  if (path.startsWith('mutedNotifiers')) return 'mutedNotifiers';
  if (path === 'quietHours.start') return 'start';
  if (path === 'quietHours.end') return 'end';
  if (path === 'quietHours.timeZone') return 'timeZone';
  if (path.startsWith('quietHours')) return 'quietHours';
  if (path === 'digest') return 'digest';
  return 'form';
}

/** The browser's IANA time zone (the default of new quiet hours). */
function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** The IANA time zones the browser knows, offered while typing. */
function knownTimeZones(): string[] {
  const supported = (Intl as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf;
  return supported ? supported('timeZone') : [];
}

/**
 * A user's approval notification preferences (`GET`/`PUT /notification-preferences`):
 * notifiers muted for them, quiet hours (start, end, IANA time zone; notices wait
 * until the end, they are never dropped) and whether flood control may batch
 * their notices into a digest. Without `user-id` it edits the signed-in user's;
 * with it, an admin edits that user's. A refusal of the server (400) is shown
 * next to the field it names.
 *
 * The server lists no installed notifiers, so the muted ones are listed (untick
 * to unmute) and another is muted by its id; an id that is not installed is
 * refused with the installed ids in the message.
 *
 * @summary Muted channels, quiet hours and digests of one approver.
 * @csspart preferences - the form.
 *
 * @example
 * ```html
 * <preloop-notification-preferences></preloop-notification-preferences>
 * <preloop-notification-preferences user-id="usr_0193…"></preloop-notification-preferences>
 * ```
 */
export class PreloopNotificationPreferences extends PreloopElement {
  static override styles = [
    themeStyles,
    sharedStyles,
    css`
      :host { display: block; }
      h2 { font-size: 1rem; margin: 0; }
      fieldset { border: 0; margin: 0; padding: 0; display: grid; gap: 8px; }
      .row { display: flex; flex-wrap: wrap; gap: 8px; align-items: end; }
      .field-error { color: var(--preloop-color-danger); font-size: 0.9em; }
      label.check { display: flex; gap: 8px; align-items: center; }
    `,
  ];

  /** Whose preferences (admin only); unset: the signed-in user's. */
  @property({ attribute: 'user-id' }) userId?: string;

  private readonly preferencesTask = this.loadTask(
    'load notification preferences',
    async (api, [userId]) => {
      const answer = userId
        ? await api.route('GET /notification-preferences/:userId', { params: { userId } })
        : await api.route('GET /notification-preferences');
      this.draft = {
        mutedNotifiers: [...answer.mutedNotifiers],
        quietHours: answer.quietHours ? { ...answer.quietHours } : null,
        digest: answer.digest,
      };
      this.listed = [...answer.mutedNotifiers];
      this.errors = {};
      return answer;
    },
    () => [this.userId] as const,
  );
  /** The form's values. */
  @state() private draft: NotificationPreferences = { mutedNotifiers: [], quietHours: null, digest: true };
  /** Notifier ids shown as checkboxes: those muted when loaded, and those added. */
  @state() private listed: string[] = [];
  @state() private errors: Partial<Record<Field, string>> = {};
  @state() private saved = false;
  @state() private saving = false;

  /** Stores the form (`PUT`); resolves true when the server accepted it. */
  async save(): Promise<boolean> {
    const api = this.api;
    if (!api) return false;
    this.saving = true;
    this.saved = false;
    try {
      const answer = this.userId
        ? await api.route('PUT /notification-preferences/:userId', { params: { userId: this.userId }, body: this.draft })
        : await api.route('PUT /notification-preferences', { body: this.draft });
      this.draft = { mutedNotifiers: [...answer.mutedNotifiers], quietHours: answer.quietHours, digest: answer.digest };
      this.errors = {};
      this.saved = true;
      return true;
    } catch (error) {
      const message = this.reportError('save notification preferences', error);
      const issues =
        error instanceof PreloopApiError
          ? ((error.details as { issues?: Array<{ path: string; message: string }> } | undefined)?.issues ?? [])
          : [];
      const errors: Partial<Record<Field, string>> = {};
      for (const issue of issues) errors[fieldOf(issue.path)] ??= issue.message;
      if (issues.length === 0) errors.form = message;
      this.errors = errors;
      return false;
    } finally {
      this.saving = false;
    }
  }

  private change(next: Partial<NotificationPreferences>): void {
    this.draft = { ...this.draft, ...next };
    this.saved = false;
  }

  private toggleMuted(id: string, muted: boolean): void {
    this.change({
      mutedNotifiers: muted ? [...new Set([...this.draft.mutedNotifiers, id])] : this.draft.mutedNotifiers.filter((item) => item !== id),
    });
  }

  private addMuted(): void {
    const input = this.renderRoot.querySelector<HTMLInputElement>('input[name="notifier"]');
    const id = input?.value.trim() ?? '';
    if (!id) return;
    if (!this.listed.includes(id)) this.listed = [...this.listed, id];
    this.toggleMuted(id, true);
    input!.value = '';
  }

  private setHours(key: 'start' | 'end' | 'timeZone', value: string): void {
    const hours = this.draft.quietHours ?? { start: '22:00', end: '07:00', timeZone: browserTimeZone() };
    this.change({ quietHours: { ...hours, [key]: value } });
  }

  private renderError(field: Field) {
    const message = this.errors[field];
    return message ? html`<span class="field-error" id="error-${field}" role="alert" data-error=${field}>${message}</span>` : nothing;
  }

  private described(field: Field): string | typeof nothing {
    return this.errors[field] ? `error-${field}` : nothing;
  }

  override render() {
    if (this.signedOut) return this.renderSignedOut();
    if (this.isNotInstalled(this.preferencesTask)) return nothing;
    return html`<section class="card" part="preferences" aria-labelledby="notifications-title">
      <div class="card-body">
        <h2 id="notifications-title">Notifications</h2>
        <p class="muted small">How approval requests reach ${this.userId ? 'this user' : 'you'}. The console lists every request whatever you choose here.</p>
      </div>
      ${this.renderLoad(this.preferencesTask, () => this.renderForm())}
    </section>`;
  }

  private renderForm() {
    const hours = this.draft.quietHours;
    const submit = (event: SubmitEvent) => {
      event.preventDefault();
      void this.save();
    };
    return html`<form class="card-body stack" @submit=${submit} aria-label="Notification preferences">
      <fieldset aria-describedby=${this.described('mutedNotifiers')}>
        <legend class="field-legend">Muted channels</legend>
        ${this.listed.length === 0 ? html`<span class="muted small" data-none>No channel is muted: every installed notifier reaches ${this.userId ? 'them' : 'you'}.</span>` : nothing}
        ${this.listed.map(
          (id) => html`<label class="check"
            ><input type="checkbox" name="muted" value=${id} .checked=${this.draft.mutedNotifiers.includes(id)} @change=${(event: Event) => this.toggleMuted(id, (event.target as HTMLInputElement).checked)} />
            Mute <code>${id}</code></label
          >`,
        )}
        <div class="row">
          <label class="field">Mute another notifier (its id, for example <code>email</code>)<input name="notifier" maxlength="100" @keydown=${(
            event: KeyboardEvent,
          ) => {
            if (event.key !== 'Enter') return;
            event.preventDefault();
            this.addMuted();
          }} /></label>
          <button type="button" @click=${() => this.addMuted()}>Mute</button>
        </div>
        ${this.renderError('mutedNotifiers')}
      </fieldset>
      <fieldset aria-describedby=${this.described('quietHours')}>
        <legend class="field-legend">Quiet hours</legend>
        <label class="check"
          ><input type="checkbox" name="quiet" .checked=${hours !== null} @change=${(event: Event) => ((event.target as HTMLInputElement).checked ? this.setHours('timeZone', hours?.timeZone ?? browserTimeZone()) : this.change({ quietHours: null }))} />
          Hold notifications during quiet hours (they go out when the quiet hours end)</label
        >
        ${
          hours
            ? html`<div class="row">
              <label class="field">From<input type="time" name="start" required .value=${hours.start} aria-describedby=${this.described('start')} @change=${(event: Event) => this.setHours('start', (event.target as HTMLInputElement).value)} /></label>
              <label class="field">Until<input type="time" name="end" required .value=${hours.end} aria-describedby=${this.described('end')} @change=${(event: Event) => this.setHours('end', (event.target as HTMLInputElement).value)} /></label>
              <label class="field"
                >Time zone<input name="timeZone" list="time-zones" required .value=${hours.timeZone} aria-describedby=${this.described('timeZone')} @change=${(event: Event) => this.setHours('timeZone', (event.target as HTMLInputElement).value.trim())}
              /></label>
              <datalist id="time-zones">${knownTimeZones().map((zone) => html`<option value=${zone}></option>`)}</datalist>
            </div>
            ${this.renderError('start')} ${this.renderError('end')} ${this.renderError('timeZone')}`
            : nothing
        }
        ${this.renderError('quietHours')}
      </fieldset>
      <label class="check"
        ><input type="checkbox" name="digest" .checked=${this.draft.digest} aria-describedby=${this.described('digest')} @change=${(event: Event) => this.change({ digest: (event.target as HTMLInputElement).checked })} />
        Batch a flood of requests into one digest (off: every request on its own)</label
      >
      ${this.renderError('digest')} ${this.renderError('form')}
      ${this.saved ? html`<div class="banner success" role="status">Saved.</div>` : nothing}
      <div><button class="primary" type="submit" ?disabled=${this.saving}>Save notification preferences</button></div>
    </form>`;
  }
}
