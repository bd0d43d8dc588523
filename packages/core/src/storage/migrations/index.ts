import type { PreloopMigration } from '../migrations.js';
import { kernelMigration } from './0001-kernel.js';
import { identityMigration } from './0002-identity.js';
import { auditMigration } from './0003-audit.js';
import { governanceMigration } from './0004-governance.js';
import { auditAnchorsMigration } from './0005-audit-anchors.js';
import { sharedCountersMigration } from './0006-shared-counters.js';
import { sessionTaintMigration } from './0007-session-taint.js';
import { auditBoundariesMigration } from './0008-audit-boundaries.js';
import { oauthMigration } from './0009-oauth.js';
import { trackersMigration } from './0010-trackers.js';
import { trackerIssuesMigration } from './0011-tracker-issues.js';

/** The kernel's own migrations, in order. */
export const coreMigrations: PreloopMigration[] = [
  kernelMigration,
  identityMigration,
  auditMigration,
  governanceMigration,
  auditAnchorsMigration,
  sharedCountersMigration,
  sessionTaintMigration,
  auditBoundariesMigration,
  oauthMigration,
  trackersMigration,
  trackerIssuesMigration,
];
