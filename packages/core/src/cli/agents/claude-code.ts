/**
 * Claude Code: the model gateway through `env.ANTHROPIC_BASE_URL` and
 * `apiKeyHelper` in `~/.claude/settings.json`, Preloop's tools through a
 * user-scope HTTP MCP server in `~/.claude.json` whose `headersHelper` reads
 * the stored credential. The key itself stays in Preloop's credential files.
 *
 * @module
 */

import path from 'node:path';
import { shellQuote, type AgentAdapter } from './agent-adapter.js';

/** Claude Code's native tools: the permission hook asks about these (Preloop's own MCP tools are governed by /mcp). */
const nativeTools = 'Bash|Edit|MultiEdit|Write|NotebookEdit|Read|Glob|Grep|WebFetch|WebSearch|Task';

/** The Claude Code adapter. */
export const claudeCode: AgentAdapter = {
  id: 'claude-code',
  title: 'Claude Code',
  kind: 'claude_code',
  markers: ({ home }) => [path.join(home, '.claude'), path.join(home, '.claude.json')],
  files: ({ home }, cwd) => [
    {
      path: path.join(home, '.claude', 'settings.json'),
      role: 'settings: model gateway (env.ANTHROPIC_BASE_URL, apiKeyHelper)',
      managed: true,
    },
    { path: path.join(home, '.claude.json'), role: 'user-scope MCP servers (mcpServers)', managed: true },
    { path: path.join(cwd, '.mcp.json'), role: 'project MCP servers (reported, not edited)', managed: false },
  ],
  edits: (context) => [
    {
      format: 'json',
      file: path.join(context.home, '.claude', 'settings.json'),
      entries: [
        { path: ['env', 'ANTHROPIC_BASE_URL'], value: `${context.server}/anthropic` },
        { path: ['apiKeyHelper'], value: `cat ${shellQuote(context.keyFile)}` },
        ...(context.hook === null
          ? []
          : [
              {
                path: ['hooks', 'PreToolUse'],
                append: true,
                value: { matcher: nativeTools, hooks: [{ type: 'command', command: context.hook, timeout: 35, onFailure: 'block' }] },
              },
            ]),
      ],
    },
    {
      format: 'json',
      file: path.join(context.home, '.claude.json'),
      entries: [
        {
          path: ['mcpServers', 'preloop'],
          value: { type: 'http', url: `${context.server}/mcp`, headersHelper: `cat ${shellQuote(context.headersFile)}` },
        },
      ],
    },
  ],
  notes: () => ['Claude Code runs an MCP headersHelper only in folders you trusted (its start-up dialog).'],
};
