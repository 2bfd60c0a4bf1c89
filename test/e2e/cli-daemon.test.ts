/**
 * The warm database (shared/local/daemon.ts): with the daemon allowed, consecutive commands on one data
 * folder share one DynamoDB Local, which stops after its idle time and on `medcomm stop`; with
 * MEDCOMM_NO_DAEMON=1 every command starts and stops its own. Nothing outlives the test.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopDaemon } from '../../shared/local/daemon.js';
import { isAlive, LOCK_FILE_NAME } from '../../shared/local/dynamodb/lock.js';

const exec = promisify(execFile);
const root = join(import.meta.dirname, '../..');
const tiny = join(root, 'test/fixtures/tiny/dataset');
let work: string;
const homes: string[] = [];
const pids = new Set<number>();

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'medcomm-daemon-'));
});
afterAll(async () => {
  for (const home of homes) await stopDaemon(home).catch(() => undefined);
  for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  if (work) rmSync(work, { recursive: true, force: true });
});

function medcomm(home: string, args: string[], env: Record<string, string>) {
  const temp = join(work, 'tmp');
  mkdirSync(temp, { recursive: true });
  return exec(process.execPath, [join(root, 'bin/medcomm.mjs'), '--home', home, ...args], {
    cwd: work,
    env: { ...process.env, TMPDIR: temp, ...env },
    maxBuffer: 16 * 1024 * 1024,
  });
}

/** The daemon's pid and its server's (the relay or java), as recorded in the folder. */
function processes(home: string): { daemon?: number; server?: number } {
  const read = (path: string) => {
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as Record<string, number>;
    } catch {
      return undefined;
    }
  };
  const info = read(join(home, 'daemon.json'));
  const lock = read(join(home, 'dynamodb', LOCK_FILE_NAME));
  if (info?.pid) pids.add(info.pid);
  if (lock?.serverPid) pids.add(lock.serverPid);
  return { daemon: info?.pid, server: lock?.serverPid };
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return check();
}

const homeFor = (name: string) => {
  const home = join(work, name);
  homes.push(home);
  return home;
};

// Concurrent: each case has its own data folder and daemon, and most of their time is waiting (the idle stop).
describe.concurrent('the warm database', () => {
  it('serves consecutive commands from one server and stops it when idle', { timeout: 240_000 }, async () => {
    const home = homeFor('idle');
    // Long enough for the next command to start on a machine whose cores are busy (it took over 3 s).
    const env = { MEDCOMM_NO_DAEMON: '0', MEDCOMM_DAEMON_IDLE: '20' };
    await medcomm(home, ['import', tiny, '--as', 'office1'], env);
    const first = processes(home);
    expect(first.daemon).toBeGreaterThan(0);
    expect(isAlive(first.daemon!)).toBe(true);
    expect(isAlive(first.server!)).toBe(true);

    const { stdout } = await medcomm(home, ['status'], env);
    expect(stdout).toContain('v1');
    expect(processes(home)).toEqual(first);

    // No lease for 20 s: the daemon stops its server and exits, and says where it was no more.
    expect(await until(() => !isAlive(first.daemon!) && !isAlive(first.server!), 90_000)).toBe(true);
    expect(existsSync(join(home, 'daemon.json'))).toBe(false);
    expect(readdirSync(join(work, 'tmp'))).toEqual([]);
  });

  it('stops on medcomm stop, and a later command starts it again', { timeout: 180_000 }, async () => {
    const home = homeFor('stop');
    const env = { MEDCOMM_NO_DAEMON: '0' };
    await medcomm(home, ['import', tiny, '--as', 'office1'], env);
    const running = processes(home);
    expect(isAlive(running.daemon!)).toBe(true);

    const stopped = await medcomm(home, ['stop'], env);
    expect(stopped.stdout).toContain('Stopped');
    expect(isAlive(running.daemon!)).toBe(false);
    expect(await until(() => !isAlive(running.server!), 30_000)).toBe(true);
    expect((await medcomm(home, ['stop'], env)).stdout).toContain('No database running');

    const { stdout } = await medcomm(home, ['status'], env);
    expect(stdout).toContain('v1');
    const again = processes(home);
    expect(again.daemon).not.toBe(running.daemon);
    await medcomm(home, ['stop'], env);
    expect(await until(() => !isAlive(again.daemon!) && !isAlive(again.server!), 30_000)).toBe(true);
  });

  it('serves two commands started at once on a cold folder from one daemon', {
    timeout: 240_000,
  }, async () => {
    const home = homeFor('together');
    const env = { MEDCOMM_NO_DAEMON: '0' };
    await medcomm(home, ['import', tiny, '--as', 'office1'], env);
    await medcomm(home, ['stop'], env);
    // Each starts the daemon before loading its modules; one of the two finds the folder taken and waits.
    const [a, b] = await Promise.all([medcomm(home, ['status'], env), medcomm(home, ['status'], env)]);
    expect(a.stdout).toContain('v1');
    expect(b.stdout).toContain('v1');
    const running = processes(home);
    expect(isAlive(running.daemon!)).toBe(true);
    const log = readFileSync(join(home, 'daemon.log'), 'utf8');
    expect(
      log
        .split('stopping (medcomm stop)')
        .at(-1)!
        .match(/serving/g),
    ).toHaveLength(1);
    await medcomm(home, ['stop'], env);
    expect(await until(() => !isAlive(running.daemon!) && !isAlive(running.server!), 30_000)).toBe(true);
  });

  it('is not used with MEDCOMM_NO_DAEMON=1: the command stops its own server', {
    timeout: 120_000,
  }, async () => {
    const home = homeFor('none');
    await medcomm(home, ['import', tiny, '--as', 'office1'], { MEDCOMM_NO_DAEMON: '1' });
    expect(existsSync(join(home, 'daemon.json'))).toBe(false);
    expect(existsSync(join(home, 'dynamodb', LOCK_FILE_NAME))).toBe(false);
  });
});
