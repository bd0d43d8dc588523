#!/usr/bin/env node
// The flows lease test's agent: appends "start <attempt> <pid> <time>" to CRASH_AGENT_FILE. On the first
// attempt it runs until it is stopped (SIGTERM, or the instance that started it dies), then appends "exit";
// later attempts append "done" and succeed.
import { appendFileSync } from 'node:fs';

const file = process.env.CRASH_AGENT_FILE;
const attempt = Number(process.env.PRELOOP_ATTEMPT);
appendFileSync(file, `start ${attempt} ${process.pid} ${Date.now()}\n`);
if (attempt === 1) {
  process.on('SIGTERM', () => {
    appendFileSync(file, `exit ${attempt} ${process.pid} ${Date.now()}\n`);
    process.exit(0);
  });
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) {
      appendFileSync(file, `exit ${attempt} ${process.pid} ${Date.now()}\n`);
      process.exit(0);
    }
  }, 20);
} else {
  appendFileSync(file, `done ${attempt} ${process.pid} ${Date.now()}\n`);
  console.log(`finished on attempt ${attempt}`);
}
