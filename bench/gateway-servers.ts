/**
 * The processes of the gateway benchmark, one role each, so the load
 * generator never shares an event loop with what it measures:
 *
 * - `mock`: the mock upstream (OpenAI chat completions, JSON and SSE, fixed answers);
 * - `proxy <upstream>`: a minimal Node pass-through proxy (the baseline);
 * - `gateway <upstream> <database> [budget] [web] [audit-failures]`: a Preloop
 *   kernel with the gateway, served by `createNodeGateway` (or by
 *   `createGateway` through core's `serve`, with `web`).
 * - `portkey`: `@portkey-ai/gateway`'s own Node server (its published
 *   `build/start-server.js`, headless), on an ephemeral port on 127.0.0.1.
 *
 * Each prints one JSON line (`{ "port": … }`) once listening.
 */

import { createServer, request as httpRequest, Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { Server as NetServer, type AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createLogger, createPreloop } from '@preloop/core';
import { serve } from '@preloop/core/node';
import { createGateway, gateway } from '@preloop/gateway';
import { createNodeGateway } from '@preloop/gateway/node';
import { openai } from '@preloop/plugin-openai';

const [role, upstream, database, ...flags] = process.argv.slice(2);

function listen(server: ReturnType<typeof createServer>, extra: Record<string, unknown> = {}) {
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: (server.address() as AddressInfo).port, ...extra })));
}

const completion = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1_760_000_000,
  model: 'gpt-4o-mini',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'The quick brown fox jumps over the lazy dog.', refusal: null },
      finish_reason: 'stop',
      logprobs: null,
    },
  ],
  usage: {
    prompt_tokens: 24,
    completion_tokens: 12,
    total_tokens: 36,
    prompt_tokens_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0 },
  },
});
const chunk = (delta: object, finish: string | null = null, usage: object | null = null) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1_760_000_000, model: 'gpt-4o-mini', choices: usage ? [] : [{ index: 0, delta, finish_reason: finish, logprobs: null }], usage })}\n\n`;
const words = 'The quick brown fox jumps over the lazy dog .'.split(' ');
const streamChunks = [
  chunk({ role: 'assistant', content: '' }),
  ...words.map((word) => chunk({ content: `${word} ` })),
  chunk({}, 'stop'),
  chunk({}, null, { prompt_tokens: 24, completion_tokens: 12, total_tokens: 36 }),
  'data: [DONE]\n\n',
];

function mock(): void {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (piece: string) => (body += piece));
    request.on('end', () => {
      if (body.includes('"stream":true')) {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write(streamChunks[0]);
        // The rest follows on the next turn, as a real upstream's tokens would.
        setImmediate(() => {
          for (const piece of streamChunks.slice(1)) response.write(piece);
          response.end();
        });
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(completion) });
      response.end(completion);
    });
  });
  listen(server);
}

function proxy(target: string): void {
  const url = new URL(target);
  // Enough sockets for the 512-concurrent-streams case: the baseline must not queue what the gateway does not.
  const agent = new Agent({ keepAlive: true, maxSockets: 1024 });
  const server = createServer((request, response) => {
    const forward = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: request.method,
        path: request.url,
        headers: { ...request.headers, host: url.host },
        agent,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    forward.on('error', () => response.destroy());
    response.on('close', () => forward.destroy());
    request.pipe(forward);
  });
  listen(server);
}

async function gatewayServer(
  target: string,
  databaseUrl: string,
  withBudget: boolean,
  web: boolean,
  auditFailuresOnly: boolean,
): Promise<void> {
  const preloop = await createPreloop({
    database: databaseUrl,
    secretKey: 'bench-secret-key-0123456789abcdef0123456789abcdef',
    logger: createLogger({ level: 'warn' }),
    plugins: [gateway(), openai()],
    policy: { version: 1, defaults: { tools: 'deny', models: { allow: ['*'] } } },
  });
  const runtime = preloop.service('gateway');
  const system = { type: 'system' as const };
  await runtime.models.create(
    preloop.accountId,
    { alias: 'bench', provider: 'openai', model: 'gpt-4o-mini', baseUrl: `${target}/v1`, apiKey: 'sk-bench-upstream-0123456789abcdef' },
    system,
  );
  if (withBudget) {
    await runtime.budgets.create(
      preloop.accountId,
      { name: 'bench', scope: { type: 'account' }, period: 'month', hardLimitMicros: Number.MAX_SAFE_INTEGER },
      system,
    );
  }
  const { key } = await preloop.identity.apiKeys.create(preloop.accountId, { name: 'bench', scopes: ['gateway'] });
  const stop = async () => {
    await preloop.close();
    process.exit(0);
  };
  const options = { auditCalls: auditFailuresOnly ? ('failures' as const) : ('all' as const) };
  if (web) {
    const server = await serve({ handler: createGateway(preloop, options), port: 0 });
    server.server.keepAliveTimeout = 60_000;
    console.log(JSON.stringify({ port: server.port, apiKey: key }));
  } else {
    listen(createServer(createNodeGateway(preloop, options)), { apiKey: key });
  }
  process.removeAllListeners('SIGTERM');
  process.on('SIGTERM', () => void stop());
}

/**
 * Starts `@portkey-ai/gateway` as published (`node build/start-server.js
 * --port=<n> --headless`). Its server binds every interface and has no host
 * option, so `listen` is pinned to 127.0.0.1 here; `--port=0` picks a free port,
 * reported once listening. Its start-up banner and spinner on stdout are
 * dropped so that the `{ port }` line is the only stdout output; its errors
 * still go to stderr.
 */
async function portkey(): Promise<void> {
  const entry = createRequire(import.meta.url).resolve('@portkey-ai/gateway/build/start-server.js');
  const write = process.stdout.write.bind(process.stdout);
  const listen = NetServer.prototype.listen;
  NetServer.prototype.listen = function (this: NetServer, ...args: unknown[]) {
    // @hono/node-server calls listen(port, hostname = undefined, callback).
    if (typeof args[0] === 'number' && args[1] === undefined) args[1] = '127.0.0.1';
    this.once('listening', () => {
      if ('keepAliveTimeout' in this) (this as { keepAliveTimeout: number }).keepAliveTimeout = 60_000;
      write(`${JSON.stringify({ port: (this.address() as AddressInfo).port })}\n`);
    });
    return listen.apply(this, args as Parameters<typeof listen>);
  } as typeof listen;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  process.argv = [process.argv[0]!, entry, '--port=0', '--headless'];
  await import(pathToFileURL(entry).href);
}

// Exit cleanly on SIGTERM (so `--cpu-prof` profiles are written).
process.on('SIGTERM', () => process.exit(0));

if (role === 'mock') mock();
else if (role === 'proxy') proxy(upstream!);
else if (role === 'portkey') await portkey();
else if (role === 'gateway')
  await gatewayServer(upstream!, database!, flags.includes('budget'), flags.includes('web'), flags.includes('audit-failures'));
else {
  console.error(`unknown role ${role}`);
  process.exit(1);
}
