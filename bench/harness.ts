/**
 * The benchmark harness: each `bench/*.bench.ts` file default-exports a
 * benchmark made with {@link defineBench}; `npm run bench` runs them and writes
 * `bench/results/<name>.json` and a combined `bench/results/README.md`.
 *
 * The machine is shared and noisy: benchmarks report medians and ratios
 * against a baseline measured in the same run, never absolute pass/fail.
 */

/** What a benchmark receives. */
export interface BenchContext {
  /** A PostgreSQL server URL (create throwaway databases on it), or null when none is configured. */
  postgresUrl: string | null;
  /** True for a short run (`npm run bench -- --quick`). */
  quick: boolean;
  /** Prints a progress line. */
  log(message: string): void;
}

/** One row of a benchmark's result table. */
export interface BenchRow {
  /** What was measured, for example `append (sqlite)`. */
  case: string;
  [metric: string]: string | number | null;
}

/** A benchmark's result. */
export interface BenchResult {
  /** Rows of measurements. */
  rows: BenchRow[];
  /** Free-form notes: the baseline used, the ratio, caveats. */
  notes?: string[];
}

/** A benchmark definition. */
export interface Bench {
  /** File-safe name, used for the result file. */
  name: string;
  /** One line on what it measures. */
  description: string;
  run(context: BenchContext): Promise<BenchResult>;
}

/**
 * Declares a benchmark.
 *
 * @example
 * ```ts
 * export default defineBench({ name: 'noop', description: 'nothing', run: async () => ({ rows: [] }) });
 * ```
 */
export function defineBench(bench: Bench): Bench {
  return bench;
}

/**
 * Percentile of `values` (0–100), by nearest rank on a sorted copy.
 *
 * @example
 * ```ts
 * percentile([3, 1, 2], 50); // 2
 * ```
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/**
 * Times `fn` `iterations` times and returns each duration in microseconds.
 *
 * @example
 * ```ts
 * const samples = await sampleMicros(1000, () => doWork());
 * ```
 */
export async function sampleMicros(iterations: number, fn: () => unknown | Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  return samples;
}
