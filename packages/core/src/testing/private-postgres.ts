import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A PostgreSQL server of a test's own, which it may restart and stop (see {@link startPrivatePostgres}). */
export interface PrivatePostgres {
  /** The URL of its `postgres` database (superuser `postgres`, trust authentication on loopback). */
  readonly url: string;
  /** `pg_ctl restart` (fast shutdown: every connection is cut), waiting until it accepts connections again. */
  restart(): Promise<void>;
  /** `pg_ctl stop` (fast). */
  stop(): Promise<void>;
  /** `pg_ctl start`, waiting until it accepts connections. */
  start(): Promise<void>;
  /** Stops the server and deletes its data directory. */
  remove(): Promise<void>;
}

async function postgresBin(): Promise<string> {
  const root = '/usr/lib/postgresql';
  const versions = (await readdir(root).catch(() => [] as string[]))
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error(`No PostgreSQL server binaries under ${root}: install the postgresql package.`);
  return join(root, versions[0]!, 'bin');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Creates and starts a throwaway PostgreSQL cluster (`initdb` + `pg_ctl`) in a
 * temporary directory on a free port, so a test can restart or stop a real
 * server without touching the one other tests share. Runs the server as the
 * `postgres` user when the test runs as root. Call `remove()` when done.
 *
 * @example
 * ```ts
 * const server = await startPrivatePostgres();
 * const preloop = await createPreloop({ database: server.url, secretKey });
 * await server.restart();
 * await server.remove();
 * ```
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = await postgresBin();
  const dir = await mkdtemp(join(tmpdir(), 'preloop-pg-'));
  const data = join(dir, 'data');
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  const exec = async (command: string, args: string[]) => {
    const file = join(bin, command);
    if (!asRoot) return run(file, args);
    const quoted = [file, ...args].map((part) => `'${part.replace(/'/g, `'\\''`)}'`).join(' ');
    return run('su', ['postgres', '-s', '/bin/sh', '-c', quoted]);
  };
  if (asRoot) {
    await chmod(dir, 0o777);
  }
  const pgCtl = (action: string, extra: string[] = []) => exec('pg_ctl', ['-D', data, '-w', '-t', '60', '-m', 'fast', ...extra, action]);
  const options = ['-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, '-l', join(dir, 'server.log')];
  try {
    await exec('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync']);
    await pgCtl('start', options);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  let removed = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    restart: async () => void (await pgCtl('restart', options)),
    stop: async () => void (await pgCtl('stop')),
    start: async () => void (await pgCtl('start', options)),
    async remove() {
      if (removed) return;
      removed = true;
      await pgCtl('stop').catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}
