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
export * from './client.js';
export { preloopClientContext } from './context/preloop-context.js';
export * from './events/preloop-events.js';
export { defineElements, preloopElements } from './define/define-elements.js';
export type { DefineElementsOptions, PreloopElementName } from './define/define-elements.js';
export { elementTag, staticTag } from './define/element-tag.js';
export { PreloopElement, clientForBaseUrl } from './shared/preloop-element.js';
export { themeStyles } from './shared/theme.js';
export { sharedStyles } from './shared/shared-styles.js';

export { PreloopConsole } from './components/preloop-console/preloop-console.js';
export { PreloopProvider } from './components/preloop-provider/preloop-provider.js';
export { PreloopLogin } from './components/preloop-login/preloop-login.js';
export { PreloopDashboard } from './components/preloop-dashboard/preloop-dashboard.js';
export { PreloopApprovalQueue } from './components/preloop-approval-queue/preloop-approval-queue.js';
export { PreloopApprovalCard } from './components/preloop-approval-card/preloop-approval-card.js';
export { PreloopAuditLog } from './components/preloop-audit-log/preloop-audit-log.js';
export type { AuditFilters } from './components/preloop-audit-log/preloop-audit-log.js';
export { PreloopUsageChart } from './components/preloop-usage-chart/preloop-usage-chart.js';
export type { UsageMetric, UsagePoint } from './components/preloop-usage-chart/preloop-usage-chart.js';
export { PreloopAgents } from './components/preloop-agents/preloop-agents.js';
export { PreloopSessions } from './components/preloop-sessions/preloop-sessions.js';
export { PreloopModels } from './components/preloop-models/preloop-models.js';
export { PreloopBudgets } from './components/preloop-budgets/preloop-budgets.js';
export { PreloopSettings } from './components/preloop-settings/preloop-settings.js';
export type { SettingsTab } from './components/preloop-settings/preloop-settings.js';
export { PreloopPolicyEditor } from './components/preloop-policy-editor/preloop-policy-editor.js';
export { PreloopMcpServers } from './components/preloop-mcp-servers/preloop-mcp-servers.js';

declare global {
  interface HTMLElementTagNameMap {
    'preloop-console': import('./components/preloop-console/preloop-console.js').PreloopConsole;
    'preloop-provider': import('./components/preloop-provider/preloop-provider.js').PreloopProvider;
    'preloop-login': import('./components/preloop-login/preloop-login.js').PreloopLogin;
    'preloop-dashboard': import('./components/preloop-dashboard/preloop-dashboard.js').PreloopDashboard;
    'preloop-approval-queue': import('./components/preloop-approval-queue/preloop-approval-queue.js').PreloopApprovalQueue;
    'preloop-approval-card': import('./components/preloop-approval-card/preloop-approval-card.js').PreloopApprovalCard;
    'preloop-audit-log': import('./components/preloop-audit-log/preloop-audit-log.js').PreloopAuditLog;
    'preloop-usage-chart': import('./components/preloop-usage-chart/preloop-usage-chart.js').PreloopUsageChart;
    'preloop-agents': import('./components/preloop-agents/preloop-agents.js').PreloopAgents;
    'preloop-sessions': import('./components/preloop-sessions/preloop-sessions.js').PreloopSessions;
    'preloop-models': import('./components/preloop-models/preloop-models.js').PreloopModels;
    'preloop-budgets': import('./components/preloop-budgets/preloop-budgets.js').PreloopBudgets;
    'preloop-settings': import('./components/preloop-settings/preloop-settings.js').PreloopSettings;
    'preloop-policy-editor': import('./components/preloop-policy-editor/preloop-policy-editor.js').PreloopPolicyEditor;
    'preloop-mcp-servers': import('./components/preloop-mcp-servers/preloop-mcp-servers.js').PreloopMcpServers;
  }
}
