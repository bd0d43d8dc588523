/** Log levels, most to least verbose. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** A structured logger. Fields are redacted before they are written. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** The least level written. @default 'info' */
  level?: LogLevel;
  /** `json` writes one JSON object a line; `pretty` writes readable lines. @default 'json' */
  format?: 'json' | 'pretty';
  /** Where lines go. @default process.stderr */
  write?: (line: string) => void;
}

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };
const secretField = /pass(word)?|secret|token|authorization|cookie|api[-_]?key|credential|private/i;

/**
 * Redacts values of secret-looking fields (password, token, authorization,
 * cookie, API key, credential…) and turns errors into plain objects.
 *
 * @example
 * ```ts
 * redactFields({ token: 'abc', user: 'u1' }); // { token: '[redacted]', user: 'u1' }
 * ```
 */
export function redactFields(fields: Record<string, unknown>, depth = 0): Record<string, unknown> {
  const output: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (secretField.test(key)) output[key] = '[redacted]';
    else if (value instanceof Error) output[key] = { name: value.name, message: value.message, code: (value as { code?: unknown }).code };
    else if (value && typeof value === 'object' && !Array.isArray(value) && depth < 4)
      output[key] = redactFields(value as Record<string, unknown>, depth + 1);
    else output[key] = value;
  }
  return output;
}

/**
 * Creates a structured logger.
 *
 * @example
 * ```ts
 * const logger = createLogger({ level: 'debug', format: 'pretty' });
 * logger.info('server started', { url: 'http://127.0.0.1:8787' });
 * ```
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = order[options.level ?? 'info'];
  const format = options.format ?? 'json';
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const log = (level: Exclude<LogLevel, 'silent'>, message: string, fields: Record<string, unknown> = {}) => {
    if (order[level] < threshold) return;
    const safe = redactFields(fields);
    if (format === 'json') {
      write(JSON.stringify({ time: new Date().toISOString(), level, message, ...safe }));
    } else {
      const extra = Object.keys(safe).length ? ` ${JSON.stringify(safe)}` : '';
      write(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${message}${extra}`);
    }
  };
  return {
    debug: (message, fields) => log('debug', message, fields),
    info: (message, fields) => log('info', message, fields),
    warn: (message, fields) => log('warn', message, fields),
    error: (message, fields) => log('error', message, fields),
  };
}
