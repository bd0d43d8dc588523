/** The first path segment of every console view; the server answers these paths with the console page. */
export const consoleSections = [
  'dashboard',
  'approvals',
  'sessions',
  'agents',
  'issues',
  'flows',
  'executions',
  'audit',
  'usage',
  'models',
  'mcp-servers',
  'settings',
] as const;

/**
 * Earlier names of console sections, still followed: `mcp` collided with the
 * MCP endpoint's own path (`/mcp`), so the MCP servers view is `mcp-servers`.
 */
export const consoleSectionAliases: Readonly<Record<string, ConsoleSection>> = { mcp: 'mcp-servers' };

/** A console view's first path segment. */
export type ConsoleSection = (typeof consoleSections)[number];
