/**
 * The kill switch tab of `<preloop-settings>`: what is stopped and why, a
 * resume per scope or for everything, and a form that stops the chosen scopes
 * with a reason.
 *
 * @module
 */
import { html, nothing } from 'lit';
import { killSwitchScopes, type KillSwitchScope, type KillSwitchState } from '../../client/api-types.js';
import { formatRelative, formatTime } from '../../shared/format.js';
import { icons } from '../../shared/icons.js';

const scopeText: Record<KillSwitchScope, [string, string]> = {
  tools: ['Tools', 'Tool calls through the MCP endpoint'],
  models: ['Models', 'Model calls through the gateway'],
  flows: ['Flows', 'Agent flows: new runs and their next steps'],
};

/** What {@link renderKillSwitch} needs. */
export interface KillSwitchPanelOptions {
  /** The current state, or null before it loaded (or when it could not be read). */
  state: KillSwitchState | null;
  /** A message about the form (nothing chosen), or null. */
  formError: string | null;
  /** Stops `scopes` with `reason`; resolves true when they were stopped (the form then starts afresh). */
  onStop: (scopes: KillSwitchScope[], reason: string) => Promise<boolean>;
  /** Resumes `scopes`, or everything when omitted. */
  onResume: (scopes?: KillSwitchScope[]) => void;
}

/**
 * The kill switch panel.
 *
 * @example
 * ```ts
 * html`${renderKillSwitch({ state, formError: null, onStop, onResume })}`;
 * ```
 */
export function renderKillSwitch({ state, formError, onStop, onResume }: KillSwitchPanelOptions) {
  const active = new Set(state?.active ?? []);
  const running = killSwitchScopes.filter((scope) => !active.has(scope));
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    if (await onStop(data.getAll('scope').map(String) as KillSwitchScope[], String(data.get('reason') ?? '').trim())) form.reset();
  };
  return html`<section class="card kill-switch">
    <div class="card-body kill">
      ${
        active.size
          ? html`<div class="banner error" role="status">
            ${icons.alert}
            <span
              ><strong>Stopped: ${[...active].join(', ')}.</strong> ${state?.reason ?? ''}
              ${state?.activatedAt ? html`<span class="muted" title=${formatTime(state.activatedAt)}>(since ${formatRelative(state.activatedAt)})</span>` : nothing}</span
            >
          </div>`
          : html`<div class="banner success" role="status">${icons.check}<span>Everything is running.</span></div>`
      }
      <p class="muted">The kill switch stops tools, model calls or flows for the whole account, on every instance, within seconds. Pending approval deadlines are frozen while tools are stopped.</p>
      <ul class="kill-scopes" aria-label="Scopes">
        ${killSwitchScopes.map((scope) => {
          const [label, effect] = scopeText[scope];
          const stopped = active.has(scope);
          return html`<li data-scope=${scope} class=${stopped ? 'stopped' : ''}>
            <div>
              <strong>${label}</strong>
              <div class="muted small">${effect}</div>
            </div>
            <span class="badge ${stopped ? 'danger' : 'success'}">${stopped ? 'stopped' : 'running'}</span>
            ${stopped ? html`<button class="small" @click=${() => onResume([scope])}>Resume ${label.toLowerCase()}</button>` : html`<span class="resume-placeholder"></span>`}
          </li>`;
        })}
      </ul>
      ${active.size ? html`<div><button class="primary" @click=${() => onResume()}>Resume everything</button></div>` : nothing}
      ${
        running.length
          ? html`<form class="stop" @submit=${submit} aria-label="Stop">
            <fieldset class="scopes">
              <legend class="field-legend">${active.size ? 'Also stop' : 'Stop'}</legend>
              ${running.map((scope) => html`<label><input type="checkbox" name="scope" value=${scope} checked /> ${scopeText[scope][0]}</label>`)}
            </fieldset>
            <label class="field"
              ><span>Reason <span class="hint">shown to everyone and kept in the audit trail${active.size ? '; replaces the current one' : ''}</span></span>
              <input name="reason" required maxlength="500" placeholder="For example: incident 42, runaway agent" />
            </label>
            ${formError ? html`<div class="banner error" role="alert">${formError}</div>` : nothing}
            <div><button class="danger" type="submit">${icons.alert} Stop selected</button></div>
          </form>`
          : nothing
      }
    </div>
  </section>`;
}
