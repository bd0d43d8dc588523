/**
 * Gemini CLI: Preloop's tools through an HTTP MCP server (`httpUrl`) in
 * `~/.gemini/settings.json`, its `Authorization` header read from the
 * `PRELOOP_API_KEY` environment variable (Gemini CLI expands `$VAR` in its
 * settings; it has no command helper, and the key stays out of the file).
 * Models: Preloop's gateway speaks the OpenAI and Anthropic wire protocols,
 * not Gemini's, so Gemini CLI's model calls are left alone.
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
    { path: path.join(home, '.gemini', 'settings.json'), role: 'settings: MCP servers (mcpServers)', managed: true },
    { path: path.join(cwd, '.gemini', 'settings.json'), role: 'project settings (reported, not edited)', managed: false },
  ],
  edits: (context) => [
    {
      format: 'json',
      file: path.join(context.home, '.gemini', 'settings.json'),
      entries: [
        {
          path: ['mcpServers', 'preloop'],
          value: { httpUrl: `${context.server}/mcp`, headers: { Authorization: 'Bearer ${PRELOOP_API_KEY}' } },
        },
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
  ],
  notes: (context) => [
    `Start Gemini CLI with the key in its environment: PRELOOP_API_KEY="$(cat '${context.keyFile}')" gemini`,
    'Model calls are not routed through Preloop: the gateway does not speak the Gemini API.',
  ],
};
