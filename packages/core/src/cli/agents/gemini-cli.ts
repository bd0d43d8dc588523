/**
 * Gemini CLI: Preloop's tools through an HTTP MCP server (`httpUrl`) in
 * `~/.gemini/settings.json`, and its model calls through the gateway's Gemini
 * ingress: the API-key auth type in the same settings, and
 * `GOOGLE_GEMINI_BASE_URL` in `~/.gemini/.env` (which Gemini CLI loads for a
 * trusted folder when no project `.env` comes first). The key stays out of
 * both files: Gemini CLI reads it from `GEMINI_API_KEY`, and the MCP header
 * expands the same variable (Gemini CLI expands `$VAR` in its settings; it has
 * no command helper).
 *
 * @module
 */

import path from 'node:path';
import type { AgentAdapter } from './agent-adapter.js';

/** The Gemini CLI adapter. */
export const geminiCli: AgentAdapter = {
  id: 'gemini-cli',
  title: 'Gemini CLI',
  kind: 'gemini_cli',
  markers: ({ home }) => [path.join(home, '.gemini')],
  files: ({ home }, cwd) => [
    {
      path: path.join(home, '.gemini', 'settings.json'),
      role: 'settings: MCP servers (mcpServers), auth type, hooks',
      managed: true,
    },
    { path: path.join(home, '.gemini', '.env'), role: 'environment: the gateway as GOOGLE_GEMINI_BASE_URL', managed: true },
    { path: path.join(cwd, '.gemini', 'settings.json'), role: 'project settings (reported, not edited)', managed: false },
    {
      path: path.join(cwd, '.env'),
      role: 'project environment (reported, not edited; when present it wins over ~/.gemini/.env)',
      managed: false,
    },
  ],
  edits: (context) => [
    {
      format: 'json',
      file: path.join(context.home, '.gemini', 'settings.json'),
      entries: [
        {
          path: ['mcpServers', 'preloop'],
          value: { httpUrl: `${context.server}/mcp`, headers: { Authorization: 'Bearer ${GEMINI_API_KEY}' } },
        },
        // Without it, a base URL other than Google's makes Gemini CLI stop and ask for a login.
        { path: ['security', 'auth', 'selectedType'], value: 'gemini-api-key' },
        ...(context.hook === null
          ? []
          : [
              {
                path: ['hooks', 'BeforeTool'],
                append: true,
                value: {
                  matcher: 'run_shell_command|write_file|replace|read_file|web_fetch|google_web_search',
                  hooks: [{ type: 'command', command: context.hook, timeout: 30_000 }],
                },
              },
            ]),
      ],
    },
    {
      format: 'dotenv',
      file: path.join(context.home, '.gemini', '.env'),
      // Gemini CLI adds /v1beta itself.
      blocks: [{ position: 'end', text: `GOOGLE_GEMINI_BASE_URL=${context.server}/gemini` }],
      conflicts: [{ pattern: /^\s*(export\s+)?GOOGLE_GEMINI_BASE_URL\s*=/ }],
    },
  ],
  notes: (context) => [
    `Start Gemini CLI with the key in its environment (models and tools both use it): GEMINI_API_KEY="$(cat '${context.keyFile}')" gemini`,
    'Gemini CLI asks for Google model names (gemini-2.5-pro, gemini-2.5-flash…): declare them as aliases or map them with gateway.modelNames.',
    "A project's .env (or .gemini/.env) is loaded instead of ~/.gemini/.env, and an untrusted folder loads none: there, set GOOGLE_GEMINI_BASE_URL yourself.",
  ],
};
