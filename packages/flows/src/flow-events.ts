/**
 * The flows plugin's events, by name, with their payloads: merged into the
 * kernel's event map, and sent to the console by the live stream (`GET /events`).
 */
export interface FlowEventMap {
  /** A flow was created, changed or deleted. */
  'flow-changed': { accountId: string; flowId: string; change: 'created' | 'updated' | 'deleted' };
  /** An execution changed state (queued, running, waiting_approval, succeeded, failed, cancelled, timed_out). */
  'flow-execution-updated': { accountId: string; executionId: string; flowId: string; status: string };
  /** A line was appended to an execution's log. */
  'flow-execution-log': { accountId: string; executionId: string; seq: number; time: number; stream: string; text: string };
}

declare module '@preloop/core' {
  interface PreloopEventMap extends FlowEventMap {}
}
