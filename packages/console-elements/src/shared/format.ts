/**
 * Formatting helpers shared by the elements: relative times, durations,
 * money (integer micro-dollars), counts and ids.
 *
 * @module
 */

const numberFormat = new Intl.NumberFormat('en-US');
const compactFormat = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/**
 * A count with thousands separators, or compact (`12.3K`) when `compact` is set.
 *
 * @example
 * ```ts
 * formatCount(12345); // "12,345"
 * ```
 */
export function formatCount(value: number, compact = false): string {
  return compact && Math.abs(value) >= 10_000 ? compactFormat.format(value) : numberFormat.format(value);
}

/**
 * Money from integer micro-dollars: `$12.34`, with more digits below a cent.
 *
 * @example
 * ```ts
 * formatMoney(1_234_500); // "$1.23"
 * ```
 */
export function formatMoney(micros: number | null | undefined): string {
  if (micros === null || micros === undefined) return '—';
  const dollars = micros / 1_000_000;
  if (dollars !== 0 && Math.abs(dollars) < 0.01) return `$${dollars.toFixed(4)}`;
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(dollars);
}

/**
 * Labels for money axis ticks (in dollars): as many decimals as the step
 * between ticks needs, so small amounts read `$0.0005`, `$0.0010` and not
 * `$0.00` on every tick.
 *
 * @example
 * ```ts
 * formatMoneyTicks([0, 0.0005, 0.001]); // ['$0.0000', '$0.0005', '$0.0010']
 * formatMoneyTicks([0, 50, 100]);        // ['$0', '$50', '$100']
 * ```
 */
export function formatMoneyTicks(values: readonly number[]): string[] {
  const steps = values
    .slice(1)
    .map((value, index) => Math.abs(value - values[index]!))
    .filter((step) => step > 0);
  const step = steps.length ? Math.min(...steps) : Math.abs(values.find((value) => value !== 0) ?? 1);
  const decimals = step >= 1 ? 0 : Math.min(8, Math.max(2, Math.ceil(-Math.log10(step) - 1e-9)));
  return values.map((value) => `${value < 0 ? '-' : ''}$${Math.abs(value).toFixed(decimals)}`);
}

/**
 * "3 min ago", "in 2 h", "just now" from an epoch-millisecond time.
 *
 * @example
 * ```ts
 * formatRelative(Date.now() - 90_000); // "1 min ago"
 * ```
 */
export function formatRelative(time: number | null | undefined, now = Date.now()): string {
  if (time === null || time === undefined) return 'never';
  const delta = time - now;
  const seconds = Math.round(Math.abs(delta) / 1000);
  const text =
    seconds < 45
      ? null
      : seconds < 3600
        ? `${Math.round(seconds / 60)} min`
        : seconds < 86_400
          ? `${Math.round(seconds / 3600)} h`
          : `${Math.round(seconds / 86_400)} d`;
  if (text === null) return 'just now';
  return delta < 0 ? `${text} ago` : `in ${text}`;
}

/**
 * A date and time in the viewer's locale, to the second.
 *
 * @example
 * ```ts
 * formatTime(Date.now()); // "Mar 3, 14:05:09"
 * ```
 */
export function formatTime(time: number | null | undefined): string {
  if (time === null || time === undefined) return '—';
  return new Date(time).toLocaleString(undefined, {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  });
}

/**
 * A countdown such as `4:59` or `1:02:03` from milliseconds; `0:00` when past.
 *
 * @example
 * ```ts
 * formatCountdown(299_000); // "4:59"
 * ```
 */
export function formatCountdown(milliseconds: number): string {
  const total = Math.max(0, Math.floor(milliseconds / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const pad = (value: number) => String(value).padStart(2, '0');
  return hours > 0 ? `${hours}:${pad(minutes)}:${pad(seconds)}` : `${minutes}:${pad(seconds)}`;
}

/**
 * A long id shortened for tables: `rs_0193ab…9f2c`.
 *
 * @example
 * ```ts
 * shortId('rs_0193abcdef0123456789'); // "rs_0193ab…6789"
 * ```
 */
export function shortId(id: string | null | undefined): string {
  if (!id) return '—';
  // Only generated ids (`rs_0193ab…`, UUIDs) are shortened; names such as `github.create_issue` are kept.
  return id.length > 16 && /^([a-z]{2,6}_)?[0-9a-f]{8}[0-9a-f-]{8,}$/i.test(id) ? `${id.slice(0, 9)}…${id.slice(-4)}` : id;
}

/**
 * Start of the viewer's local day, as epoch milliseconds.
 *
 * @example
 * ```ts
 * const from = startOfToday();
 * ```
 */
export function startOfToday(now = Date.now()): number {
  const date = new Date(now);
  date.setHours(0, 0, 0, 0);
  return date.getTime();
}

/**
 * A badge tone for a status word: success, warning, danger, accent or neutral.
 *
 * @example
 * ```ts
 * toneOf('denied'); // "danger"
 * ```
 */
export function toneOf(status: string): 'success' | 'warning' | 'danger' | 'accent' | 'neutral' {
  switch (status) {
    case 'success':
    case 'active':
    case 'approved':
    case 'executed':
    case 'allow':
    case 'pinned':
    case 'ok':
      return 'success';
    case 'pending':
    case 'suspended':
    case 'require_approval':
    case 'changed':
    case 'quarantined':
    case 'new':
    case 'expired':
      return 'warning';
    case 'failure':
    case 'error':
    case 'execution_unknown':
    case 'denied':
    case 'deny':
    case 'decommissioned':
    case 'revoked':
    case 'invalid':
      return 'danger';
    case 'running':
      return 'accent';
    default:
      return 'neutral';
  }
}

/**
 * Wraps `run` so bursts of calls within `milliseconds` run it once, after the burst.
 *
 * @example
 * ```ts
 * const reload = debounce(() => load(), 500);
 * ```
 */
export function debounce(run: () => void, milliseconds: number): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  return () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      run();
    }, milliseconds);
  };
}
