import type { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { CallToolResult, JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { Logger, Principal } from '@preloop/core';
import type { ToolCaller } from '../calls/call-tool.js';
import type { ToolRunContext } from '../calls/tool-types.js';
import type { CallTracking } from '../server/session-server.js';
import type { CallStreamRecord, CallStreams } from '../store/call-streams.js';
import { noRoots } from '../upstream/upstream-connection.js';
import { streamIdOfEventId } from './memory-event-store.js';

/**
 * The answer to a resumed call that was not bound to an approval request: its
 * session is not on this instance, so its answer is lost and nothing says
 * whether the tool ran. It is not run again (it may have taken effect).
 *
 * @example
 * ```ts
 * sessionLostResult('up.deploy')._meta['preloop/call'].status; // 'session_lost'
 * ```
 */
export function sessionLostResult(tool: string): CallToolResult {
  const text =
    `The call to ${tool} was made on an MCP session that this server instance does not hold: the instance serving it stopped ` +
    '(or the load balancer sent this reconnection elsewhere), so its answer is lost and whether the tool ran is unknown. ' +
    'It was not run again. Check whether it took effect before calling it again; the session is gone, so the client must initialize a new one first.';
  return { content: [{ type: 'text', text }], isError: true, _meta: { 'preloop/call': { status: 'session_lost' } } };
}

/** Where the SDK transport keeps which SSE stream answers which request (not public API; read only). */
function streamIdOfRequest(transport: WebStandardStreamableHTTPServerTransport, requestId: RequestId): string | null {
  const mapping = (transport as unknown as { _requestToStreamMapping?: Map<RequestId, string> })._requestToStreamMapping;
  return mapping?.get(requestId) ?? null;
}

/**
 * Records the `tools/call` requests of one resumable session in
 * `mcp_call_streams` while they run (best effort, off the call's path: a
 * database error is logged, never fails the call), with the approval request
 * each is bound to, so another instance can answer the client's `Last-Event-ID`
 * reconnection if this instance dies (see {@link answerResumedCall}).
 *
 * @example
 * ```ts
 * const mcp = createSessionServer(dependencies, createCallTracking(runtime.streams, session, logger));
 * ```
 */
export function createCallTracking(
  streams: CallStreams,
  session: { readonly id: string; readonly principalKey: string; readonly transport: WebStandardStreamableHTTPServerTransport },
  logger: Logger,
): CallTracking {
  return {
    start(requestId, call) {
      const streamId = streamIdOfRequest(session.transport, requestId);
      if (!streamId || !session.id) return null;
      const failed = (error: unknown) => logger.debug('mcp: could not record a call in flight', { error });
      // Each write waits for the one before, so a quick call's removal never overtakes its insertion.
      let chain = streams
        .open(session.id, {
          streamId,
          accountId: call.principal.accountId,
          principalKey: session.principalKey,
          requestId,
          tool: call.name,
          progressToken: call.progressToken,
        })
        .catch(failed);
      return {
        approval(approvalId, args) {
          chain = chain.then(() => streams.bindApproval(streamId, approvalId, args)).catch(failed);
        },
        end() {
          chain = chain.then(() => streams.remove(streamId)).catch(failed);
        },
      };
    },
  };
}

/** What {@link answerResumedCall} needs from the handler. */
export interface ResumedCallDependencies {
  streams: CallStreams;
  caller: ToolCaller;
  /** The tool's own name for a name the client called (collision-free aliases). */
  ownName(accountId: string, name: string): Promise<string>;
  logger: Logger;
}

const sseHeaders = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', 'x-accel-buffering': 'no' };

/**
 * Answers a `GET` with `Mcp-Session-Id` and `Last-Event-ID` for a session this
 * instance does not hold, when the event id names a `tools/call` stream
 * recorded for that session and principal (else null: the caller answers 404).
 * The SSE response carries the call's JSON-RPC response, under its request id:
 *
 * - a call bound to an approval request is made again, identically, here: it
 *   joins that request (never a second execution), so the client gets the
 *   stored result, the final `execution_unknown` answer once the dead
 *   instance's execution lease lapses, or, for a request still pending, waits
 *   for the decision (with progress) and runs once approved;
 * - any other call gets {@link sessionLostResult} at once.
 *
 * @example
 * ```ts
 * const resumed = await answerResumedCall(request, principal, key, dependencies);
 * if (resumed) return resumed;
 * ```
 */
export async function answerResumedCall(
  request: Request,
  principal: Principal,
  principalKey: string,
  dependencies: ResumedCallDependencies,
): Promise<Response | null> {
  const sessionId = request.headers.get('mcp-session-id');
  const lastEventId = request.headers.get('last-event-id');
  const streamId = lastEventId ? streamIdOfEventId(lastEventId) : null;
  if (request.method !== 'GET' || !sessionId || !streamId) return null;
  const record = await dependencies.streams.find(streamId, sessionId, principalKey);
  if (!record) return null;
  const stop = new AbortController();
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (message: JSONRPCMessage) => {
        if (stop.signal.aborted) return;
        try {
          controller.enqueue(encoder.encode(`event: message\ndata: ${JSON.stringify(message)}\n\n`));
        } catch {
          // The client went away.
        }
      };
      void answer(record, principal, sessionId, send, stop.signal, dependencies).then((response) => {
        send(response);
        try {
          controller.close();
        } catch {
          // Already closed.
        }
      });
    },
    cancel() {
      stop.abort('the client closed the resumed stream');
    },
  });
  return new Response(body, { status: 200, headers: { ...sseHeaders, 'mcp-session-id': sessionId } });
}

/** The JSON-RPC response to the resumed call (never throws). */
async function answer(
  record: CallStreamRecord,
  principal: Principal,
  sessionId: string,
  send: (message: JSONRPCMessage) => void,
  stopSignal: AbortSignal,
  { streams, caller, ownName, logger }: ResumedCallDependencies,
): Promise<JSONRPCMessage> {
  const id = record.requestId;
  try {
    if (record.approvalId === null || record.args === null) return { jsonrpc: '2.0', id, result: sessionLostResult(record.tool) };
    const { progressToken } = record;
    let last = -1;
    const context: ToolRunContext = {
      principal,
      cancelSignal: new AbortController().signal,
      stopSignal,
      wantsProgress: progressToken !== null,
      mcpSessionId: sessionId,
      progress(message, values) {
        if (progressToken === null) return;
        last = values?.progress !== undefined && values.progress > last ? values.progress : last + 1;
        send({
          jsonrpc: '2.0',
          method: 'notifications/progress',
          params: {
            progressToken,
            progress: last,
            ...(values?.total !== undefined ? { total: values.total } : {}),
            ...(message ? { message } : {}),
          },
        });
      },
      // The session is gone: nothing can answer a server-to-client request here.
      bridge: {
        clientCapabilities: () => undefined,
        request: () => Promise.reject(new Error('the MCP session of this call is gone')),
        rootsKey: () => noRoots,
        log: () => {},
      },
    };
    const result = await caller.call(await ownName(principal.accountId, record.tool), record.args, context);
    return { jsonrpc: '2.0', id, result };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'number') return { jsonrpc: '2.0', id, error: { code, message: (error as Error).message } };
    logger.error('mcp: a resumed call failed', { error });
    return { jsonrpc: '2.0', id, error: { code: -32603, message: 'Internal error' } };
  } finally {
    await streams.remove(record.streamId).catch((error) => logger.debug('mcp: could not forget a resumed call', { error }));
  }
}
