/**
 * `@preloop/console-elements`: the Preloop console as Lit web components over
 * the admin API. Import the classes from here and register them yourself
 * (`defineElements()`), or import `@preloop/console-elements/define` to register
 * every element under its default `preloop-*` tag.
 *
 * @example
 * ```ts
 * import { defineElements, PreloopClient } from '@preloop/console-elements';
 * defineElements();
 * document.querySelector('preloop-approval-queue')!.client = new PreloopClient({ baseUrl: 'https://preloop.internal' });
 * ```
 *
 * @packageDocumentation
 */
import type { PreloopElementTagNameMap } from './define/define-elements.js';

export * from './client.js';
export { preloopClientContext } from './context/preloop-context.js';
export * from './events/preloop-events.js';
export { defineElements, preloopElements } from './define/define-elements.js';
export type { DefineElementsOptions, PreloopElementName, PreloopElementTagNameMap } from './define/define-elements.js';
export { elementTag, staticTag } from './define/element-tag.js';
export { PreloopElement, clientForBaseUrl } from './shared/preloop-element.js';
export type { RenderLoadOptions } from './shared/preloop-element.js';
export { LiveController } from './shared/live-controller.js';
export { themeStyles } from './shared/theme.js';
export { sharedStyles } from './shared/shared-styles.js';

export { PreloopConsole } from './components/preloop-console/preloop-console.js';
export { PreloopProvider } from './components/preloop-provider/preloop-provider.js';
export { PreloopLogin } from './components/preloop-login/preloop-login.js';
export { PreloopDashboard } from './components/preloop-dashboard/preloop-dashboard.js';
export { PreloopApprovalQueue } from './components/preloop-approval-queue/preloop-approval-queue.js';
export { PreloopApprovalCard } from './components/preloop-approval-card/preloop-approval-card.js';
export { PreloopApprovalDeliveries } from './components/preloop-approval-deliveries/preloop-approval-deliveries.js';
export { PreloopAuditLog } from './components/preloop-audit-log/preloop-audit-log.js';
export type { AuditFilters } from './components/preloop-audit-log/preloop-audit-log.js';
export { PreloopUsageChart } from './components/preloop-usage-chart/preloop-usage-chart.js';
export type { UsageMetric, UsagePoint } from './components/preloop-usage-chart/preloop-usage-chart.js';
export { PreloopAgents } from './components/preloop-agents/preloop-agents.js';
export { PreloopSessions } from './components/preloop-sessions/preloop-sessions.js';
export type { SessionFilter } from './components/preloop-sessions/preloop-sessions.js';
export { PreloopIssues } from './components/preloop-issues/preloop-issues.js';
export type { IssueFilters } from './components/preloop-issues/preloop-issues.js';
export { PreloopFlows } from './components/preloop-flows/preloop-flows.js';
export { flowPresets, issueTriagePreset, pullRequestReviewPreset, sampleTrackerEvent } from './components/preloop-flows/flow-presets.js';
export type { FlowPreset, FlowPresetOptions } from './components/preloop-flows/flow-presets.js';
export { PreloopExecutions } from './components/preloop-executions/preloop-executions.js';
export { PreloopTrackerConnections } from './components/preloop-tracker-connections/preloop-tracker-connections.js';
export { PreloopModels } from './components/preloop-models/preloop-models.js';
export { PreloopBudgets } from './components/preloop-budgets/preloop-budgets.js';
export { PreloopSettings } from './components/preloop-settings/preloop-settings.js';
export type { SettingsTab } from './components/preloop-settings/preloop-settings.js';
export { PreloopNotificationPreferences } from './components/preloop-notification-preferences/preloop-notification-preferences.js';
export { PreloopPolicyEditor } from './components/preloop-policy-editor/preloop-policy-editor.js';
export { PreloopMcpServers } from './components/preloop-mcp-servers/preloop-mcp-servers.js';
export { PreloopDevices } from './components/preloop-devices/preloop-devices.js';

declare global {
  interface HTMLElementTagNameMap extends PreloopElementTagNameMap {}
}
