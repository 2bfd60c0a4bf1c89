import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { findSetpriv } from '../../../shared/local/dynamodb/java.js';
import { isAlive } from '../../../shared/local/dynamodb/lock.js';
import { startDynamoDbLocal, withDynamoDbLocal } from '../../../shared/local/dynamodb-local.js';
import { createDynamoClients } from '../../../shared/store/client.js';
import { ensureTable } from '../../../shared/store/table.js';
import { dynamoEndpoint } from './helpers.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'medcomm-ddb-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** DynamoDB Local's SQLite library as its JVM unpacks it (`sqlite-<version>-<uuid>-libsqlite4java.so`). */
const sqliteLibraries = (dir: string) =>
  readdirSync(dir).filter((name) => name.endsWith('libsqlite4java.so'));

/** Waits up to `ms` for a process to disappear (a JVM takes a moment to shut down after SIGTERM). */
async function gone(pid: number, ms = 15_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return !isAlive(pid);
}

describe('DynamoDB Local lifecycle', () => {
  it('keeps data in a dataDir across stop and start, and always stops the server, even when the work throws', async () => {
    const dataDir = tempDir();
    let firstPid = 0;

    await withDynamoDbLocal({ dataDir }, async (endpoint, server) => {
      firstPid = server.pid;
      const { client, doc } = createDynamoClients({ endpoint });
      await ensureTable(client, 'medcomm');
      await doc.send(new PutCommand({ TableName: 'medcomm', Item: { pk: 'KEEP', sk: 'me', value: 42 } }));

      // One server per folder: a second start fails and names the running one.
      await expect(startDynamoDbLocal({ dataDir })).rejects.toThrow(
        new RegExp(`already in use by process ${server.pid}`),
      );
      client.destroy();
    });
    // stop() waits for exit: process.kill(pid, 0) throws ESRCH once the pid is gone.
    expect(() => process.kill(firstPid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    expect(() => readFileSync(join(dataDir, 'medcomm-dynamodb.lock'))).toThrow(/ENOENT/);

    let secondPid = 0;
    const run = withDynamoDbLocal({ dataDir }, async (endpoint, server) => {
      secondPid = server.pid;
      const { client, doc } = createDynamoClients({ endpoint });
      const { Item } = await doc.send(
        new GetCommand({ TableName: 'medcomm', Key: { pk: 'KEEP', sk: 'me' } }),
      );
      expect(Item).toEqual({ pk: 'KEEP', sk: 'me', value: 42 });
      expect((await ensureTable(client, 'medcomm')).created).toBe(false);
      client.destroy();
      throw new Error('boom');
    });

    await expect(run).rejects.toThrow('boom');
    expect(secondPid).not.toBe(firstPid);
    expect(() => process.kill(secondPid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    expect(() => readFileSync(join(dataDir, 'medcomm-dynamodb.lock'))).toThrow(/ENOENT/);
  });

  it("keeps the JVM's temporary files out of the system temp directory: in the data folder, emptied at start, gone at stop", async () => {
    const dataDir = tempDir();
    const javaTemp = join(dataDir, 'java-tmp');
    // What a server killed outright left: its unpacked SQLite library.
    mkdirSync(javaTemp);
    writeFileSync(join(javaTemp, 'sqlite-392-old-libsqlite4java.so'), 'x');
    const inTemp = sqliteLibraries(tmpdir());

    await withDynamoDbLocal({ dataDir }, async (endpoint, server) => {
      const { client } = createDynamoClients({ endpoint });
      await ensureTable(client, 'medcomm'); // the library is unpacked when the database is first opened
      client.destroy();
      const unpacked = sqliteLibraries(javaTemp);
      expect(unpacked).toHaveLength(1);
      expect(unpacked[0]).not.toBe('sqlite-392-old-libsqlite4java.so');
      expect(sqliteLibraries(tmpdir())).toEqual(inTemp);
      // SQLite's own temporary files (opened and unlinked at once) go there too, not to /var/tmp.
      if (process.platform === 'linux')
        expect(readFileSync(`/proc/${server.pid}/environ`, 'utf8').split('\0')).toContain(
          `SQLITE_TMPDIR=${javaTemp}`,
        );
    });
    expect(existsSync(javaTemp)).toBe(false);
    expect(readdirSync(dataDir)).toEqual(['shared-local-instance.db']);
  });

  it("unpacks an in-memory server's SQLite library into the temp directory Node uses (TMPDIR), and removes it at stop", async () => {
    // The test run's TMPDIR is a folder of its own (test/temp-guard.ts): java's default is /tmp.
    const temp = tempDir();
    const previous = process.env.TMPDIR;
    process.env.TMPDIR = temp;
    try {
      await withDynamoDbLocal({}, async (endpoint) => {
        const { client } = createDynamoClients({ endpoint });
        await ensureTable(client, 'medcomm');
        client.destroy();
        expect(sqliteLibraries(temp)).toHaveLength(1);
      });
    } finally {
      process.env.TMPDIR = previous;
    }
    expect(readdirSync(temp)).toEqual([]);
  });

  it('refuses a port that is already taken, naming the likely culprit', async () => {
    const port = Number(new URL(dynamoEndpoint()).port);
    await expect(startDynamoDbLocal({ port })).rejects.toThrow(
      /Port \d+ is already in use .*pgrep -fa DynamoDBLocal/,
    );
  });

  it('explains how to install Java when it is missing', async () => {
    await expect(startDynamoDbLocal({ javaCommand: '/nonexistent/java' })).rejects.toThrow(
      /Java 17\+ is required: apt-get install -y openjdk-17-jre-headless/,
    );
  });
});

describe('a DynamoDB Local started by another process', () => {
  const fixture = fileURLToPath(new URL('./fixtures/start-server.ts', import.meta.url));

  /** Runs the fixture under tsx and resolves with the java pid once the server is up. */
  function startChild(mode: 'wait' | 'forget', guard: 'all' | 'hooks-only') {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, mode, guard], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const serverPid = new Promise<number>((resolve, reject) => {
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const line = stdout.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve((JSON.parse(line) as { pid: number }).pid);
      });
      child.on('exit', (code) =>
        reject(new Error(`fixture exited (${code}) before the server started:\n${stderr}`)),
      );
    });
    return { child, serverPid, exited };
  }

  // These two turn setpriv off, so they pass only if the exit and signal hooks do their job.
  it('is stopped by the exit hook when that process ends without calling stop()', async () => {
    const { serverPid, exited } = startChild('forget', 'hooks-only');
    const pid = await serverPid;
    await exited;
    expect(await gone(pid)).toBe(true);
  });

  it('is stopped by the signal hook when that process gets SIGTERM', async () => {
    const { child, serverPid, exited } = startChild('wait', 'hooks-only');
    const pid = await serverPid;
    child.kill('SIGTERM');
    await exited;
    expect(await gone(pid)).toBe(true);
  });

  // No hook runs on SIGKILL; only the kernel's parent-death signal (setpriv) can help.
  it.skipIf(findSetpriv() === null)(
    'is stopped when that process is killed with SIGKILL (Linux)',
    async () => {
      const { child, serverPid, exited } = startChild('wait', 'all');
      const pid = await serverPid;
      child.kill('SIGKILL');
      await exited;
      expect(await gone(pid)).toBe(true);
    },
  );
});
