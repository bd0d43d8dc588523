/**
 * `@preloop/flows/internal`: the zod schemas of the flows plugin's admin API
 * routes and runtime options. Not part of the public API: they may change in
 * any release. `@preloop/flows/api` derives its types from them.
 *
 * @module
 */

export {
  allExecutionsQuerySchema,
  cancelExecutionBodySchema,
  executionListQuerySchema,
  executionLogLineSchema,
  executionPageSchema,
  executionViewSchema,
  flowListSchema,
  flowViewSchema,
  previewBodySchema,
  previewResultSchema,
  runFlowBodySchema,
  runtimeListSchema,
  savedFlowSchema,
  setFlowEnabledBodySchema,
  webhookAcceptedSchema,
  webhookSecretSchema,
} from './api-schemas.js';
export {
  createFlowBodySchema,
  updateFlowBodySchema,
  flowDefinitionSchema,
  flowTriggerSchema,
  eventTriggerSchema,
  webhookTriggerSchema,
  scheduleTriggerSchema,
  manualTriggerSchema,
  flowInputDeclarationSchema,
} from './flow-schema.js';
export { commandOptionsSchema } from './runtimes/command-runtime.js';
export { agentLoopOptionsSchema } from './runtimes/agent-loop.js';
