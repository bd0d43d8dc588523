import Fastify, { type FastifyInstance } from 'fastify';
import type { Preloop } from '@preloop/core';
import { createMcpHandler, type McpHandler } from '@preloop/mcp';
import { preloopFastify } from './preloop-fastify.js';

/** What {@link createApp} builds: the Fastify app and the MCP handler to close on shutdown. */
export interface FastifyApp {
  /** The application. */
  app: FastifyInstance;
  /** The mounted MCP endpoint (close it before the kernel). */
  mcp: McpHandler;
}

/**
 * An existing Fastify 5 application that mounts Preloop's admin API and MCP
 * endpoint beside its own routes, which keep Fastify's JSON parser.
 *
 * @example
 * ```ts
 * const { app } = await createApp(await createPreloop({ database: 'sqlite:./preloop.db', secretKey }));
 * await app.listen({ port: 3000 });
 * ```
 */
export async function createApp(preloop: Preloop): Promise<FastifyApp> {
  const app = Fastify();
  const mcp = createMcpHandler(preloop);
  const base = `${preloop.options.basePath}/api/v1`;
  await app.register(preloopFastify, { handler: preloop.api, paths: [base, `${base}/*`] });
  await app.register(preloopFastify, { handler: mcp, paths: ['/mcp'] });
  // The application's own routes.
  app.get('/', async () => 'My internal tool, with Preloop mounted beside it');
  app.post('/echo', async (request) => ({ received: request.body }));
  return { app, mcp };
}
