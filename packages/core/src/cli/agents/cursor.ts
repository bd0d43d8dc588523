/**
 * Cursor: Preloop's tools through an HTTP MCP server in `~/.cursor/mcp.json`,
 * its `Authorization` header read from the `PRELOOP_API_KEY` environment
 * variable (`${env:NAME}` interpolation; the key stays out of the file).
 * Cursor keeps its model settings in its own database, not in a file, so the
 * model gateway is set in Cursor's settings by hand (OpenAI base URL).
 *
 * @module
 */

import path from 'node:path';
import { PreloopError } from '../../errors.js';
import type { AgentAdapter } from './agent-adapter.js';

/** The Cursor adapter. */
export const cursor: AgentAdapter = {
  id: 'cursor',
  title: 'Cursor',
  kind: 'cursor',
  markers: ({ home }) => [path.join(home, '.cursor')],
  files: ({ home }, cwd) => [
    { path: path.join(home, '.cursor', 'mcp.json'), role: 'global MCP servers (mcpServers)', managed: true },
    { path: path.join(cwd, '.cursor', 'mcp.json'), role: 'project MCP servers (reported, not edited)', managed: false },
  ],
  edits: (context) => {
    if (context.hook !== null)
      throw new PreloopError(
        'VALIDATION_ERROR',
        "Cursor's hooks answer in their own JSON, which `preloop hook` does not speak yet: onboard cursor without --permission-hook.",
      );
    return [
      {
        format: 'json',
        file: path.join(context.home, '.cursor', 'mcp.json'),
        entries: [
          {
            path: ['mcpServers', 'preloop'],
            value: { url: `${context.server}/mcp`, headers: { Authorization: 'Bearer ${env:PRELOOP_API_KEY}' } },
          },
        ],
      },
    ];
  },
  notes: (context) => [
    `Start Cursor with the key in its environment: PRELOOP_API_KEY="$(cat '${context.keyFile}')" cursor`,
    `Models: in Cursor's settings, override the OpenAI base URL with ${context.server}/openai/v1 and use the key as the OpenAI API key.`,
  ],
};
