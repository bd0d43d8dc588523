import type { TrackerSeed } from './tracker-fixture.js';

/** What the global setup seeded, as the browser tests get it through `inject('preloop')`. */
export interface TestSeed {
  /** The kernel's own URL (the tests reach it through the test page's origin, at `/api/v1`). */
  apiUrl: string;
  /** The owner: console password and an admin API key (`admin:read`, `admin:write`). */
  owner: { id: string; email: string; password: string; key: string };
  /** An approver (console password only). */
  approver: { id: string; email: string; password: string };
  /** A viewer with an `admin:read` key. */
  viewer: { id: string; email: string; password: string; key: string };
  /** Enrolled agents: `ci` (active), `nightly` (suspended), `triage` (active). */
  agents: { ci: string; nightly: string; triage: string };
  /** Runtime sessions: `running`, `bump` (active), `ended`, and `mcp` (the one MCP calls run in). */
  sessions: { running: string; bump: string; ended: string; mcp: string };
  /** The upstream MCP server `github`. */
  mcpServerId: string;
  /** Why model calls through the gateway failed during seeding, or null when they worked. */
  gatewayError: string | null;
  /** The GitHub connection (to the GitHub stub) whose issues were imported. */
  trackers: TrackerSeed;
}

declare module 'vitest' {
  interface ProvidedContext {
    preloop: TestSeed;
  }
}
