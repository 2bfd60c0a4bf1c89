/**
 * The command line as a user feels it (issue 17): the start of `medcomm --help`, `medcomm status` with
 * the database warm (its daemon running) and cold (the first command after it stopped), and an export of
 * the county's annual sheet with the database warm — each the median of 5 runs after a warm-up, wall
 * and CPU (user + system, from /usr/bin/time), beside a bare `node -e 0` measured in the same run.
 *
 *   node bin/run-ts.mjs bench/cli.ts [--out FILE]     (npm run bench runs it too; `npm run bench -- --cli` alone)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shebangFlags } from '../bin/node-flags.mjs';
import { type CliBenchResult, type CliBenchRow, cliTable } from './lib/cli-report.js';
import { argValue } from './lib/scales.js';

const MEDCOMM = fileURLToPath(new URL('../bin/medcomm.mjs', import.meta.url));
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const RUNS = 5;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

function once(command: string[], env: NodeJS.ProcessEnv, cwd: string): { wallMs: number; cpuMs?: number } {
  const timeFile = join(cwd, 'time.txt');
  const [program, args] = TIME
    ? [TIME, ['-o', timeFile, '-f', '%U %S', ...command]]
    : [command[0]!, command.slice(1)];
  const started = performance.now();
  const result = spawnSync(program, args, {
    cwd,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  const wallMs = performance.now() - started;
  if (result.status !== 0)
    throw new Error(`${command.join(' ')} failed (${result.status}): ${result.stderr}`);
  if (!TIME) return { wallMs };
  const [user, system] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
  return { wallMs, cpuMs: ((user ?? 0) + (system ?? 0)) * 1000 };
}

/**
 * CPU (user + system) so far of the folder's database daemon and its children (the relay, java): a cold
 * command's start is mostly theirs, and /usr/bin/time does not see it (the daemon is detached). Linux only.
 */
function daemonCpuMs(home: string): number | undefined {
  try {
    const { pid } = JSON.parse(readFileSync(join(home, 'daemon.json'), 'utf8')) as { pid: number };
    const processes = new Map<number, { parent: number; cpuMs: number }>();
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const fields = readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1]!.split(' ');
        // Fields after the name: state, ppid, …, utime (12th), stime (13th) in clock ticks (100 per second).
        processes.set(Number(name), {
          parent: Number(fields[1]),
          cpuMs: (Number(fields[11]) + Number(fields[12])) * 10,
        });
      } catch {
        // Gone meanwhile.
      }
    }
    let total = 0;
    const todo = [pid];
    while (todo.length > 0) {
      const next = todo.pop()!;
      total += processes.get(next)?.cpuMs ?? 0;
      for (const [child, p] of processes) if (p.parent === next) todo.push(child);
    }
    return total;
  } catch {
    return undefined;
  }
}

/** A warm-up (or `before` each run: what makes it cold), then the median of RUNS. */
function measure(
  command: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  before?: () => void,
  after?: () => void,
): { wallMs: number; cpuMs?: number } {
  before?.();
  once(command, env, cwd);
  const samples: { wallMs: number; cpuMs?: number }[] = [];
  for (let i = 0; i < RUNS; i++) {
    before?.();
    samples.push(once(command, env, cwd));
    after?.();
  }
  const cpu = samples.map((s) => s.cpuMs).filter((c): c is number => c !== undefined);
  return {
    wallMs: median(samples.map((s) => s.wallMs)),
    ...(cpu.length === samples.length ? { cpuMs: median(cpu) } : {}),
  };
}

export function benchCli(log: (line: string) => void = console.log): CliBenchResult {
  const work = mkdtempSync(join(tmpdir(), 'medcomm-bench-cli-'));
  const home = join(work, 'home');
  // The warm database is the default outside tests and CI: turn it on explicitly for the bench.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MEDCOMM_NO_DAEMON: '0',
    MEDCOMM_DAEMON_IDLE: '900',
    MEDCOMM_HOME: home,
  };
  // As `npx medcomm` runs it: with its shebang's flags (read once, not before every run).
  const flags = shebangFlags();
  const medcomm = (...args: string[]) => [process.execPath, ...flags, MEDCOMM, ...args];
  const stop = () => once(medcomm('stop'), env, work);
  try {
    log('  a county and its whole year (setup, not timed)…');
    once(medcomm('generate', '--out', join(work, 'county')), env, work);
    once(
      medcomm(
        'year',
        '--data',
        join(work, 'county'),
        '--out',
        join(work, 'out'),
        '--as',
        'office1',
        '--approve-as',
        'finance1',
        '--no-reports',
      ),
      env,
      work,
    );
    const node = measure([process.execPath, '-e', '0'], env, work);
    const rows: CliBenchRow[] = [];
    const row = (
      what: string,
      m: { wallMs: number; cpuMs?: number },
      targetMs: number,
      ratioTarget?: number,
    ) => {
      const ratio = m.wallMs / node.wallMs;
      const met = m.wallMs <= targetMs && (ratioTarget === undefined || ratio <= ratioTarget);
      rows.push({
        what,
        wallMs: Math.round(m.wallMs),
        cpuMs: m.cpuMs === undefined ? undefined : Math.round(m.cpuMs),
        ratio: Math.round(ratio * 10) / 10,
        target: `≤ ${targetMs / 1000} s${ratioTarget ? `, ≤ ${ratioTarget} × node` : ''}`,
        met,
      });
      log(`  ${what}: ${(m.wallMs / 1000).toFixed(2)} s wall, ${ratio.toFixed(1)} × node`);
    };
    row('medcomm --help', measure(medcomm('--help'), env, work), 300, 5);
    row('medcomm status, database warm', measure(medcomm('status'), env, work), 800);
    row(
      'medcomm export sheet annual (county), database warm',
      measure(medcomm('export', 'sheet', 'annual', '2026', '--out', join(work, 'annual.csv')), env, work),
      1500,
    );
    const daemonCpu: number[] = [];
    const cold = measure(medcomm('status'), env, work, stop, () => {
      const cpu = daemonCpuMs(home);
      if (cpu !== undefined) daemonCpu.push(cpu);
    });
    row('medcomm status, database cold', cold, 2500);
    if (daemonCpu.length === RUNS)
      log(
        `  (the database daemon, relay and java it started: ${(median(daemonCpu) / 1000).toFixed(2)} s CPU)`,
      );
    return { runs: RUNS, nodeWallMs: Math.round(node.wallMs), nodeCpuMs: node.cpuMs, rows };
  } finally {
    try {
      stop();
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
}

// Run as a script (through bin/run-ts.mjs, as every bench child); run.ts imports only lib/cli-report.ts.
const result = benchCli();
const out = argValue('--out');
if (out) writeFileSync(out, JSON.stringify(result));
else console.log(cliTable(result));
