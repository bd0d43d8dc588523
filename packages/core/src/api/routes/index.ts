import type { AdminRoute } from '../define-route.js';
import { auditRoutes } from './audit-routes.js';
import { governanceRoutes } from './governance-routes.js';
import { identityRoutes } from './identity-routes.js';
import { metricsRoutes } from '../../metrics/metrics-routes.js';
import { permissionCheckRoutes } from './permission-check-routes.js';
import { oauthRoutes } from '../../oauth/oauth-routes.js';
import { systemRoutes } from './system-routes.js';
import { trackerRoutes } from '../../trackers/tracker-routes.js';
import { issueRoutes } from '../../trackers/sync/issue-routes.js';

/** Every route the kernel itself serves under `/api/v1`. */
export const coreRoutes: AdminRoute[] = [
  ...systemRoutes,
  ...metricsRoutes,
  ...identityRoutes,
  ...auditRoutes,
  ...governanceRoutes,
  ...permissionCheckRoutes,
  ...issueRoutes,
  ...oauthRoutes,
  ...trackerRoutes,
];
