import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** One request the fake engine received. */
export interface FakeDockerRequest {
  method: string;
  /** The path without the query string or an API version prefix. */
  path: string;
  /** The raw URL, query string included. */
  url: string;
  query: URLSearchParams;
  body: unknown;
}

/** A container of the fake engine. */
export interface FakeContainer {
  id: string;
  name: string | null;
  /** The create body, as dockerode sent it. */
  spec: { Image: string; Cmd?: string[]; Env?: string[]; HostConfig?: Record<string, unknown>; [key: string]: unknown };
  state: 'created' | 'running' | 'exited';
  exitCode: number | null;
  removed: boolean;
  /** Multiplexed log frames written so far (stream type 1 stdout, 2 stderr). */
  frames: Buffer[];
  followers: Set<ServerResponse>;
  waiters: Array<{ condition: string; response: ServerResponse }>;
}

/** Options of {@link startFakeDocker}. */
export interface FakeDockerOptions {
  /** Images present locally. @default [] */
  images?: string[];
  /** Images the registry has (a pull of any other fails with 404, as Docker answers). @default [] */
  registry?: string[];
  /** Answer `stop` with 500 (so the runtime falls back to `kill`). @default false */
  failStop?: boolean;
  /** Milliseconds `containers/create` takes to answer (after creating the container). @default 0 */
  createDelayMs?: number;
}

/** A Docker Engine API stand-in on a unix socket, speaking the paths and bodies dockerode uses. */
export interface FakeDocker {
  socketPath: string;
  requests: FakeDockerRequest[];
  containers: Map<string, FakeContainer>;
  images: Set<string>;
  close(): Promise<void>;
}

/** One frame of Docker's stream multiplexing: [type, 0, 0, 0, size (uint32 BE)] + payload. */
function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header.writeUInt8(stream, 0);
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

/** `name` or `name:latest`, as Docker stores it. */
const tagged = (image: string) => (/:[^/]+$/.test(image) ? image : `${image}:latest`);

/**
 * Starts the fake engine. A container's program is its `Cmd`:
 * `["say", ...lines]` prints the lines (stdout) and exits 0;
 * `["fail", code, ...lines]` prints the lines on stderr and exits with `code`;
 * `["hang"]` prints one line and runs until stopped or killed.
 */
export async function startFakeDocker(options: FakeDockerOptions = {}): Promise<FakeDocker> {
  const directory = await mkdtemp(path.join(tmpdir(), 'preloop-fake-docker-'));
  const socketPath = path.join(directory, 'docker.sock');
  const images = new Set((options.images ?? []).map(tagged));
  const registry = new Set((options.registry ?? []).map(tagged));
  const containers = new Map<string, FakeContainer>();
  const requests: FakeDockerRequest[] = [];
  let next = 1;

  const json = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };
  const answerWaiters = (container: FakeContainer, condition: 'not-running' | 'removed') => {
    for (const waiter of [...container.waiters])
      if (waiter.condition === condition || (condition === 'not-running' && waiter.condition === 'next-exit')) {
        container.waiters.splice(container.waiters.indexOf(waiter), 1);
        json(waiter.response, 200, { StatusCode: container.exitCode, Error: null });
      }
  };
  const remove = (container: FakeContainer) => {
    container.removed = true;
    containers.delete(container.id);
    answerWaiters(container, 'removed');
  };
  const write = (container: FakeContainer, stream: 1 | 2, text: string) => {
    const chunk = frame(stream, text);
    container.frames.push(chunk);
    for (const follower of container.followers) follower.write(chunk);
  };
  const exit = (container: FakeContainer, code: number) => {
    if (container.state !== 'running') return;
    container.state = 'exited';
    container.exitCode = code;
    for (const follower of container.followers) follower.end();
    container.followers.clear();
    answerWaiters(container, 'not-running');
    if (container.spec.HostConfig?.AutoRemove === true) remove(container);
  };
  const run = (container: FakeContainer) => {
    const [program, ...args] = container.spec.Cmd ?? ['say'];
    setTimeout(() => {
      if (program === 'say') {
        // Split one line across two frames, as a real stream may.
        for (const line of args) {
          write(container, 1, line.slice(0, 3));
          write(container, 1, `${line.slice(3)}\n`);
        }
        exit(container, 0);
      } else if (program === 'fail') {
        for (const line of args.slice(1)) write(container, 2, `${line}\n`);
        exit(container, Number(args[0]));
      } else write(container, 1, 'working\n');
    }, 10);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString();
    const url = new URL(request.url ?? '/', 'http://docker');
    const route = url.pathname.replace(/^\/v1\.\d+/, '');
    const entry: FakeDockerRequest = {
      method: request.method ?? 'GET',
      path: route,
      url: request.url ?? '',
      query: url.searchParams,
      body: raw ? JSON.parse(raw) : null,
    };
    requests.push(entry);
    const method = entry.method;
    if (method === 'GET' && route === '/_ping') {
      response.writeHead(200, { 'content-type': 'text/plain', 'api-version': '1.47' });
      return response.end('OK');
    }
    if (method === 'POST' && route === '/images/create') {
      const image = `${url.searchParams.get('fromImage')}:${url.searchParams.get('tag') ?? 'latest'}`;
      if (!registry.has(image))
        return json(response, 404, {
          message: `pull access denied for ${url.searchParams.get('fromImage')}, repository does not exist or may require 'docker login'`,
        });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write(`${JSON.stringify({ status: `Pulling from ${image}` })}\n`);
      images.add(image);
      return response.end(`${JSON.stringify({ status: `Downloaded newer image for ${image}` })}\n`);
    }
    if (method === 'POST' && route === '/containers/create') {
      const spec = entry.body as FakeContainer['spec'];
      if (!images.has(tagged(spec.Image))) return json(response, 404, { message: `No such image: ${spec.Image}` });
      const id = `${String(next++).padStart(4, '0')}${'c0ffee'.repeat(10)}`;
      containers.set(id, {
        id,
        name: url.searchParams.get('name'),
        spec,
        state: 'created',
        exitCode: null,
        removed: false,
        frames: [],
        followers: new Set(),
        waiters: [],
      });
      if (options.createDelayMs) await new Promise((resolve) => setTimeout(resolve, options.createDelayMs));
      return json(response, 201, { Id: id, Warnings: [] });
    }
    const match = /^\/containers\/([^/]+)(?:\/([a-z]+))?$/.exec(route);
    const container = match
      ? (containers.get(match[1]!) ?? [...containers.values()].find((candidate) => candidate.name === match[1]))
      : undefined;
    if (!match || !container) return json(response, 404, { message: `No such container: ${match?.[1] ?? route}` });
    const action = match[2];
    if (method === 'POST' && action === 'start') {
      if (container.state !== 'created') return response.writeHead(304).end();
      container.state = 'running';
      run(container);
      return response.writeHead(204).end();
    }
    if (method === 'GET' && action === 'logs') {
      response.writeHead(200, { 'content-type': 'application/vnd.docker.multiplexed-stream' });
      for (const chunk of container.frames) response.write(chunk);
      if (container.state === 'running' && url.searchParams.get('follow') !== null) container.followers.add(response);
      else response.end();
      return;
    }
    if (method === 'POST' && action === 'wait') {
      const condition = url.searchParams.get('condition') ?? 'not-running';
      if (condition === 'not-running' && container.state === 'exited')
        return json(response, 200, { StatusCode: container.exitCode, Error: null });
      container.waiters.push({ condition, response });
      return;
    }
    if (method === 'POST' && (action === 'stop' || action === 'kill')) {
      if (action === 'stop' && options.failStop) return json(response, 500, { message: 'cannot stop: device busy' });
      if (container.state !== 'running')
        return action === 'stop' ? response.writeHead(304).end() : json(response, 409, { message: 'not running' });
      exit(container, action === 'stop' ? 143 : 137);
      return response.writeHead(204).end();
    }
    if (method === 'DELETE' && action === undefined) {
      if (container.state === 'running' && url.searchParams.get('force') !== 'true')
        return json(response, 409, { message: 'You cannot remove a running container' });
      exit(container, 137);
      remove(container);
      return response.writeHead(204).end();
    }
    return json(response, 404, { message: `page not found: ${method} ${route}` });
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => json(response, 500, { message: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    socketPath,
    requests,
    containers,
    images,
    async close() {
      for (const container of containers.values()) for (const follower of container.followers) follower.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(directory, { recursive: true, force: true });
    },
  };
}
