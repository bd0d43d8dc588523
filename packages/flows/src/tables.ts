import type { KernelTables } from '@preloop/core';

/**
 * Row types of the flows plugin's tables, as Kysely sees them. Times are epoch
 * milliseconds; money is micro-dollars; JSON columns hold text.
 */

/** One flow: what starts it, what it runs, and its limits. */
export interface FlowRow {
  id: string;
  account_id: string;
  name: string;
  description: string;
  /** 1 when triggers may start it. */
  enabled: number;
  /** JSON of the flow's definition (`FlowDefinition`: triggers, prompt, runtime, model, tools, limits). */
  definition: string;
  /** The managed agent the flow's runs are attributed to. */
  agent_id: string | null;
  /** Counts up on every update. */
  version: number;
  created_at: number;
  updated_at: number;
}

/** One execution of a flow. */
export interface FlowExecutionRow {
  id: string;
  account_id: string;
  flow_id: string;
  /** The flow's version when the execution was queued. */
  flow_version: number;
  /** queued, running, waiting_approval, succeeded, failed, cancelled or timed_out. */
  status: string;
  /** JSON `{ type, …details }` of what started it. */
  trigger: string;
  /** Unique per flow when set: the same event, webhook delivery or schedule tick queues one execution. */
  dedupe_key: string | null;
  /** JSON of the template's inputs (`{ event, inputs }`). */
  input: string;
  rendered_prompt: string | null;
  /** Runs started (1 for the first; retries and resumes count up). */
  attempt: number;
  /** Failed attempts so far (what the retry policy counts). */
  failures: number;
  /** When it may be claimed (a retry's backoff pushes it later). */
  run_after: number;
  lease_owner: string | null;
  lease_expires_at: number | null;
  /** Counts up on every claim: the compare-and-set a lease renewal and a settle check. */
  lease_version: number;
  /** When it times out (set when first claimed). */
  deadline_at: number | null;
  runtime_session_id: string | null;
  approval_request_id: string | null;
  /** JSON of what the runtime returned when it parked on an approval. */
  checkpoint: string | null;
  /** 1 once a cancel was asked for (the runner aborts the runtime). */
  cancel_requested: number;
  result: string | null;
  error: string | null;
  /** Spend of the runtime session's model calls (micro-dollars). */
  cost_micros: number;
  /** JSON `RuntimeUsage`. */
  usage: string | null;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  finished_at: number | null;
}

/** One line of an execution's log (append-only). */
export interface FlowExecutionLogRow {
  id: string;
  account_id: string;
  execution_id: string;
  /** Orders lines of one execution. */
  seq: number;
  time: number;
  /** stdout, stderr, info, error or system. */
  stream: string;
  text: string;
}

/** A schedule tick claimed by one instance: UNIQUE (flow_id, scheduled_at), so it fires once. */
export interface FlowScheduleTickRow {
  flow_id: string;
  scheduled_at: number;
  account_id: string;
  claimed_by: string;
  claimed_at: number;
}

/** A webhook delivery id seen for a flow (replay protection across instances). */
export interface FlowWebhookDeliveryRow {
  flow_id: string;
  delivery_id: string;
  account_id: string;
  received_at: number;
}

/** The flows plugin's tables, with the kernel's. */
export type FlowTables = KernelTables & {
  flows: FlowRow;
  flow_executions: FlowExecutionRow;
  flow_execution_logs: FlowExecutionLogRow;
  flow_schedule_ticks: FlowScheduleTickRow;
  flow_webhook_deliveries: FlowWebhookDeliveryRow;
};
