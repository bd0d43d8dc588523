import { readdir, mkdir, writeFile, readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import os from 'node:os';
import type { Bench, BenchResult } from './harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const resultsDir = path.join(here, 'results');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.filter((arg) => !arg.startsWith('--'));

const files = (await readdir(here)).filter((file) => file.endsWith('.bench.ts')).sort();
const selected = files.filter((file) => only.length === 0 || only.some((name) => file.includes(name)));
if (selected.length === 0) {
  console.error(`No benchmark matches ${only.join(', ')}; available: ${files.map((f) => f.replace('.bench.ts', '')).join(', ')}`);
  process.exit(1);
}
await mkdir(resultsDir, { recursive: true });
const postgresUrl = process.env.PRELOOP_BENCH_POSTGRES_URL ?? process.env.PRELOOP_TEST_POSTGRES_URL ?? null;
const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
console.log(
  `Running ${selected.length} benchmark(s) on ${machine}${postgresUrl ? '' : ' (no PostgreSQL: set PRELOOP_TEST_POSTGRES_URL for the PostgreSQL cases)'}`,
);

let failed = false;
for (const [index, file] of selected.entries()) {
  const bench = (await import(pathToFileURL(path.join(here, file)).href)).default as Bench;
  console.log(`[${index + 1}/${selected.length}] ${bench.name}: ${bench.description}`);
  const started = Date.now();
  let result: BenchResult;
  try {
    result = await bench.run({ postgresUrl, quick, log: (message) => console.log(`  ${message}`) });
  } catch (error) {
    failed = true;
    console.error(`  ${bench.name} failed: ${(error as Error).stack ?? error}`);
    continue;
  }
  const record = {
    name: bench.name,
    description: bench.description,
    date: new Date().toISOString(),
    machine,
    quick,
    seconds: (Date.now() - started) / 1000,
    ...result,
  };
  await writeFile(path.join(resultsDir, `${bench.name}.json`), `${JSON.stringify(record, null, 2)}\n`);
  console.table(result.rows);
  for (const note of result.notes ?? []) console.log(`  note: ${note}`);
}

// Rebuild the human-readable summary from every result file present.
const summaries: string[] = [
  '# Benchmark results',
  '',
  'Written by `npm run bench`. Medians and ratios against a baseline measured in the same run; the machine is shared and noisy.',
  '',
];
for (const file of (await readdir(resultsDir)).filter((f) => f.endsWith('.json')).sort()) {
  const record = JSON.parse(await readFile(path.join(resultsDir, file), 'utf8')) as {
    name: string;
    description: string;
    date: string;
    machine: string;
    rows: Record<string, unknown>[];
    notes?: string[];
  };
  summaries.push(`## ${record.name}`, '', `${record.description} (${record.date}, ${record.machine})`, '');
  const columns = [...new Set(record.rows.flatMap((row) => Object.keys(row)))];
  if (columns.length) {
    summaries.push(`| ${columns.join(' | ')} |`, `| ${columns.map(() => '---').join(' | ')} |`);
    for (const row of record.rows) summaries.push(`| ${columns.map((c) => String(row[c] ?? '')).join(' | ')} |`);
  }
  for (const note of record.notes ?? []) summaries.push('', `- ${note}`);
  summaries.push('');
}
await writeFile(path.join(resultsDir, 'README.md'), summaries.join('\n'));
console.log(`Results written to ${path.relative(process.cwd(), resultsDir)}/`);
if (failed) process.exit(1);
