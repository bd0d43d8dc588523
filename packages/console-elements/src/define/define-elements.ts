import { PreloopAgents } from '../components/preloop-agents/preloop-agents.js';
import { PreloopApprovalCard } from '../components/preloop-approval-card/preloop-approval-card.js';
import { PreloopApprovalDeliveries } from '../components/preloop-approval-deliveries/preloop-approval-deliveries.js';
import { PreloopApprovalQueue } from '../components/preloop-approval-queue/preloop-approval-queue.js';
import { PreloopAuditLog } from '../components/preloop-audit-log/preloop-audit-log.js';
import { PreloopBudgets } from '../components/preloop-budgets/preloop-budgets.js';
import { PreloopConsole } from '../components/preloop-console/preloop-console.js';
import { PreloopDashboard } from '../components/preloop-dashboard/preloop-dashboard.js';
import { PreloopDevices } from '../components/preloop-devices/preloop-devices.js';
import { PreloopLogin } from '../components/preloop-login/preloop-login.js';
import { PreloopMcpServers } from '../components/preloop-mcp-servers/preloop-mcp-servers.js';
import { PreloopModels } from '../components/preloop-models/preloop-models.js';
import { PreloopNotificationPreferences } from '../components/preloop-notification-preferences/preloop-notification-preferences.js';
import { PreloopPolicyEditor } from '../components/preloop-policy-editor/preloop-policy-editor.js';
import { PreloopProvider } from '../components/preloop-provider/preloop-provider.js';
import { PreloopSessions } from '../components/preloop-sessions/preloop-sessions.js';
import { PreloopIssues } from '../components/preloop-issues/preloop-issues.js';
import { PreloopFlows } from '../components/preloop-flows/preloop-flows.js';
import { PreloopExecutions } from '../components/preloop-executions/preloop-executions.js';
import { PreloopTrackerConnections } from '../components/preloop-tracker-connections/preloop-tracker-connections.js';
import { PreloopSettings } from '../components/preloop-settings/preloop-settings.js';
import { PreloopUsageChart } from '../components/preloop-usage-chart/preloop-usage-chart.js';

/** Every element class by its default tag name. */
export const preloopElements = {
  'preloop-console': PreloopConsole,
  'preloop-provider': PreloopProvider,
  'preloop-login': PreloopLogin,
  'preloop-dashboard': PreloopDashboard,
  'preloop-approval-queue': PreloopApprovalQueue,
  'preloop-approval-card': PreloopApprovalCard,
  'preloop-approval-deliveries': PreloopApprovalDeliveries,
  'preloop-audit-log': PreloopAuditLog,
  'preloop-usage-chart': PreloopUsageChart,
  'preloop-agents': PreloopAgents,
  'preloop-sessions': PreloopSessions,
  'preloop-issues': PreloopIssues,
  'preloop-flows': PreloopFlows,
  'preloop-executions': PreloopExecutions,
  'preloop-tracker-connections': PreloopTrackerConnections,
  'preloop-models': PreloopModels,
  'preloop-budgets': PreloopBudgets,
  'preloop-settings': PreloopSettings,
  'preloop-notification-preferences': PreloopNotificationPreferences,
  'preloop-policy-editor': PreloopPolicyEditor,
  'preloop-mcp-servers': PreloopMcpServers,
  'preloop-devices': PreloopDevices,
} as const;

/** A default tag name. */
export type PreloopElementName = keyof typeof preloopElements;

/** Each element's class instance by its default tag, derived from {@link preloopElements}; merged into `HTMLElementTagNameMap`. */
export type PreloopElementTagNameMap = { [Name in PreloopElementName]: InstanceType<(typeof preloopElements)[Name]> };

/** Options of {@link defineElements}. */
export interface DefineElementsOptions {
  /**
   * Replaces the `preloop` prefix of every default tag, for example `acme` registers `acme-dashboard`.
   * @default 'preloop'
   */
  prefix?: string;
  /** Exact tag names for some elements (wins over `prefix`). */
  tags?: Partial<Record<PreloopElementName, string>>;
  /** Register only these elements. @default all */
  only?: PreloopElementName[];
}

/**
 * Registers the elements with `customElements`, under the default tags or the
 * names you choose. Containers render their children under whatever tag the
 * child class was registered with. Already registered classes are skipped, so
 * calling it twice is harmless. `import '@preloop/console-elements/define'`
 * does this with the defaults.
 *
 * @example
 * ```ts
 * defineElements({ prefix: 'acme' }); // <acme-dashboard>, <acme-approval-queue>, …
 * defineElements({ only: ['preloop-approval-card'], tags: { 'preloop-approval-card': 'approval-card' } });
 * ```
 */
export function defineElements(options: DefineElementsOptions = {}): Record<string, string> {
  const defined: Record<string, string> = {};
  const names = options.only ?? (Object.keys(preloopElements) as PreloopElementName[]);
  for (const name of names) {
    const element = preloopElements[name];
    const existing = customElements.getName(element);
    if (existing) {
      defined[name] = existing;
      continue;
    }
    const tag = options.tags?.[name] ?? (options.prefix ? name.replace(/^preloop/, options.prefix) : name);
    if (customElements.get(tag))
      throw new Error(`Cannot register ${element.name} as <${tag}>: that tag is already taken by another element.`);
    customElements.define(tag, element);
    defined[name] = tag;
  }
  return defined;
}
