/**
 * Codex CLI: `$CODEX_HOME/config.toml` (else `~/.codex/config.toml`) gets a
 * `model_provider = "preloop"` line at the top and the `[model_providers.preloop]`
 * and `[mcp_servers.preloop]` tables at the end, each between Preloop's
 * marker comments. The provider's `auth` command and the MCP server's
 * `http_headers_helper` read the stored credential.
 *
 * @module
 */

import path from 'node:path';
import { shellQuote, type AgentAdapter, type AgentContext } from './agent-adapter.js';

const codexHome = ({ home, env }: Pick<AgentContext, 'home' | 'env'>) => env.CODEX_HOME || path.join(home, '.codex');

/** The Codex adapter. */
export const codex: AgentAdapter = {
  id: 'codex',
  title: 'Codex CLI',
  kind: 'codex',
  markers: (context) => [codexHome(context)],
  files: (context) => [
    { path: path.join(codexHome(context), 'config.toml'), role: 'model provider and MCP servers', managed: true },
    { path: path.join(codexHome(context), 'hooks.json'), role: 'hooks (the permission hook, with --permission-hook)', managed: true },
  ],
  edits: (context) => [
    {
      format: 'toml',
      file: path.join(codexHome(context), 'config.toml'),
      blocks: [
        { position: 'top', text: 'model_provider = "preloop"' },
        {
          position: 'end',
          text: [
            '[model_providers.preloop]',
            'name = "Preloop"',
            `base_url = ${JSON.stringify(`${context.server}/openai/v1`)}`,
            'wire_api = "responses"',
            '',
            '[model_providers.preloop.auth]',
            'command = "cat"',
            `args = [${JSON.stringify(context.keyFile)}]`,
            'refresh_interval_ms = 600000',
            '',
            '[mcp_servers.preloop]',
            `url = ${JSON.stringify(`${context.server}/mcp`)}`,
            `http_headers_helper = ${JSON.stringify(`cat ${shellQuote(context.headersFile)}`)}`,
            '# Preloop decides; without it codex exec refuses every Preloop tool',
            'default_tools_approval_mode = "approve"',
          ].join('\n'),
        },
      ],
      // A provider chosen at the top level, or a Preloop table the user wrote, would clash with ours.
      conflicts: [
        { pattern: /^\s*model_provider\s*=/, topLevel: true },
        { pattern: /^\s*\[\s*(model_providers|mcp_servers)\s*\.\s*"?preloop"?\s*[\].]/ },
        { pattern: /^\s*(model_providers|mcp_servers)\s*\.\s*"?preloop"?\s*[.=]/ },
      ],
    },
    ...(context.hook === null
      ? []
      : [
          {
            format: 'json' as const,
            file: path.join(codexHome(context), 'hooks.json'),
            entries: [
              {
                path: ['hooks', 'PreToolUse'],
                append: true,
                value: { hooks: [{ type: 'command', command: context.hook, timeout: 35, onFailure: 'block' }] },
              },
            ],
          },
        ]),
  ],
  notes: (context) => [
    ...(context.hook === null
      ? []
      : ['Codex runs hooks with `--enable hooks` once the hook is trusted (or `--dangerously-bypass-hook-trust`).']),
    'Codex asks the gateway for the model its config names (`model`, or its default): declare that name as an alias or in gateway.modelNames.',
  ],
};
