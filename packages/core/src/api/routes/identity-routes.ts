import type { AdminRoute } from '../define-route.js';
import { agentRoutes } from './identity/agent-routes.js';
import { apiKeyRoutes } from './identity/api-key-routes.js';
import { authRoutes } from './identity/auth-routes.js';
import { runtimeSessionRoutes } from './identity/runtime-session-routes.js';
import { teamRoutes } from './identity/team-routes.js';
import { userRoutes } from './identity/user-routes.js';

/**
 * The identity routes of the admin API: auth (login, logout, me), users, teams,
 * API keys, managed agents and runtime sessions. Every read and write is scoped
 * to the caller's account. Roles: viewer and approver read; admin manages users
 * up to admin, keys, agents and sessions; owner does everything.
 */
export const identityRoutes: AdminRoute[] = [
  ...authRoutes,
  ...userRoutes,
  ...teamRoutes,
  ...apiKeyRoutes,
  ...agentRoutes,
  ...runtimeSessionRoutes,
];
