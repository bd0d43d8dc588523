import express, { type Express } from 'express';
import type { Preloop } from '@preloop/core';
import { toNodeHandler } from '@preloop/core/node';
import { createNodeMcpHandler, type NodeMcpHandler } from '@preloop/mcp/node';

/** What {@link createApp} builds: the Express app and the MCP handler to close on shutdown. */
export interface ExpressApp {
  /** The application. */
  app: Express;
  /** The mounted MCP endpoint (close it before the kernel). */
  mcp: NodeMcpHandler;
}

/**
 * An existing Express 5 application that mounts Preloop's admin API and MCP
 * endpoint beside its own routes. Preloop is mounted first and reads its own
 * bodies; requests no Preloop route matches go on to the app's routes. The
 * app's body parser is mounted after Preloop (one mounted before it also works:
 * Preloop then uses the parsed `req.body`).
 *
 * @param preloop - The kernel. Built with `basePath: '/internal/preloop'`, the
 *   admin API is mounted under that prefix instead of at the root.
 * @example
 * ```ts
 * const { app } = createApp(await createPreloop({ database: 'sqlite:./preloop.db', secretKey }));
 * app.listen(3000);
 * ```
 */
export function createApp(preloop: Preloop): ExpressApp {
  const app = express();
  const mcp = createNodeMcpHandler(preloop);
  const base = preloop.options.basePath;
  // The admin API: one line. It answers <basePath>/api/v1/… and hands every other request on.
  if (base) app.use(base, toNodeHandler(preloop.api));
  else app.use(toNodeHandler(preloop.api));
  // The MCP endpoint for agents.
  app.all('/mcp', mcp);
  // The application's own routes, with its own body parser.
  app.use(express.json());
  app.get('/', (_request, response) => {
    response.type('text').send('My internal tool, with Preloop mounted beside it');
  });
  app.post('/echo', (request, response) => {
    response.json({ received: request.body });
  });
  return { app, mcp };
}
