/** The first path segment of every console view; the server answers these paths with the console page. */
export const consoleSections = ['dashboard', 'approvals', 'sessions', 'agents', 'audit', 'usage', 'models', 'mcp', 'settings'] as const;

/** A console view's first path segment. */
export type ConsoleSection = (typeof consoleSections)[number];
