/**
 * `preloop flows list | run | executions | logs | cancel`: drives a running
 * server's flows over its admin API (`--url`, an admin's API key in
 * `PRELOOP_ADMIN_KEY`). `run` takes `--input name=value` (repeatable),
 * validated by the server against the flow's declared inputs, and with
 * `--follow` streams the execution's log until it ends (exit code 0 only when
 * it succeeded).
 *
 * @module
 */

import { PreloopError } from '../../errors.js';
import { adminKey, serverFlag } from '../agents/agents-commands.js';
import type { CliIo } from '../cli-context.js';
import type { CliCommand, CommandArguments } from '../commands.js';

interface Connection {
  url: string;
  key: string;
}

const connect = (flags: CommandArguments['flags']): Connection => ({ url: serverFlag(flags.url), key: adminKey(flags) });

/** Calls the admin API; a non-2xx answer throws its error message. */
async function call(connection: Connection, method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${connection.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${connection.key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const parsed = text ? JSON.parse(text) : null;
  if (!response.ok) throw new PreloopError('VALIDATION_ERROR', `${response.status}: ${parsed?.error?.message ?? text.slice(0, 300)}`);
  return parsed;
}

/** `--input name=value`, repeatable, as an object of strings. */
export function parseInputs(value: unknown): Record<string, string> {
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  const inputs: Record<string, string> = {};
  for (const entry of list) {
    const text = String(entry);
    const equals = text.indexOf('=');
    if (equals <= 0) throw new PreloopError('VALIDATION_ERROR', `--input must be name=value, got "${text}"`);
    inputs[text.slice(0, equals)] = text.slice(equals + 1);
  }
  return inputs;
}

/** Streams an execution's log (server-sent events) to `io` until it ends; returns its final status. */
async function follow(connection: Connection, executionId: string, io: CliIo): Promise<string> {
  const response = await fetch(`${connection.url}/api/v1/executions/${encodeURIComponent(executionId)}/logs`, {
    headers: { authorization: `Bearer ${connection.key}`, accept: 'text/event-stream' },
  });
  if (!response.ok || !response.body) throw new PreloopError('VALIDATION_ERROR', `${response.status}: the log stream could not be opened`);
  const decoder = new TextDecoder();
  let buffered = '';
  let status = 'unknown';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(chunk, { stream: true });
    let end = buffered.indexOf('\n\n');
    while (end >= 0) {
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      end = buffered.indexOf('\n\n');
      const event = /^event: (.+)$/m.exec(block)?.[1];
      const data = /^data: (.+)$/m.exec(block)?.[1];
      if (!event || !data) continue;
      const payload = JSON.parse(data) as { stream?: string; text?: string; status?: string };
      if (event === 'log') io.out(`[${payload.stream}] ${payload.text}`);
      if (event === 'end') status = payload.status ?? status;
    }
  }
  return status;
}

const describeExecution = (execution: { id: string; status: string; attempt: number; error: string | null }) =>
  `${execution.id}  ${execution.status}  attempt ${execution.attempt}${execution.error ? `  ${execution.error}` : ''}`;

/** The `preloop flows …` commands. */
export const flowsCommands: CliCommand[] = [
  {
    name: 'flows list',
    summary: "List a server's flows",
    usage: '--url <server>  (admin API key in PRELOOP_ADMIN_KEY)',
    async run(_globals, { flags }, io) {
      const { items } = await call(connect(flags), 'GET', '/flows');
      if (items.length === 0) io.out('No flows.');
      for (const flow of items as Array<{ id: string; name: string; enabled: boolean; runtime: { id: string } }>)
        io.out(`${flow.id}  ${flow.name}  ${flow.enabled ? 'enabled' : 'disabled'}  ${flow.runtime.id}`);
      return 0;
    },
  },
  {
    name: 'flows run',
    summary: "Start a flow by hand with inputs (checked against the flow's declared inputs); --follow streams its log",
    usage: '<flow id> [--input name=value]... [--follow] --url <server>',
    async run(_globals, { positionals, flags }, io) {
      const flowId = positionals[0];
      if (!flowId) throw new PreloopError('VALIDATION_ERROR', 'Name the flow: preloop flows run <flow id>');
      const connection = connect(flags);
      const execution = await call(connection, 'POST', `/flows/${encodeURIComponent(flowId)}/run`, { inputs: parseInputs(flags.input) });
      io.out(`Started execution ${execution.id} (${execution.status}).`);
      if (!flags.follow) return 0;
      const status = await follow(connection, execution.id, io);
      io.out(`Execution ${execution.id} ${status}.`);
      return status === 'succeeded' ? 0 : 1;
    },
  },
  {
    name: 'flows executions',
    summary: "List a flow's executions, newest first",
    usage: '<flow id> --url <server>',
    async run(_globals, { positionals, flags }, io) {
      if (!positionals[0]) throw new PreloopError('VALIDATION_ERROR', 'Name the flow: preloop flows executions <flow id>');
      const { items } = await call(connect(flags), 'GET', `/flows/${encodeURIComponent(positionals[0])}/executions`);
      if (items.length === 0) io.out('No executions.');
      for (const execution of items) io.out(describeExecution(execution));
      return 0;
    },
  },
  {
    name: 'flows logs',
    summary: "Stream an execution's log until it ends",
    usage: '<execution id> --url <server>',
    async run(_globals, { positionals, flags }, io) {
      if (!positionals[0]) throw new PreloopError('VALIDATION_ERROR', 'Name the execution: preloop flows logs <execution id>');
      const status = await follow(connect(flags), positionals[0], io);
      io.out(`Execution ${positionals[0]} ${status}.`);
      return status === 'succeeded' ? 0 : 1;
    },
  },
  {
    name: 'flows cancel',
    summary: 'Cancel an execution (a running one is stopped and its processes killed)',
    usage: '<execution id> [--reason <text>] --url <server>',
    async run(_globals, { positionals, flags }, io) {
      if (!positionals[0]) throw new PreloopError('VALIDATION_ERROR', 'Name the execution: preloop flows cancel <execution id>');
      const body = typeof flags.reason === 'string' ? { reason: flags.reason } : {};
      const execution = await call(connect(flags), 'POST', `/executions/${encodeURIComponent(positionals[0])}/cancel`, body);
      io.out(describeExecution(execution));
      return 0;
    },
  },
];
