import { provide } from '@lit/context';
import { html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { Me } from '../../client/api-types.js';
import { PreloopApiError } from '../../client/preloop-api-error.js';
import { PreloopClient } from '../../client/preloop-client.js';
import { preloopClientContext } from '../../context/preloop-context.js';
import { staticTag } from '../../define/element-tag.js';
import { PreloopElement } from '../../shared/preloop-element.js';
import { themeStyles } from '../../shared/theme.js';
import { html as staticHtml } from 'lit/static-html.js';
import { PreloopLogin } from '../preloop-login/preloop-login.js';
import { providerStyles } from './preloop-provider.styles.js';

/**
 * Provides a {@link PreloopClient} to every Preloop element inside it, through
 * `@lit/context`: the way to drop several elements into a portal page with one
 * configuration. Without `client` or `base-url` it talks to the page's own
 * origin (where a reverse proxy serves `/api/v1`). It checks the session first; when nobody is logged in it
 * shows a sign-in form instead of its children (unless `no-login`), and only
 * then hands the client down, so the children never fetch unauthenticated.
 *
 * @summary Provides one client to the elements inside it, and signs people in when needed.
 * @slot - the Preloop elements (and anything else) to show once signed in.
 * @csspart login - the sign-in form shown when nobody is logged in.
 *
 * @example
 * ```html
 * <preloop-provider base-url="https://preloop.internal">
 *   <preloop-dashboard></preloop-dashboard>
 *   <preloop-approval-queue></preloop-approval-queue>
 * </preloop-provider>
 * ```
 */
export class PreloopProvider extends PreloopElement {
  static override styles = [themeStyles, providerStyles];

  /** Provide the client without checking the session (for token clients, or hosts that handle login themselves). */
  @property({ type: Boolean, attribute: 'no-login' }) noLogin = false;

  /** The signed-in principal, once known. */
  @state() me: Me | null = null;

  @state() private phase: 'checking' | 'anonymous' | 'ready' = 'checking';
  @state() private failure: string | null = null;

  @provide({ context: preloopClientContext })
  @state()
  protected providedClient?: PreloopClient;

  private fallbackClient?: PreloopClient;

  /** The client: `client`, else one for `base-url`, else an enclosing provider's, else one for this page's own origin. */
  override get api(): PreloopClient | undefined {
    return super.api ?? (this.fallbackClient ??= new PreloopClient());
  }

  protected override clientChanged(client: PreloopClient): void {
    this.providedClient = undefined;
    if (this.noLogin) {
      this.phase = 'ready';
      this.providedClient = client;
      return;
    }
    void this.check(client);
  }

  private async check(client: PreloopClient): Promise<void> {
    this.phase = 'checking';
    try {
      this.me = await client.auth.me();
      if (client !== this.api) return;
      this.phase = 'ready';
      this.providedClient = client;
    } catch (error) {
      if (client !== this.api) return;
      if (error instanceof PreloopApiError && error.status === 401) this.phase = 'anonymous';
      else {
        this.failure = this.reportError('check the session', error);
        this.phase = 'anonymous';
      }
    }
  }

  override render() {
    if (this.phase === 'ready') return html`<slot></slot>`;
    if (this.phase === 'checking') return nothing;
    const login = staticTag(PreloopLogin, 'preloop-login');
    return staticHtml`<${login} class="login" part="login" .client=${this.api} lead=${this.failure ?? 'Sign in to see this page’s Preloop widgets.'} @preloop-user-logged-in=${() => this.api && this.check(this.api)}></${login}>`;
  }
}
