/**
 * `@preloop/flows`: event-driven agent runs. Flows start on kernel events
 * (tracker events), signed webhooks, cron schedules or by hand; render a
 * Liquid prompt; and run an agent runtime (`agent-loop`, `command`, or a
 * plugin's) with a per-execution runtime credential through the gateway and
 * the MCP endpoint, as durable, leased, retried, cancellable executions.
 *
 * @packageDocumentation
 */
import './flow-events.js';

export { flows } from './flows-plugin.js';
export type { FlowsOptions, ResolvedFlowsOptions } from './options.js';
export { resolveFlowsOptions } from './options.js';
export type { FlowsService } from './flows-service.js';
export { toExecutionView, flowWebhookPath } from './flows-service.js';
export type { Flow, FlowInput, FlowStore } from './flow-store.js';
export { webhookSecretName } from './flow-store.js';
export type { FlowDefinition, FlowTrigger, EventTrigger, ScheduleTrigger } from './flow-schema.js';
export { maximumTemplateLength } from './flow-schema.js';
export { renderTemplate, checkTemplate, maximumRenderedLength } from './templates.js';
export type { TemplateScope } from './templates.js';
export { compileEventCondition, matchesEventTrigger } from './event-filter.js';
export type { CompiledEventCondition } from './event-filter.js';
export { signWebhook, verifyWebhook, webhookDeliveryHeader, webhookSignatureHeader, webhookTimestampHeader } from './webhook-signature.js';
export { validateInputs } from './flow-inputs.js';
export type { FlowInputValue } from './flow-inputs.js';
export { executionStatuses, terminalStatuses } from './execution-store.js';
export type { ExecutionStatus } from './execution-store.js';
export type { ExecutionLogLine } from './execution-logs.js';
export { agentLoopRuntime } from './runtimes/agent-loop.js';
export { commandRuntime } from './runtimes/command-runtime.js';
export type { CommandRuntimeOptions, CommandRuntimeDependencies } from './runtimes/command-runtime.js';
export type { FlowEventMap } from './flow-events.js';
export { flowMigrations } from './migrations.js';
export type { FlowTables, FlowRow, FlowExecutionRow, FlowExecutionLogRow, FlowScheduleTickRow, FlowWebhookDeliveryRow } from './tables.js';
