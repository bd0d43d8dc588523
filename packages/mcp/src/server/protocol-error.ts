import { McpError } from '@modelcontextprotocol/sdk/types.js';

/** An error the SDK answers as a JSON-RPC error with exactly this code, message and data. */
export type ProtocolError = Error & { code: number; data?: unknown };

/**
 * A JSON-RPC error whose message is exactly `message`. The SDK's `McpError`
 * prefixes its text with `MCP error <code>: ` and the client prefixes what it
 * receives again, so an `McpError` thrown to a client reads
 * "MCP error -32602: MCP error -32602: …"; this one reads once.
 *
 * @example
 * ```ts
 * throw protocolError(ErrorCode.InvalidParams, `Unknown prompt: ${name}`);
 * ```
 */
export function protocolError(code: number, message: string, data?: unknown): ProtocolError {
  return Object.assign(new Error(message), { code, ...(data === undefined ? {} : { data }) });
}

/**
 * Runs a request to an upstream server and rethrows its JSON-RPC error (an
 * `McpError`, whose message already carries the prefix) as a
 * {@link protocolError} with the upstream's own code, message and data.
 *
 * @example
 * ```ts
 * return relayUpstreamError(client.getPrompt({ name }));
 * ```
 */
export async function relayUpstreamError<T>(request: Promise<T>): Promise<T> {
  try {
    return await request;
  } catch (error) {
    if (!(error instanceof McpError)) throw error;
    throw protocolError(error.code, error.message.replace(/^(MCP error -?\d+: )+/, ''), error.data);
  }
}
