import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, brotliCompressSync, constants as zlib } from 'node:zlib';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright';
import { buildConsoleBundle, type ConsoleBundle } from '@preloop/console-elements/server';
import { defineBench, percentile, type BenchRow } from './harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const elements = path.resolve(here, '../packages/console-elements/src');
const tsconfigRaw = { compilerOptions: { experimentalDecorators: true, useDefineForClassFields: false, verbatimModuleSyntax: true } };
const records = 10_000;

/** Bundles `contents` (an entry importing from the elements' sources) for the browser, minified. */
async function bundle(contents: string, minify = true): Promise<Uint8Array> {
  const result = await esbuild.build({
    stdin: { contents, resolveDir: elements, loader: 'ts', sourcefile: 'entry.ts' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify,
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
    tsconfigRaw,
  });
  return result.outputFiles[0]!.contents;
}

function sizes(name: string, code: Uint8Array): BenchRow {
  const brotli = brotliCompressSync(code, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } });
  return {
    case: name,
    'minified KiB': round(code.byteLength / 1024),
    'gzip KiB': round(gzipSync(code, { level: 9 }).byteLength / 1024),
    'brotli KiB': round(brotli.byteLength / 1024),
  };
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * What a browser loads before `file` of the served bundle runs: it and its static
 * imports, recursively (`import()` targets load later), as one row of sizes.
 */
export function servedSizes(name: string, bundle: ConsoleBundle, file = 'preloop-elements.js'): BenchRow {
  const byName = new Map([['preloop-elements.js', bundle as Omit<ConsoleBundle, 'files'>], ...Object.entries(bundle.files)]);
  const seen = new Set<string>();
  const visit = (current: string) => {
    if (seen.has(current)) return;
    seen.add(current);
    const asset = byName.get(current);
    if (!asset) throw new Error(`${file} imports ${current}, which the bundle does not have`);
    const code = new TextDecoder().decode(asset.code);
    for (const match of code.matchAll(/(?:\bfrom|\bimport)\s*["'](\.{1,2}\/[^"']+)["']/g))
      visit(path.posix.normalize(path.posix.join(path.posix.dirname(current), match[1]!)));
  };
  visit(file);
  const assets = [...seen].map((current) => byName.get(current)!);
  const sum = (pick: (asset: (typeof assets)[number]) => Uint8Array) =>
    round(assets.reduce((total, asset) => total + pick(asset).byteLength, 0) / 1024);
  return {
    case: name,
    files: assets.length,
    'minified KiB': sum((asset) => asset.code),
    'gzip KiB': sum((asset) => asset.gzip),
    'brotli KiB': sum((asset) => asset.brotli),
  };
}

/** The page-side code of the render benchmark: the audit log, and a plain table as the baseline. */
const renderEntry = `
import { PreloopAuditLog } from './components/preloop-audit-log/preloop-audit-log.js';
customElements.define('preloop-audit-log', PreloopAuditLog);

const outcomes = ['success', 'success', 'success', 'denied', 'pending', 'failure'];
const actions = ['mcp.tool.call', 'mcp.tool.result', 'approval.request', 'approval.decide', 'auth.login'];
function makeRecords(count) {
  const now = Date.now();
  return Array.from({ length: count }, (_, index) => ({
    id: 'aud_' + index, accountId: 'acc', seq: count - index, time: now - index * 1000,
    actorType: 'runtime_session', actorId: 'rs_' + (index % 40), principal: { name: 'agent-' + (index % 40) },
    runtimeSessionId: 'rs_' + (index % 40), action: actions[index % actions.length], targetType: 'tool',
    targetId: 'github.tool_' + (index % 25), outcome: outcomes[index % outcomes.length], data: { index },
    prevHash: '0'.repeat(64), hash: (index % 10).toString().repeat(64),
  }));
}
const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
const painted = async () => { await frame(); await frame(); };

/** Time from setting 10,000 records on a new <preloop-audit-log> to its first rows being on screen. */
window.renderAuditLog = async (count) => {
  const data = makeRecords(count);
  document.body.replaceChildren();
  await painted();
  const started = performance.now();
  const log = document.createElement('preloop-audit-log');
  log.records = data;
  log.noHeader = true;
  document.body.append(log);
  await log.updateComplete;
  while (!log.shadowRoot.querySelector('.row')) await frame();
  document.body.offsetHeight;
  await painted();
  const elapsed = performance.now() - started;
  const rows = log.shadowRoot.querySelectorAll('.row').length;
  return { elapsed, rows };
};

/** The baseline: the same 10,000 records as a plain <table> built with the DOM, laid out and painted. */
window.renderPlainTable = async (count) => {
  const data = makeRecords(count);
  document.body.replaceChildren();
  await painted();
  const started = performance.now();
  const table = document.createElement('table');
  const body = document.createElement('tbody');
  for (const record of data) {
    const row = document.createElement('tr');
    for (const value of ['#' + record.seq, new Date(record.time).toLocaleString(), record.principal.name, record.action, record.targetType + ' ' + record.targetId, record.outcome]) {
      const cell = document.createElement('td');
      cell.textContent = value;
      row.append(cell);
    }
    body.append(row);
  }
  table.append(body);
  document.body.append(table);
  document.body.offsetHeight;
  await painted();
  return { elapsed: performance.now() - started, rows: data.length };
};
`;

export default defineBench({
  name: 'console',
  description:
    'Console elements: bundle size (minified, gzip, brotli, via esbuild) and time to first render of the audit log with 10,000 records in headless Chromium, against a plain 10,000-row table',
  async run({ quick, log }) {
    const rows: BenchRow[] = [];
    const notes: string[] = [];

    log('bundling');
    // What createConsoleHandler() serves: the whole console's first load, and one element alone (the goal: <= 80 KB gzip for the console).
    const served = await buildConsoleBundle({ from: 'source' });
    rows.push(servedSizes('served: whole console, first load (entry + static imports)', served));
    const uplot = Object.keys(served.files).find((name) => /uPlot/i.test(name));
    if (uplot) rows.push(servedSizes('served: uPlot, loaded when a usage chart draws', served, uplot));
    rows.push(servedSizes('served: elements/preloop-approval-card.js alone (+ its chunks)', served, 'elements/preloop-approval-card.js'));
    rows.push(servedSizes('served: elements/preloop-approval-queue.js alone (+ its chunks)', served, 'elements/preloop-approval-queue.js'));
    rows.push(sizes('bundle: every element + client (define entry, dependencies included)', await bundle(`import './define.js';`)));
    rows.push(
      sizes(
        'bundle: <preloop-approval-card> alone',
        await bundle(
          `import { PreloopApprovalCard } from './components/preloop-approval-card/preloop-approval-card.js'; customElements.define('preloop-approval-card', PreloopApprovalCard);`,
        ),
      ),
    );
    rows.push(
      sizes(
        'bundle: <preloop-audit-log> alone',
        await bundle(
          `import { PreloopAuditLog } from './components/preloop-audit-log/preloop-audit-log.js'; customElements.define('preloop-audit-log', PreloopAuditLog);`,
        ),
      ),
    );
    rows.push(sizes('bundle: PreloopClient alone (client entry, no Lit)', await bundle(`export * from './client.js';`)));
    rows.push(
      sizes(
        'baseline: lit (LitElement + html + css) alone',
        await bundle(
          `import { LitElement, html, css } from 'lit'; customElements.define('x-baseline', class extends LitElement { static styles = css\`:host{display:block}\`; render() { return html\`<p>hi</p>\`; } });`,
        ),
      ),
    );
    notes.push(
      '"served" rows: the files createConsoleHandler() serves (buildConsoleBundle from the sources), a file and its static imports; uPlot is split out and loaded by the usage chart on demand. The other bundle rows: single-file esbuild bundles of the sources (ES2022, minified, dynamic imports inlined); uPlot (~50 KiB minified) and the virtualizer (~30 KiB) are the largest dependencies.',
    );

    log('rendering in headless Chromium');
    const code = new TextDecoder().decode(await bundle(renderEntry, true));
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.setContent('<!doctype html><html><head><meta charset="utf-8"></head><body></body></html>');
      await page.addScriptTag({ type: 'module', content: code });
      await page.waitForFunction(() => typeof (window as unknown as { renderAuditLog?: unknown }).renderAuditLog === 'function');
      const runs = quick ? 5 : 15;
      const measure = (name: 'renderAuditLog' | 'renderPlainTable') =>
        page.evaluate(
          async ([fn, count]) =>
            (window as unknown as Record<string, (count: number) => Promise<{ elapsed: number; rows: number }>>)[fn]!(count),
          [name, records] as const,
        );
      // Warm up both paths once (JIT, font and style caches), then interleave the runs.
      await measure('renderAuditLog');
      await measure('renderPlainTable');
      const audit: number[] = [];
      const table: number[] = [];
      let domRows = 0;
      for (let run = 0; run < runs; run++) {
        const result = await measure('renderAuditLog');
        audit.push(result.elapsed);
        domRows = result.rows;
        table.push((await measure('renderPlainTable')).elapsed);
      }
      const auditMedian = percentile(audit, 50);
      const tableMedian = percentile(table, 50);
      rows.push({
        case: `<preloop-audit-log> first render, ${records.toLocaleString('en-US')} records`,
        'median ms': round(auditMedian),
        'p90 ms': round(percentile(audit, 90)),
        runs,
        'rows in DOM': domRows,
        'ratio to baseline': round(auditMedian / tableMedian, 3),
      });
      rows.push({
        case: `baseline: plain <table>, ${records.toLocaleString('en-US')} rows`,
        'median ms': round(tableMedian),
        'p90 ms': round(percentile(table, 90)),
        runs,
        'rows in DOM': records,
      });
      notes.push(
        `First render: from setting the records on a new element to its first rows laid out and painted (two animation frames); the element keeps ${domRows} rows in the DOM for ${records.toLocaleString('en-US')} records (virtualized).`,
      );
      notes.push('Baseline: the same records as a plain DOM table (6 cells per row), laid out and painted, in the same page and run.');
    } finally {
      await browser.close();
    }
    return { rows, notes };
  },
});
