/**
 * What the bench records for one step: wall time, the store's tally (items, bytes, capacity units),
 * what the workflows did (state transitions, Lambda invocations and their durations, the largest state
 * payload) and memory — Node's RSS and heap sampled every 50 ms, plus DynamoDB Local's RSS.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { FunctionId } from '../../functions/registry.js';
import type { TaskHandler } from '../../shared/local/asl/engine.js';
import type { ExecutionReport, LocalWorkflowOptions } from '../../shared/local/workflows.js';
import { resetMetrics, type StoreMetrics } from '../../shared/store/store.js';
import type { AwsPrediction } from './predict.js';

/** Invocations of one function and their durations, as Lambda bills them (each rounded up to 1 ms). */
export interface FunctionUse {
  invocations: number;
  totalMs: number;
  billedMs: number;
}

export interface MemoryPeaks {
  /** Peak resident set of this Node process, sampled every 50 ms (and at the step's start and end). */
  rssMb: number;
  heapUsedMb: number;
  /** Memory outside the JS heap (Buffers, strings' backing stores held by native code, WebAssembly). */
  externalMb: number;
  /** Peak resident set of the DynamoDB Local (java) process, when one is our child. */
  dynamoDbRssMb: number | null;
}

export interface StepRecord {
  name: string;
  /** How many cycles the step ran (a monthly step 1, "Feb–Dec" 11, an import 0). */
  cycles: number;
  wallMs: number;
  store: StoreMetrics;
  executions: number;
  outcomes: Record<string, number>;
  /** StateEntered events, nested Map iterations included — what Step Functions Standard bills. */
  stateEntries: number;
  /** Handler calls measured by wrapping the handlers (a resumed review state is not a new call). */
  lambdaInvocations: number;
  lambda: Partial<Record<FunctionId, FunctionUse>>;
  largestPayloadBytes: number;
  memory: MemoryPeaks;
  /**
   * CPU time spent during the step by this Node process and by DynamoDB Local. On a loaded machine the
   * wall time stretches but these do not: on an idle 2-core machine the step would take about
   * max(node, (node + dynamoDb) / 2) if both kept busy.
   */
  cpuMs: {
    node: number;
    dynamoDb: number | null;
    /**
     * Of `node`, what the main thread used (Linux: /proc/self/task/{pid}/stat); the rest ran off it — the
     * parse worker, V8's GC helpers, libuv's pool — beside it. Null where it cannot be read (then the AWS
     * model puts all of `node` on the main thread).
     */
    nodeMainThread?: number | null;
  };
  /** Time Node spent in garbage-collection pauses during the step. */
  gcMs: number;
  /** Filled in by the floor measurement. */
  floorMs?: number;
  /** Filled in by the read floor: BatchGet of as many items of the step's average read size (lib/floor.ts). */
  readFloorMs?: number;
  /** The same two floors with items of `x`s, as measured before they held JSON text (lib/floor.ts). */
  plainFloorMs?: number;
  plainReadFloorMs?: number;
  /** The AWS time the throughput model predicts for the step (lib/predict.ts). */
  aws?: AwsPrediction;
  /** Extra per-step detail (e.g. each month's wall time inside "Feb–Dec"). */
  detail?: Record<string, unknown>;
}

const MB = 1024 * 1024;

/** Child processes of `pid` (Linux /proc; empty elsewhere). */
function childPids(pid: number): number[] {
  try {
    const pids: number[] = [];
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (text) pids.push(...text.split(/\s+/).map(Number));
    }
    return pids;
  } catch {
    return [];
  }
}

function rssOfPid(pid: number): number | null {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/**
 * The DynamoDB Local process among this process's children: java itself, or — where it runs in a network
 * namespace of its own behind a relay (shared/local/dynamodb/relay.mjs, whose command line names java too)
 * — the java process under the relay. `tree` is every process of it (relay and java), whose CPU is the
 * database's share of the machine.
 */
function dynamoDbProcess(): { java: number; isJava: boolean; tree: number[] } | undefined {
  const top = childPids(process.pid).find((pid) => /DynamoDBLocal|java/.test(commandOf(pid)));
  if (top === undefined) return undefined;
  const tree = [top];
  for (let i = 0; i < tree.length; i++) tree.push(...childPids(tree[i]!));
  const isJava = (pid: number) => /(^|\/)java$/.test(commandOf(pid).split(' ')[0] ?? '');
  const java = tree.find(isJava);
  return { java: java ?? top, isJava: java !== undefined, tree };
}

/** User + system CPU time of a process so far, in ms (its own threads; 100 clock ticks a second on Linux). */
function cpuMsOf(pid: number, path = `/proc/${pid}/stat`): number | null {
  try {
    // Fields after the command name (which is in parentheses and may hold spaces): utime is the 14th
    // field of the line, stime the 15th.
    const stat = readFileSync(path, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/**
 * User + system CPU of this process's main thread so far, in ms (its task has the process's id; 10 ms clock
 * ticks), or null where /proc cannot be read. `process.cpuUsage()` counts every thread of the process.
 */
export function mainThreadCpuMs(): number | null {
  return cpuMsOf(process.pid, `/proc/self/task/${process.pid}/stat`);
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** Samples memory every 50 ms; `begin()` starts a new peak window, `peaks()` reads it. */
export class MemorySampler {
  private timer: NodeJS.Timeout | undefined;
  private window = { rss: 0, heapUsed: 0, external: 0, java: 0 };
  private javaPid: number | undefined;
  /** The database's processes: java and, where there is one, the relay in front of it. */
  private dbPids: number[] = [];
  /** Whether `javaPid` is java itself (not a relay that has not started it yet). */
  private javaFound = false;
  /** Peaks over the sampler's whole life. */
  readonly lifetime = { rss: 0, heapUsed: 0, external: 0, java: 0 };

  start(intervalMs = 50): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  begin(): void {
    this.window = { rss: 0, heapUsed: 0, external: 0, java: 0 };
    this.sample();
  }

  peaks(): MemoryPeaks {
    this.sample();
    return {
      rssMb: round1(this.window.rss / MB),
      heapUsedMb: round1(this.window.heapUsed / MB),
      externalMb: round1(this.window.external / MB),
      dynamoDbRssMb: this.window.java > 0 ? round1(this.window.java / MB) : null,
    };
  }

  lifetimePeaks(): MemoryPeaks {
    return {
      rssMb: round1(this.lifetime.rss / MB),
      heapUsedMb: round1(this.lifetime.heapUsed / MB),
      externalMb: round1(this.lifetime.external / MB),
      dynamoDbRssMb: this.lifetime.java > 0 ? round1(this.lifetime.java / MB) : null,
    };
  }

  /**
   * User + system CPU time of DynamoDB Local so far (java and the relay in front of it), or null when there
   * is none to read.
   */
  dynamoDbCpuMs(): number | null {
    this.javaRss();
    if (this.javaPid === undefined) return null;
    let total = 0;
    for (const pid of this.dbPids) {
      const ms = cpuMsOf(pid);
      if (ms === null) return null;
      total += ms;
    }
    return total;
  }

  private sample(): void {
    const m = process.memoryUsage();
    const java = this.javaRss();
    for (const peaks of [this.window, this.lifetime]) {
      peaks.rss = Math.max(peaks.rss, m.rss);
      peaks.heapUsed = Math.max(peaks.heapUsed, m.heapUsed);
      peaks.external = Math.max(peaks.external, m.external);
      peaks.java = Math.max(peaks.java, java);
    }
  }

  private javaRss(): number {
    // Kept once java itself is found; a relay found before it has started java is looked under again.
    if (this.javaPid !== undefined && this.javaFound) {
      const rss = rssOfPid(this.javaPid);
      if (rss !== null) return rss;
    }
    const db = dynamoDbProcess();
    this.javaPid = db?.java;
    this.javaFound = db?.isJava ?? false;
    this.dbPids = db?.tree ?? [];
    return this.javaPid === undefined ? 0 : (rssOfPid(this.javaPid) ?? 0);
  }
}

export const round1 = (x: number) => Math.round(x * 10) / 10;

/**
 * Collects a step's numbers. Pass `workflowOptions()` to openLocalRuntime so executions and handler
 * calls are counted; wrap each step in `step()`.
 */
export class StepRecorder {
  readonly steps: StepRecord[] = [];
  private gcMs = 0;
  private readonly gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) this.gcMs += entry.duration;
  });
  private executions: ExecutionReport[] = [];
  private lambda: Partial<Record<FunctionId, FunctionUse>> = {};

  constructor(
    readonly memory: MemorySampler,
    private readonly onStepDone?: (step: StepRecord) => void,
  ) {
    this.gcObserver.observe({ entryTypes: ['gc'] });
  }

  /** Node CPU and GC time so far, for finer detail inside a step. */
  usage(): { cpuMs: number; gcMs: number } {
    const cpu = process.cpuUsage();
    return { cpuMs: (cpu.user + cpu.system) / 1000, gcMs: this.gcMs };
  }

  workflowOptions(): LocalWorkflowOptions {
    return {
      onExecution: (report) => this.executions.push(report),
      wrapHandler: (id: FunctionId, handler: TaskHandler): TaskHandler => {
        return async (event) => {
          const started = performance.now();
          try {
            return await handler(event);
          } finally {
            const ms = performance.now() - started;
            const use = this.lambda[id] ?? { invocations: 0, totalMs: 0, billedMs: 0 };
            this.lambda[id] = use;
            use.invocations++;
            use.totalMs += ms;
            use.billedMs += Math.max(1, Math.ceil(ms));
          }
        };
      },
    };
  }

  /** Runs `fn` as one measured step. Failed executions make the step throw: a bench of a broken run is no bench. */
  async step<T>(
    name: string,
    cycles: number,
    fn: () => Promise<T>,
  ): Promise<{ record: StepRecord; value: T }> {
    resetMetrics();
    this.executions = [];
    this.lambda = {};
    this.memory.begin();
    const javaCpu = this.memory.dynamoDbCpuMs();
    const nodeCpu = process.cpuUsage();
    const mainCpu = mainThreadCpuMs();
    const gcBefore = this.gcMs;
    const started = performance.now();
    const value = await fn();
    const wallMs = performance.now() - started;
    const nodeUsed = process.cpuUsage(nodeCpu);
    const mainCpuAfter = mainThreadCpuMs();
    const javaCpuAfter = this.memory.dynamoDbCpuMs();
    const store = resetMetrics();
    const failed = this.executions.filter((e) => e.outcome === 'failed');
    if (failed.length > 0)
      throw new Error(
        `${name}: ${failed.length} execution(s) failed: ${failed.map((e) => e.error).join('; ')}`,
      );
    const outcomes: Record<string, number> = {};
    for (const e of this.executions) outcomes[e.outcome] = (outcomes[e.outcome] ?? 0) + 1;
    const record: StepRecord = {
      name,
      cycles,
      wallMs: Math.round(wallMs),
      store,
      executions: this.executions.length,
      outcomes,
      stateEntries: this.executions.reduce((a, e) => a + e.stateEntries, 0),
      lambdaInvocations: Object.values(this.lambda).reduce((a, u) => a + (u?.invocations ?? 0), 0),
      lambda: roundUses(this.lambda),
      largestPayloadBytes: this.executions.reduce((a, e) => Math.max(a, e.largestPayloadBytes), 0),
      memory: this.memory.peaks(),
      cpuMs: {
        node: Math.round((nodeUsed.user + nodeUsed.system) / 1000),
        dynamoDb: javaCpu === null || javaCpuAfter === null ? null : javaCpuAfter - javaCpu,
        nodeMainThread: mainCpu === null || mainCpuAfter === null ? null : mainCpuAfter - mainCpu,
      },
      gcMs: Math.round(this.gcMs - gcBefore),
    };
    this.steps.push(record);
    this.onStepDone?.(record);
    return { record, value };
  }
}

function roundUses(uses: Partial<Record<FunctionId, FunctionUse>>): Partial<Record<FunctionId, FunctionUse>> {
  const out: Partial<Record<FunctionId, FunctionUse>> = {};
  for (const [id, use] of Object.entries(uses) as [FunctionId, FunctionUse][]) {
    out[id] = { invocations: use.invocations, totalMs: Math.round(use.totalMs), billedMs: use.billedMs };
  }
  return out;
}
