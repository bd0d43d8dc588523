/**
 * Test helpers for Preloop and its plugins: throwaway databases on every
 * dialect, and kernels built on them. Import from `@preloop/core/testing`.
 *
 * @packageDocumentation
 */
export { testDialects, postgresOnly, createPostgresTestDatabase, testPostgresUrlVariable } from './testing/test-databases.js';
export type { TestDatabase, TestDialect } from './testing/test-databases.js';
export { describePostgres } from './testing/describe-postgres.js';
export { createTestPreloop, testSecretKey } from './testing/create-test-preloop.js';
export type { TestPreloop } from './testing/create-test-preloop.js';
export { modelProviderConformance, modelProviderPaths } from './testing/model-provider-conformance.js';
export type { ModelProviderConformanceOptions } from './testing/model-provider-conformance.js';
export { notifierConformance } from './testing/notifier-conformance.js';
export type {
  NotifierConformanceContext,
  NotifierConformanceFailure,
  NotifierConformanceOptions,
  NotifierTestChannel,
  ReceivedNotifierMessage,
} from './testing/notifier-conformance.js';
export { trackerConformance } from './testing/tracker-conformance.js';
export type {
  TrackerConformanceContext,
  TrackerConformanceDelivery,
  TrackerConformanceFailure,
  TrackerConformanceOptions,
  TrackerTestServer,
} from './testing/tracker-conformance.js';
export { firstStoredIssue, nextIssueSynced } from './testing/tracker-issue-store.js';
export { startTrackerTestKernel } from './testing/tracker-test-kernel.js';
export type { TrackerTestKernel, TrackerTestKernelOptions } from './testing/tracker-test-kernel.js';
export { startTrackerWebhookReceiver } from './testing/tracker-webhook-receiver.js';
export type { TrackerWebhookReceiver } from './testing/tracker-webhook-receiver.js';
export { preloopErrorOf } from './testing/preloop-error-of.js';
export { runtimeConformance } from './testing/runtime-conformance.js';
export type { RuntimeConformanceOptions } from './testing/runtime-conformance.js';
export { sampleApprovalNotification } from './testing/sample-approval-notification.js';
export type { SampleApprovalNotificationOverrides } from './testing/sample-approval-notification.js';
export { docExamples, runDocExample, startDocExample } from './testing/doc-examples.js';
export type { DocExample, DocExampleOptions, StartedDocExample } from './testing/doc-examples.js';
export { describeDocExamples } from './testing/describe-doc-examples.js';
export type { DescribeDocExamplesOptions } from './testing/describe-doc-examples.js';
export { createFaultProxy } from './testing/fault-proxy.js';
export type { FaultProxy } from './testing/fault-proxy.js';
export { startPrivatePostgres } from './testing/private-postgres.js';
export type { PrivatePostgres } from './testing/private-postgres.js';
