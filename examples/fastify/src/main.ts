import { createPreloop } from '@preloop/core';
import { resolveLocalSetup } from '@preloop/core/node';
import { mcp as mcpPlugin } from '@preloop/mcp';
import { createApp } from './create-app.js';

const setup = resolveLocalSetup();
const preloop = await createPreloop({ database: setup.databaseUrl, secretKey: setup.secretKey, plugins: [mcpPlugin()] });
const { app, mcp } = await createApp(preloop);
const port = Number(process.env.PORT ?? 3000);
await app.listen({ port, host: '127.0.0.1' });
console.log(`Fastify app on http://127.0.0.1:${port} · admin API /api/v1 · MCP /mcp`);
process.once('SIGINT', () => {
  void app
    .close()
    .then(() => mcp.close())
    .then(() => preloop.close());
});
