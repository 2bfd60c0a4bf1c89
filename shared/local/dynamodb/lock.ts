/**
 * One DynamoDB Local per data folder: the server expects to own its sqlite file, and two servers on
 * one folder would race on it. A second start on a folder in use fails and names the owner.
 */
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE_NAME = 'medcomm-dynamodb.lock';

export interface LockInfo {
  /** The Node process that started the server. */
  ownerPid: number;
  /** The java process, once spawned. */
  serverPid?: number;
  endpoint?: string;
  startedAt: string;
}

export class DataDirLock {
  readonly path: string;
  private info: LockInfo;
  private held = true;

  private constructor(path: string, info: LockInfo) {
    this.path = path;
    this.info = info;
  }

  /** Takes the folder's lock, replacing a stale one (its processes are gone); throws if it is in use. */
  static acquire(dataDir: string): DataDirLock {
    const path = join(dataDir, LOCK_FILE_NAME);
    const info: LockInfo = { ownerPid: process.pid, startedAt: new Date().toISOString() };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        writeFileSync(path, JSON.stringify(info), { flag: 'wx' });
        return new DataDirLock(path, info);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const owner = readLock(path);
      if (owner === 'gone') continue;
      if (owner === 'unreadable' || isLive(owner)) {
        const who =
          owner === 'unreadable'
            ? 'another process (its lock file is being written)'
            : `process ${owner.serverPid ?? owner.ownerPid}` +
              (owner.serverPid === undefined ? '' : ` (DynamoDB Local, started by pid ${owner.ownerPid}`) +
              (owner.endpoint ? ` at ${owner.endpoint}` : '') +
              (owner.serverPid === undefined ? '' : ')');
        throw new Error(
          `DynamoDB Local data folder ${dataDir} is already in use by ${who}. ` +
            `Stop that process, or use another data folder. (Lock file: ${path})`,
        );
      }
      rmSync(path, { force: true });
    }
    throw new Error(`Could not take the lock ${path}: other processes keep replacing it.`);
  }

  update(fields: Partial<Pick<LockInfo, 'serverPid' | 'endpoint'>>): void {
    if (!this.held) return;
    this.info = { ...this.info, ...fields };
    writeFileSync(this.path, JSON.stringify(this.info));
  }

  /** Removes the lock file if it is still ours; synchronous so exit handlers can call it. */
  release(): void {
    if (!this.held) return;
    this.held = false;
    const current = readLock(this.path);
    if (
      typeof current === 'object' &&
      current.ownerPid === this.info.ownerPid &&
      current.startedAt === this.info.startedAt
    ) {
      rmSync(this.path, { force: true });
    }
  }
}

function readLock(path: string): LockInfo | 'gone' | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as LockInfo;
    if (typeof parsed.ownerPid === 'number') return parsed;
  } catch {
    // Fall through: empty or half-written.
  }
  // A lock another process has just created but not yet written; an old unreadable one is garbage.
  try {
    return Date.now() - statSync(path).mtimeMs < 5_000 ? 'unreadable' : { ownerPid: 0, startedAt: '' };
  } catch {
    return 'gone';
  }
}

/**
 * The folder is in use while its server runs, or while the owner is still starting one. A pid that was
 * reused by an unrelated program must not count, so on Linux the server pid must be a DynamoDB Local.
 */
function isLive(info: LockInfo): boolean {
  if (info.serverPid !== undefined) return isDynamoDbLocalProcess(info.serverPid);
  return info.ownerPid > 0 && isAlive(info.ownerPid);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/**
 * Linux: a process that has exited but that its parent has not reaped yet. A daemon whose command has
 * ended is reaped by init, which may take a second or two (a container's init longer): it has stopped.
 */
function isZombie(pid: number): boolean {
  if (process.platform !== 'linux') return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) state …: comm may hold spaces and parentheses, so the state follows the last ')'.
    return stat[stat.lastIndexOf(')') + 2] === 'Z';
  } catch {
    return false;
  }
}

function isDynamoDbLocalProcess(pid: number): boolean {
  if (!isAlive(pid)) return false;
  if (process.platform !== 'linux') return true;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('DynamoDBLocal');
  } catch {
    return false;
  }
}
