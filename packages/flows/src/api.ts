/**
 * `@preloop/flows/api`: the types of the flows plugin's admin API, derived
 * from the zod schemas its routes validate and answer with. Types only, no
 * run-time code: a browser client imports them with `import type`.
 *
 * @example
 * ```ts
 * import type { ExecutionView, FlowView, FlowRoutes } from '@preloop/flows/api';
 * ```
 *
 * @module
 */
import type { z } from 'zod';
import type {
  AllExecutionsQuery,
  ExecutionListQuery,
  ExecutionPage,
  ExecutionView,
  FlowView,
  PreviewInput,
  PreviewResult,
  SchedulePreview,
  SchedulePreviewInput,
  RunFlowInput,
  RuntimeList,
  SavedFlow,
} from './api-schemas.js';
import type { createFlowBodySchema } from './flow-schema.js';

export type {
  AllExecutionsQuery,
  ExecutionListQuery,
  ExecutionLogLineView,
  ExecutionPage,
  ExecutionView,
  FlowView,
  PreviewInput,
  PreviewResult,
  SchedulePreview,
  SchedulePreviewInput,
  RunFlowInput,
  RuntimeList,
  SavedFlow,
} from './api-schemas.js';
export type { ExecutionStatus } from './execution-store.js';
export type { FlowDefinition, FlowTrigger, EventTrigger, ScheduleTrigger } from './flow-schema.js';
/** The flows' live events (`flow-execution-updated`, `flow-execution-log`, `flow-changed`) by name, with their payloads. */
export type { FlowEventMap } from './flow-events.js';

/** The body of `POST /flows` and `PUT /flows/:id`. */
export type FlowBody = z.input<typeof createFlowBodySchema>;

/**
 * Every route of the flows plugin, keyed `METHOD /path` (below `/api/v1`): its
 * body, query and success response. Error statuses answer core's `ApiError`;
 * `string` is an event stream.
 */
export interface FlowRoutes {
  'GET /flows': { response: { items: FlowView[] } };
  'POST /flows': { body: FlowBody; response: SavedFlow };
  'GET /flows/runtimes': { response: RuntimeList };
  'GET /executions': { query: AllExecutionsQuery; response: ExecutionPage };
  'POST /flows/preview': { body: PreviewInput; response: PreviewResult };
  'POST /flows/schedule-preview': { body: SchedulePreviewInput; response: SchedulePreview };
  'POST /flows/hooks/:id': { body: unknown; response: { executionId: string; status: ExecutionView['status'] } };
  'GET /flows/:id': { response: FlowView };
  'PUT /flows/:id': { body: FlowBody; response: SavedFlow };
  'POST /flows/:id/enabled': { body: { enabled: boolean }; response: FlowView };
  'DELETE /flows/:id': { response: void };
  'POST /flows/:id/webhook-secret': { response: { webhookSecret: string } };
  'POST /flows/:id/run': { body: RunFlowInput; response: ExecutionView };
  'GET /flows/:id/executions': { query: ExecutionListQuery; response: ExecutionPage };
  'GET /executions/:id': { response: ExecutionView };
  'POST /executions/:id/cancel': { body: { reason?: string }; response: ExecutionView };
  'POST /executions/:id/retry': { response: ExecutionView };
  'GET /executions/:id/logs': { response: string };
}
