#!/usr/bin/env node
// The flows crash test's agent, a naive CLI agent: it does not watch its parent and ignores SIGTERM.
// It appends "start <attempt> <pid> <time>" to SLOW_AGENT_FILE, then "alive <attempt> <pid> <time>" every
// 50 ms; the first attempt works for SLOW_AGENT_SECONDS (default 20), later ones 0.2 s; then "end …" and exit 0.
import { appendFileSync } from 'node:fs';

const file = process.env.SLOW_AGENT_FILE;
const attempt = Number(process.env.PRELOOP_ATTEMPT);
const mark = (what) => appendFileSync(file, `${what} ${attempt} ${process.pid} ${Date.now()}\n`);
process.on('SIGTERM', () => {});
mark('start');
const seconds = attempt === 1 ? Number(process.env.SLOW_AGENT_SECONDS ?? 20) : 0.2;
const ticker = setInterval(() => mark('alive'), 50);
setTimeout(() => {
  clearInterval(ticker);
  mark('end');
  console.log(`finished attempt ${attempt}`);
}, seconds * 1000);
