import type { PreloopEvents } from '@preloop/core';
import { terminalStatuses, type ExecutionStatus } from './execution-store.js';
import type { FlowsService } from './flows-service.js';

/**
 * An execution's log as a `text/event-stream` response: the stored lines after
 * `afterSeq`, then new ones as they are written (on this instance: at once,
 * through the `flow-execution-log` event; on another: at the next poll), each
 * as `event: log` with `id: <seq>` (so `Last-Event-ID` resumes), then
 * `event: end` with the final status once the execution ended.
 *
 * @example
 * ```ts
 * return createLogStream(service, preloop.events, { accountId, executionId, afterSeq: 0, signal: request.signal, pollIntervalMs: 1000 });
 * ```
 */
export function createLogStream(
  service: FlowsService,
  events: PreloopEvents,
  options: { accountId: string; executionId: string; afterSeq: number; signal: AbortSignal; pollIntervalMs: number },
): Response {
  const encoder = new TextEncoder();
  let stop = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      let last = options.afterSeq;
      let closed = false;
      let pumping: Promise<void> | null = null;
      let again = false;
      const send = (text: string) => {
        if (closed) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          stop();
        }
      };
      const pump = async () => {
        do {
          again = false;
          const lines = await service.readLog(options.accountId, options.executionId, last);
          for (const line of lines) {
            last = line.seq;
            send(`id: ${line.seq}\nevent: log\ndata: ${JSON.stringify(line)}\n\n`);
          }
          if (lines.length === 0) {
            const execution = await service.getExecution(options.accountId, options.executionId);
            if (terminalStatuses.includes(execution.status as ExecutionStatus)) {
              // One more read: lines written between the two reads.
              const tail = await service.readLog(options.accountId, options.executionId, last);
              for (const line of tail) {
                last = line.seq;
                send(`id: ${line.seq}\nevent: log\ndata: ${JSON.stringify(line)}\n\n`);
              }
              send(`event: end\ndata: ${JSON.stringify({ status: execution.status })}\n\n`);
              stop();
              return;
            }
          }
        } while (again && !closed);
      };
      const wake = () => {
        if (closed) return;
        if (pumping) {
          again = true;
          return;
        }
        pumping = pump()
          .catch(() => stop())
          .finally(() => (pumping = null));
      };
      send('retry: 2000\n: connected\n\n');
      const onLog = (payload: { executionId: string }) => payload.executionId === options.executionId && wake();
      const onUpdate = (payload: { executionId: string }) => payload.executionId === options.executionId && wake();
      events.on('flow-execution-log', onLog);
      events.on('flow-execution-updated', onUpdate);
      const timer = setInterval(wake, Math.max(100, options.pollIntervalMs));
      timer.unref?.();
      stop = () => {
        if (closed) return;
        closed = true;
        clearInterval(timer);
        events.off('flow-execution-log', onLog);
        events.off('flow-execution-updated', onUpdate);
        try {
          controller.close();
        } catch {
          // already closed
        }
      };
      options.signal.addEventListener('abort', () => stop(), { once: true });
      wake();
    },
    cancel() {
      stop();
    },
  });
  return new Response(body, {
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' },
  });
}
