/**
 * The add / edit form of `<preloop-mcp-servers>`: its fields, and reading them
 * into the admin API's create or change body. Credentials (headers, the
 * environment) are write-only: the form names the stored ones but never shows
 * their values, and leaving them empty keeps them.
 *
 * @module
 */
import { html, nothing } from 'lit';
import type { CreateMcpServerInput, McpServer, McpTransport, UpdateMcpServerInput } from '../../client/api-types.js';

/** Reads `Name: value` (headers) or `NAME=value` (environment) lines; throws on a line without the separator. */
function readPairs(text: string, separator: ':' | '=', what: string): Record<string, string> | undefined {
  const pairs: Record<string, string> = {};
  for (const line of text
    .split('\n')
    .map((item) => item.trim())
    .filter(Boolean)) {
    const at = line.indexOf(separator);
    if (at <= 0) throw new Error(`Each ${what} line needs a name, "${separator}" and a value: "${line.slice(0, 40)}".`);
    pairs[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return Object.keys(pairs).length ? pairs : undefined;
}

/**
 * The create (no `editing`) or change body from the form's fields; throws an
 * `Error` whose message the form shows.
 *
 * @example
 * ```ts
 * const body = readServerForm(new FormData(form), 'http', null);
 * ```
 */
export function readServerForm(
  data: FormData,
  transport: McpTransport,
  editing: McpServer | null,
): CreateMcpServerInput | UpdateMcpServerInput {
  const text = (name: string) => String(data.get(name) ?? '').trim();
  const seconds = Number(text('timeoutSeconds') || 60);
  if (!Number.isFinite(seconds) || seconds < 1 || seconds > 3600) throw new Error('The timeout is between 1 and 3600 seconds.');
  const settings = {
    name: text('name'),
    namespaced: data.has('namespaced'),
    trustOnFirstUse: data.has('trustOnFirstUse'),
    enabled: data.has('enabled'),
    timeoutMs: Math.round(seconds * 1000),
  };
  if (transport === 'http') {
    const headers = readPairs(String(data.get('headers') ?? ''), ':', 'header');
    const body = { ...settings, url: text('url'), ...(headers ? { headers } : {}) };
    return editing ? body : { ...body, transport: 'http' };
  }
  const env = readPairs(String(data.get('env') ?? ''), '=', 'environment');
  const args = String(data.get('args') ?? '')
    .split('\n')
    .map((item) => item.trim())
    .filter(Boolean);
  const body = { ...settings, command: text('command'), args, ...(env ? { env } : {}) };
  return editing ? body : { ...body, transport: 'stdio' };
}

/** What {@link renderServerFields} needs. */
export interface ServerFieldsOptions {
  /** The server being changed, or null to add one. */
  editing: McpServer | null;
  transport: McpTransport;
  /** Called when the transport is switched (adding only: a server keeps its transport). */
  onTransport: (transport: McpTransport) => void;
}

/**
 * The fields of the add / edit form. Values are bound as defaults: reset the
 * form after rendering it for another server, and it shows that server.
 *
 * @example
 * ```ts
 * html`<form>${renderServerFields({ editing: null, transport: 'http', onTransport })}</form>`;
 * ```
 */
export function renderServerFields({ editing, transport, onTransport }: ServerFieldsOptions) {
  const stored = transport === 'http' ? (editing?.headerNames ?? []) : (editing?.envNames ?? []);
  return html`
    <div class="form-grid">
      <label class="field"
        ><span>Name <span class="hint">prefixes its tools</span></span>
        <input name="name" required maxlength="64" pattern="[A-Za-z0-9][A-Za-z0-9_\\-]*" placeholder="github" .defaultValue=${editing?.name ?? ''} />
      </label>
      <label class="field"
        >Transport
        <select name="transport" ?disabled=${editing !== null} @change=${(event: Event) => onTransport((event.target as HTMLSelectElement).value as McpTransport)}>
          <option value="http" ?selected=${transport === 'http'}>Streamable HTTP</option>
          <option value="stdio" ?selected=${transport === 'stdio'}>stdio (a local process)</option>
        </select>
      </label>
    </div>
    ${
      transport === 'http'
        ? html`<label class="field">URL <input name="url" type="url" required placeholder="https://mcp.example.com/mcp" .defaultValue=${editing?.url ?? ''} /></label>`
        : html`<label class="field"><span>Command <span class="hint">runs on the Preloop host; owners only</span></span><input name="command" required placeholder="npx" .defaultValue=${editing?.command ?? ''} /></label>
          <label class="field"><span>Arguments <span class="hint">one per line</span></span><textarea name="args" rows="2" placeholder="-y&#10;@modelcontextprotocol/server-github" .defaultValue=${editing?.args.join('\n') ?? ''}></textarea></label>`
    }
    <label class="field"
      ><span>${transport === 'http' ? 'Headers' : 'Environment'} <span class="hint">${transport === 'http' ? 'Name: value, one per line' : 'NAME=value, one per line'}</span></span>
      <textarea name=${transport === 'http' ? 'headers' : 'env'} rows="2" autocomplete="off" spellcheck="false" placeholder=${transport === 'http' ? 'Authorization: Bearer …' : 'GITHUB_TOKEN=…'}></textarea>
      <span class="secret-note"
        >Stored encrypted; never shown again and never sent to agents.${
          stored.length
            ? html` Stored now: ${stored.map((name, index) => html`${index ? ', ' : ''}<code>${name}</code>`)}. Leave empty to keep them; anything entered replaces them all.`
            : nothing
        }</span
      >
    </label>
    <fieldset class="checks">
      <legend class="field-legend">Options</legend>
      <label><input type="checkbox" name="namespaced" ?checked=${editing?.namespaced ?? true} /> Prefix tool names with the server name</label>
      <label><input type="checkbox" name="trustOnFirstUse" ?checked=${editing?.trustOnFirstUse ?? true} /> Trust new tools on first scan (flagged ones still wait for review)</label>
      <label><input type="checkbox" name="enabled" ?checked=${editing?.enabled ?? true} /> Enabled</label>
    </fieldset>
    <label class="field timeout"
      ><span>Timeout <span class="hint">seconds, per request</span></span><input name="timeoutSeconds" type="number" min="1" max="3600" step="1" .defaultValue=${String((editing?.timeoutMs ?? 60_000) / 1000)}
    /></label>
  `;
}
