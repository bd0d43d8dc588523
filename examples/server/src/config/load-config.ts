import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument, isMap, isSeq, type Node } from 'yaml';
import { PreloopError, formatPath } from '@preloop/core';
import { configFileSchema, type ConfigFile } from './config-schema.js';

/** A loaded configuration file, with where it came from. */
export interface LoadedConfig {
  file: string;
  config: ConfigFile;
}

/**
 * Replaces `${NAME}` and `${NAME:-default}` in every string with environment
 * values. A missing variable without a default is an error naming it.
 *
 * @example
 * ```ts
 * substituteEnv('Bearer ${TOKEN}', { TOKEN: 'x' }, 'headers.Authorization'); // "Bearer x"
 * ```
 */
export function substituteEnv(text: string, env: NodeJS.ProcessEnv, where: string): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_, name: string, fallback: string | undefined) => {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
    if (fallback !== undefined) return fallback;
    throw new Error(`${where}: environment variable ${name} is not set`);
  });
}

/**
 * Reads, substitutes and validates the configuration file. Errors name the
 * file, the path in it, the line, and the reason.
 *
 * @example
 * ```ts
 * const { config } = await loadConfigFile('./preloop.yaml');
 * ```
 */
export async function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): Promise<LoadedConfig> {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (cause) {
    throw configError(absolute, [`cannot read the file: ${(cause as Error).message}`]);
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true });
  if (document.errors.length) {
    throw configError(
      absolute,
      document.errors.map((error) => `line ${error.linePos?.[0]?.line ?? '?'}: ${error.message.split('\n')[0]}`),
    );
  }
  const raw = document.toJS() ?? {};
  const problems: string[] = [];
  const walk = (value: unknown, at: (string | number)[]): unknown => {
    if (typeof value === 'string') {
      try {
        return substituteEnv(value, env, formatPath(at));
      } catch (error) {
        problems.push(`${lineOf(document.contents, at, lineCounter)}${(error as Error).message}`);
        return value;
      }
    }
    if (Array.isArray(value)) return value.map((item, index) => walk(item, [...at, index]));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, [...at, k])]));
    return value;
  };
  const substituted = walk(raw, []);
  if (problems.length) throw configError(absolute, problems);
  const result = configFileSchema.safeParse(substituted);
  if (!result.success) {
    throw configError(
      absolute,
      result.error.issues.map((issue) => {
        const at = issue.path as (string | number)[];
        return `${lineOf(document.contents, at, lineCounter)}${formatPath(at) || '(root)'}: ${issue.message}`;
      }),
    );
  }
  const config = result.data;
  if (typeof config.policy === 'string') {
    const policyPath = path.resolve(path.dirname(absolute), config.policy);
    try {
      config.policy = await readFile(policyPath, 'utf8');
    } catch (cause) {
      throw configError(absolute, [`policy: cannot read ${policyPath}: ${(cause as Error).message}`]);
    }
  }
  return { file: absolute, config };
}

function lineOf(root: unknown, at: (string | number)[], lineCounter: LineCounter): string {
  let node = root as Node | null | undefined;
  let last: Node | null | undefined = node;
  for (const key of at) {
    if (isMap(node)) node = node.get(key, true) as Node | undefined;
    else if (isSeq(node)) node = node.get(Number(key), true) as Node | undefined;
    else break;
    if (node) last = node;
  }
  const offset = last?.range?.[0];
  return offset === undefined ? '' : `line ${lineCounter.linePos(offset).line}: `;
}

function configError(file: string, problems: string[]): PreloopError {
  return new PreloopError('CONFIGURATION_ERROR', `Invalid configuration file ${file}:\n  - ${problems.join('\n  - ')}`, {
    details: { file, problems },
  });
}
