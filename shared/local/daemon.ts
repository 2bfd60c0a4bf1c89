/**
 * A warm database: the embedded DynamoDB Local of a data folder may outlive the command that started it,
 * so the next command does not pay the JVM's start (~2 s). One daemon per data folder (the folder's lock,
 * dynamodb/lock.ts, admits one server), loopback only like any embedded server, stopped after a few idle
 * minutes and by `medcomm stop`.
 *
 * A command takes a lease: a connection to the daemon's control socket (127.0.0.1) held open while it
 * runs — a command that crashes drops its lease with its socket. With no lease for MEDCOMM_DAEMON_IDLE
 * seconds (default 180) the daemon stops the server and exits. MEDCOMM_NO_DAEMON=1 — the default under
 * tests and CI — starts and stops a server per command, as before.
 */
import { spawn } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataDirLock, isAlive, LOCK_FILE_NAME } from './dynamodb/lock.js';
import { startDynamoDbLocal } from './dynamodb-local.js';

/** The daemon runs through the CLI's launcher, so it too runs the current build (or the sources). */
const LAUNCHER = fileURLToPath(new URL('../../bin/medcomm.mjs', import.meta.url));
const INFO_FILE = 'daemon.json';
const LOG_FILE = 'daemon.log';
const DEFAULT_IDLE_SECONDS = 180;
const START_TIMEOUT_MS = 90_000;
/** The daemon's exit code when another daemon already serves the folder. */
const EXIT_ALREADY_RUNNING = 3;
/** After that, how long a command waits for the other daemon before starting one again. */
const RESPAWN_MS = 1_000;
/** Set for a daemon whose database is kept in memory while it runs (see scratchFolder). */
const SCRATCH_ENV = 'MEDCOMM_DAEMON_SCRATCH';

export interface DaemonInfo {
  pid: number;
  /** DynamoDB Local's endpoint (http://127.0.0.1:port). */
  endpoint: string;
  /** The control socket's port on 127.0.0.1. */
  control: number;
  startedAt: string;
}

export interface DaemonLease {
  endpoint: string;
  /** True when this command started the daemon (its JVM start was paid here). */
  started: boolean;
  release(): void;
}

/** Whether commands should use a daemon: not when MEDCOMM_NO_DAEMON=1, nor under tests or CI unless asked. */
export function daemonEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.MEDCOMM_NO_DAEMON !== undefined && env.MEDCOMM_NO_DAEMON !== '')
    return env.MEDCOMM_NO_DAEMON === '0';
  return !(env.VITEST || env.CI);
}

const infoPath = (home: string) => join(home, INFO_FILE);

/** The data folder: --home, else $MEDCOMM_HOME, else ./.medcomm. */
export function defaultHome(): string {
  return resolve(process.env.MEDCOMM_HOME ?? join(process.cwd(), '.medcomm'));
}

/** Daemons this process spawned and has not yet leased, by folder: started early, spawned once. */
const spawnedEarly = new Map<string, Promise<{ code: number | null }>>();

/**
 * Starts the folder's daemon now if none runs, without waiting for it: a command calls this before it
 * loads its own modules, so the JVM boots meanwhile (issue 17, a cold `status`); its acquireDaemon then
 * waits for this daemon instead of spawning another.
 */
export function prestartDaemon(home: string, options: { scratch?: boolean } = {}): void {
  const folder = resolve(home);
  if (spawnedEarly.has(folder) || readDaemonInfo(folder)) return;
  spawnedEarly.set(folder, spawnDaemon(folder, options.scratch));
}

export function readDaemonInfo(home: string): DaemonInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(infoPath(home), 'utf8')) as DaemonInfo;
    return typeof info.pid === 'number' && isAlive(info.pid) ? info : undefined;
  } catch {
    return undefined;
  }
}

/** Asks the daemon for a lease; resolves with the endpoint, or rejects if it is going away. */
function lease(info: DaemonInfo): Promise<{ endpoint: string; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port: info.control, host: '127.0.0.1' });
    let answer = '';
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(10_000, () => fail(new Error('the database daemon did not answer')));
    socket.once('error', fail);
    socket.once('close', () => reject(new Error('the database daemon closed the lease')));
    socket.on('data', (chunk) => {
      answer += chunk.toString('utf8');
      if (!answer.includes('\n')) return;
      const [word, endpoint] = answer.trim().split(' ');
      if (word !== 'ok' || !endpoint) return fail(new Error(`the database daemon answered ${answer.trim()}`));
      socket.setTimeout(0);
      socket.removeAllListeners('close');
      socket.removeAllListeners('data');
      // Nothing keeps the command alive but its own work: the lease ends with the process at the latest.
      socket.unref();
      resolve({ endpoint, socket });
    });
    socket.write('lease\n');
  });
}

/** How a command starts the daemon: the same launcher, in its daemon mode, detached from the terminal. */
function spawnDaemon(home: string, scratch = false): Promise<{ code: number | null }> {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const log = openSync(join(home, LOG_FILE), 'a', 0o600);
  try {
    const args = [LAUNCHER, '__database-daemon', home];
    const { [SCRATCH_ENV]: _inherited, ...env } = process.env;
    const child = spawn(process.execPath, args, {
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...env, MEDCOMM_DAEMON_HOME: home, ...(scratch ? { [SCRATCH_ENV]: '1' } : {}) },
    });
    child.unref();
    return new Promise((resolve) => {
      child.once('exit', (code) => resolve({ code }));
      child.once('error', () => resolve({ code: -1 }));
    });
  } finally {
    closeSync(log);
  }
}

/** The endpoint of this folder's daemon, starting it if none runs; the lease ends with `release` or the process. */
export async function acquireDaemon(home: string): Promise<DaemonLease> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let spawned = spawnedEarly.get(resolve(home));
  spawnedEarly.delete(resolve(home));
  let exited: { code: number | null; at: number } | undefined;
  void spawned?.then((result) => {
    exited = { ...result, at: Date.now() };
  });
  for (;;) {
    const info = readDaemonInfo(home);
    if (info) {
      try {
        const { endpoint, socket } = await lease(info);
        return { endpoint, started: spawned !== undefined, release: () => socket.destroy() };
      } catch {
        // It is stopping (idle or `medcomm stop`): wait for it to go, then start another.
      }
    } else if (!spawned || (exited?.code === EXIT_ALREADY_RUNNING && Date.now() - exited.at > RESPAWN_MS)) {
      // Ours found the folder taken (another command's daemon starting, or a server of its own): wait
      // for that one's daemon.json, trying again now and then rather than a process start every poll.
      exited = undefined;
      spawned = spawnDaemon(home);
      void spawned.then((result) => {
        exited = { ...result, at: Date.now() };
      });
    } else if (exited && exited.code !== EXIT_ALREADY_RUNNING) {
      let tail = '';
      try {
        tail = readFileSync(join(home, LOG_FILE), 'utf8').slice(-4_000);
      } catch {
        // No log: the message says where to look anyway.
      }
      throw new Error(
        `数据库未能启动 / the database daemon for ${home} exited (code ${exited.code}); ` +
          `MEDCOMM_NO_DAEMON=1 runs without it.\n${tail.trim()}`,
      );
    }
    if (Date.now() > deadline) throw new Error(`the database daemon for ${home} did not start in time`);
    // Reading a small file: polling often costs nothing and answers the moment the daemon is up.
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Stops this folder's daemon (if one runs) and waits until it has gone. `discard`: for a caller about to
 * remove the folder (the demo, starting afresh): a database kept in /dev/shm is dropped rather than first
 * copied into the folder and synced.
 */
export async function stopDaemon(home: string, options: { discard?: boolean } = {}): Promise<boolean> {
  const info = readDaemonInfo(home);
  if (!info) return false;
  const command = options.discard ? 'discard' : 'stop';
  await new Promise<void>((resolve) => {
    const socket = connect({ port: info.control, host: '127.0.0.1' }, () => socket.write(`${command}\n`));
    socket.on('data', () => undefined);
    socket.once('close', () => resolve());
    socket.once('error', () => resolve());
  });
  const deadline = Date.now() + 30_000;
  while (isAlive(info.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (isAlive(info.pid)) process.kill(info.pid, 'SIGTERM');
  return true;
}

/** How long a daemon waits with no command before it stops (MEDCOMM_DAEMON_IDLE, else 3 minutes). */
export function idleSeconds(): number {
  return Number(process.env.MEDCOMM_DAEMON_IDLE ?? DEFAULT_IDLE_SECONDS);
}

/** The daemon itself (`bin/medcomm.mjs __database-daemon HOME`): serves until idle or told to stop. */
export async function runDaemon(home: string): Promise<void> {
  const idleMs = idleSeconds() * 1000;
  const dataDir = join(home, 'dynamodb');
  let server: Awaited<ReturnType<typeof startDynamoDbLocal>>;
  let scratch: Scratch | undefined;
  try {
    scratch = process.env[SCRATCH_ENV] === '1' ? openScratch(dataDir) : undefined;
    server = await startDynamoDbLocal({ dataDir: scratch?.dir ?? dataDir, keepProcessAlive: true });
  } catch (error) {
    scratch?.discard();
    if (/already in use/.test(String(error))) process.exit(EXIT_ALREADY_RUNNING);
    throw error;
  }
  const leases = new Set<Socket>();
  let idle: NodeJS.Timeout | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (why: string, keep = true) => {
    stopping ??= (async () => {
      console.log(`${new Date().toISOString()} stopping (${why})`);
      control.close();
      for (const socket of leases) socket.destroy();
      try {
        const current = JSON.parse(readFileSync(infoPath(home), 'utf8')) as DaemonInfo;
        if (current.pid === process.pid) rmSync(infoPath(home), { force: true });
      } catch {
        // Already gone.
      }
      await server.stop();
      if (keep) scratch?.persist();
      else scratch?.discard();
      process.exit(0);
    })();
    return stopping;
  };
  const armIdle = () => {
    clearTimeout(idle);
    if (leases.size === 0) idle = setTimeout(() => void stop('idle'), idleMs);
  };
  const control = createServer((socket) => {
    let text = '';
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk) => {
      text += chunk.toString('utf8');
      if (!text.includes('\n')) return;
      const command = text.trim();
      text = '';
      if (stopping) return socket.end('stopping\n');
      if (command === 'lease') {
        leases.add(socket);
        clearTimeout(idle);
        socket.once('close', () => {
          leases.delete(socket);
          armIdle();
        });
        socket.write(`ok ${server.endpoint}\n`);
      } else if (command === 'stop' || command === 'discard') {
        socket.end('stopping\n');
        void stop(`medcomm ${command}`, command === 'stop');
      } else socket.end('unknown\n');
    });
  });
  await new Promise<void>((resolve) => control.listen({ port: 0, host: '127.0.0.1' }, resolve));
  const info: DaemonInfo = {
    pid: process.pid,
    endpoint: server.endpoint,
    control: (control.address() as { port: number }).port,
    startedAt: new Date().toISOString(),
  };
  const partial = `${infoPath(home)}.${process.pid}`;
  writeFileSync(partial, JSON.stringify(info), { mode: 0o600 });
  renameSync(partial, infoPath(home));
  console.log(
    `${info.startedAt} serving ${server.endpoint} (isolated: ${server.isolated}), idle stop after ${idleMs / 1000} s`,
  );
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => void stop(signal));
  void server.exited.then(() => {
    if (!stopping) {
      console.log(`${new Date().toISOString()} DynamoDB Local exited on its own`);
      rmSync(infoPath(home), { force: true });
      scratch?.persist();
      process.exit(1);
    }
  });
  armIdle();
}

const SCRATCH_ROOT = '/dev/shm';
const SCRATCH_PREFIX = 'medcomm-db-';

/**
 * Removes this user's scratch folders whose daemon is gone (killed outright, it could not move or remove
 * its database): memory a daemon left behind is given back the next time one starts. A folder of a live
 * daemon, another user's, or one named otherwise is left alone.
 */
export function sweepScratch(root = SCRATCH_ROOT): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return removed;
  }
  const uid = process.getuid?.();
  for (const name of names) {
    const pid = new RegExp(`^${SCRATCH_PREFIX}(\\d+)-`).exec(name)?.[1];
    if (pid === undefined || isAlive(Number(pid))) continue;
    const path = join(root, name);
    try {
      if (uid !== undefined && statSync(path).uid !== uid) continue;
      rmSync(path, { recursive: true, force: true });
      removed.push(path);
    } catch {
      // Gone meanwhile, or not ours to remove.
    }
  }
  return removed;
}

/** A daemon's database kept in memory while it runs, and the data folder it belongs to. */
interface Scratch {
  dir: string;
  /** Moves the database into the data folder (written, synced, renamed into place) and frees both. */
  persist(): void;
  /** Frees both without moving anything (the server never started). */
  discard(): void;
}

/** The database's files in a data folder: not the lock, nor folders (the JVM's temp folder, java-temp.ts). */
function databaseFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name !== LOCK_FILE_NAME)
    .map((entry) => entry.name);
}

/**
 * The database of a daemon started with `scratch` (the demo, whose database is made afresh on every run
 * and is worth keeping only once the year is written): in a folder of its own under /dev/shm (this user's
 * only) while the daemon runs, so DynamoDB Local's SQLite syncs (~3 a write: ~2-20 s of a demo year on a
 * shared disk) cost nothing, and moved into the data folder when the daemon stops — `medcomm stop`, idle,
 * a signal, or the server's own exit. The data folder's lock is held meanwhile, so no other server opens
 * it. Undefined where there is no /dev/shm: the database stays on disk. A daemon killed outright (SIGKILL)
 * loses it, which a demo run can afford: it starts from a clean slate; its folder is swept by the next.
 */
function openScratch(dataDir: string): Scratch | undefined {
  if (process.platform !== 'linux' || !existsSync(SCRATCH_ROOT)) return undefined;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const lock = DataDirLock.acquire(dataDir);
  let dir: string;
  try {
    sweepScratch();
    // The daemon's pid in the name: a folder whose daemon is gone is found and removed by the next one.
    dir = mkdtempSync(join(SCRATCH_ROOT, `${SCRATCH_PREFIX}${process.pid}-`));
    // What the folder holds already (a demo's is empty) goes along: the database's files, not the lock.
    for (const name of databaseFiles(dataDir)) copyFileSync(join(dataDir, name), join(dir, name));
  } catch (error) {
    lock.release();
    throw error;
  }
  const free = () => {
    rmSync(dir, { recursive: true, force: true });
    lock.release();
  };
  return {
    dir,
    persist() {
      try {
        for (const name of databaseFiles(dir)) {
          const partial = join(dataDir, `${name}.${process.pid}.partial`);
          copyFileSync(join(dir, name), partial);
          const fd = openSync(partial, 'r+');
          try {
            fsyncSync(fd);
          } finally {
            closeSync(fd);
          }
          renameSync(partial, join(dataDir, name));
        }
        const folder = openSync(dataDir, 'r');
        try {
          fsyncSync(folder);
        } finally {
          closeSync(folder);
        }
        console.log(`${new Date().toISOString()} database moved from ${dir} into ${dataDir}`);
      } catch (error) {
        // Left where it is rather than lost: the message says where.
        lock.release();
        console.log(
          `${new Date().toISOString()} could not move the database ${dir} into ${dataDir}: ${error}`,
        );
        return;
      }
      free();
    },
    discard: free,
  };
}
