import { createPreloop } from '@preloop/core';
import { serve } from '@preloop/core/node';
import { createApp } from './create-app.js';

const preloop = await createPreloop({
  database: process.env.DATABASE_URL ?? ':memory:',
  secretKey: process.env.PRELOOP_SECRET_KEY,
});
const app = createApp(preloop);
const server = await serve({ handler: (request) => app.fetch(request), port: Number(process.env.PORT ?? 3000) });
console.log(`Example app with Preloop embedded at ${server.url} (admin API ${server.url}/api/v1)`);
