import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Where a local installation keeps its files. */
export interface LocalSetup {
  /** The data folder. */
  dataDir: string;
  /** The database URL: `DATABASE_URL`, or a SQLite file in the data folder. */
  databaseUrl: string;
  /** The secret key: `PRELOOP_SECRET_KEY`, or one kept in the data folder. */
  secretKey: string;
  /** True when the secret key was generated just now (the caller should warn). */
  generatedSecretKey: boolean;
}

/**
 * Resolves the database URL and secret key the way the reference server and
 * the CLI both do: `DATABASE_URL` (default `sqlite:<dataDir>/preloop.db`) and
 * `PRELOOP_SECRET_KEY` (default: generated once into `<dataDir>/secret.key`,
 * mode 0600).
 *
 * @example
 * ```ts
 * const { databaseUrl, secretKey } = resolveLocalSetup({ dataDir: '.data' });
 * ```
 */
export function resolveLocalSetup(options: { dataDir?: string; databaseUrl?: string; env?: NodeJS.ProcessEnv } = {}): LocalSetup {
  const env = options.env ?? process.env;
  const dataDir = path.resolve(options.dataDir ?? env.PRELOOP_DATA_DIR ?? '.data');
  const databaseUrl = options.databaseUrl ?? env.DATABASE_URL ?? `sqlite:${path.join(dataDir, 'preloop.db')}`;
  if (databaseUrl.startsWith('sqlite:') || env.PRELOOP_SECRET_KEY === undefined) mkdirSync(dataDir, { recursive: true });
  if (env.PRELOOP_SECRET_KEY) return { dataDir, databaseUrl, secretKey: env.PRELOOP_SECRET_KEY, generatedSecretKey: false };
  const keyFile = path.join(dataDir, 'secret.key');
  if (existsSync(keyFile)) {
    return { dataDir, databaseUrl, secretKey: readFileSync(keyFile, 'utf8').trim(), generatedSecretKey: false };
  }
  const secretKey = randomBytes(32).toString('base64');
  writeFileSync(keyFile, `${secretKey}\n`, { mode: 0o600 });
  return { dataDir, databaseUrl, secretKey, generatedSecretKey: true };
}
