import { html, nothing } from 'lit';
import type { PasswordResetResult, User } from '../../client/api-types.js';

/** The shortest password the server accepts (core's `minPasswordLength`; the server checks it too). */
const minPasswordLength = 8;

/** What {@link renderChangePassword} shows and calls. */
export interface ChangePasswordPanel {
  /** The signed-in user, or null (an API key or a host session without a user). */
  user: User | null;
  /** A refusal or a validation message, shown above the button. */
  error: string | null;
  /** What the last successful change did, shown as a success banner. */
  done: string | null;
  /** Submits the change; resolves true when the server accepted it. */
  onChange(currentPassword: string, newPassword: string): Promise<boolean>;
  /** Reports a validation message found before any request (the new passwords differ). */
  onInvalid(message: string): void;
}

/**
 * The "Change password" form of the signed-in user (Settings → Your account):
 * the current password, the new one twice. The server checks the current one,
 * counts a wrong one like a failed login, and signs out the user's other sessions.
 *
 * @example
 * ```ts
 * renderChangePassword({ user, error, done, onChange: (current, next) => save(current, next), onInvalid: (m) => (error = m) });
 * ```
 */
export function renderChangePassword(panel: ChangePasswordPanel) {
  if (!panel.user) {
    return html`<section class="card"><div class="empty"><strong>No password here</strong><span>You are signed in with an API key or through the host; there is no console password to change.</span></div></section>`;
  }
  if (!panel.user.hasPassword) {
    return html`<section class="card"><div class="empty"><strong>No password here</strong><span>You sign in through the host’s authentication, which manages your password.</span></div></section>`;
  }
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const next = String(data.get('newPassword') ?? '');
    if (next !== String(data.get('confirmPassword') ?? '')) {
      panel.onInvalid('The new password and its confirmation differ.');
      return;
    }
    if (await panel.onChange(String(data.get('currentPassword') ?? ''), next)) form.reset();
  };
  return html`<section class="card">
    <form class="create" @submit=${submit} aria-label="Change password">
      <h2>Change password</h2>
      <p class="muted small">Signed in as ${panel.user.email}. Your other console sessions are signed out; this one stays. API keys keep working.</p>
      <div class="form-grid">
        <label class="field">Current password <input name="currentPassword" type="password" required autocomplete="current-password" /></label>
        <label class="field"
          ><span>New password <span class="hint">(at least ${minPasswordLength} characters)</span></span
          ><input name="newPassword" type="password" required minlength=${minPasswordLength} autocomplete="new-password"
        /></label>
        <label class="field">Confirm new password <input name="confirmPassword" type="password" required minlength=${minPasswordLength} autocomplete="new-password" /></label>
      </div>
      ${panel.error ? html`<div class="banner error" role="alert">${panel.error}</div>` : nothing}
      ${panel.done ? html`<div class="banner success" role="status">${panel.done}</div>` : nothing}
      <div><button class="primary" type="submit">Change password</button></div>
    </form>
  </section>`;
}

/**
 * The once-only display of a password an admin reset: the generated password
 * to hand over, and what the reset did.
 *
 * @example
 * ```ts
 * renderResetPassword(result, () => (result = null));
 * ```
 */
export function renderResetPassword(result: PasswordResetResult, onDismiss: () => void) {
  return html`<div class="secret" part="new-password" role="status">
    <strong>Give ${result.user.name} this one-time password now: it will not be shown again.</strong>
    ${result.generatedPassword ? html`<div class="key"><code data-new-password>${result.generatedPassword}</code></div>` : nothing}
    <span class="small"
      >${result.endedSessions === 1 ? '1 console session' : `${result.endedSessions} console sessions`} of ${result.user.name} ended. Ask them to change it after signing in
      (Settings → Your account).</span
    >
    <div><button class="small primary" @click=${onDismiss}>Done</button></div>
  </div>`;
}
