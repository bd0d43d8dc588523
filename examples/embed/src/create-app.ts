import { Hono } from 'hono';
import type { Preloop } from '@preloop/core';

/**
 * An existing application (here a Hono app with its own routes) that mounts
 * the Preloop admin API under `/api/v1` in one line, and uses the kernel for
 * its own governance checks.
 *
 * @example
 * ```ts
 * const app = createApp(await createPreloop({ database: ':memory:' }));
 * ```
 */
export function createApp(preloop: Preloop): Hono {
  const app = new Hono();
  // The application's own routes.
  app.get('/', (c) => c.text('My internal tool, with Preloop mounted at /api/v1'));
  // Mount Preloop's admin API: it handles its full path, so no prefix stripping.
  app.all('/api/v1/*', (c) => preloop.api(c.req.raw));
  // Use governance from your own code: would this caller be allowed to run a tool?
  app.post('/deploy', async (c) => {
    const principal = await preloop.authenticate(c.req.raw, { audience: 'mcp' });
    if (!principal) return c.json({ error: 'unauthenticated' }, 401);
    const decision = await preloop.governance.evaluateToolCall({
      subject: principal,
      tool: { name: 'deploy.production' },
      args: await c.req.json(),
    });
    return c.json({ decision: decision.action, reason: 'reason' in decision ? decision.reason : null });
  });
  return app;
}
