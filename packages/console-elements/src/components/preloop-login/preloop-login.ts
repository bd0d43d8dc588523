import { html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { PreloopUserLoggedInEvent } from '../../events/preloop-events.js';
import { icons } from '../../shared/icons.js';
import { PreloopElement } from '../../shared/preloop-element.js';
import { sharedStyles } from '../../shared/shared-styles.js';
import { themeStyles } from '../../shared/theme.js';
import { loginStyles } from './preloop-login.styles.js';

/**
 * The console's sign-in form: email and password against `POST /auth/login`
 * (which sets the session cookie). A failed login shows the server's message.
 *
 * @summary The console sign-in form (email and password).
 * @fires preloop-user-logged-in - after a successful login, with the user.
 * @csspart card - the form's card.
 * @csspart submit - the sign-in button.
 * @csspart error - the error message.
 *
 * @example
 * ```html
 * <preloop-login base-url="https://preloop.internal"></preloop-login>
 * ```
 */
export class PreloopLogin extends PreloopElement {
  /** A refused login is the form's own error, not a signed-out state. */
  protected override showsSignedOut = false;

  static override styles = [themeStyles, sharedStyles, loginStyles];

  /** The heading above the form. @default 'Sign in' */
  @property() heading = 'Sign in';

  /** The line under the heading. */
  @property() lead = 'Use your Preloop account to review agents, approvals and audit.';

  /** The email field's initial value. */
  @property() email = '';

  @state() private busy = false;
  @state() private error: string | null = null;

  override render() {
    return html`
      <div class="card" part="card">
        <div class="brand">${icons.logo}<span>Preloop</span></div>
        <h1>${this.heading}</h1>
        <p class="lead">${this.lead}</p>
        <form @submit=${this.submit} novalidate>
          ${this.error ? html`<div class="banner error" role="alert" part="error">${this.error}</div>` : nothing}
          <label class="field">Email
            <input name="email" type="email" autocomplete="username" required .value=${this.email} ?disabled=${this.busy} />
          </label>
          <label class="field">Password
            <input name="password" type="password" autocomplete="current-password" required ?disabled=${this.busy} />
          </label>
          <button class="primary" type="submit" part="submit" ?disabled=${this.busy}>${this.busy ? 'Signing in…' : 'Sign in'}</button>
        </form>
      </div>
    `;
  }

  private async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const email = (form.elements.namedItem('email') as HTMLInputElement).value.trim();
    const password = (form.elements.namedItem('password') as HTMLInputElement).value;
    if (!email || !password) {
      this.error = 'Enter your email and password.';
      return;
    }
    const api = this.api;
    if (!api) {
      this.error = 'No Preloop server is configured for this form.';
      return;
    }
    this.busy = true;
    this.error = null;
    try {
      const result = await api.auth.login(email, password);
      (form.elements.namedItem('password') as HTMLInputElement).value = '';
      this.dispatchEvent(new PreloopUserLoggedInEvent(result.user));
    } catch (error) {
      this.error = this.reportError('log in', error);
    } finally {
      this.busy = false;
    }
  }
}
