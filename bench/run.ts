/**
 * `npm run bench`: measures import, the cycles and a whole year at the scales the targets are stated for,
 * on the embedded default (a fresh in-memory DynamoDB Local per scale, the synthesized state machines in
 * the local interpreter), compares every step with its storage floor, prices the measured units on AWS,
 * prints the tables and writes bench/results.json. A script, not a test: timings on shared machines
 * are evidence to read, not assertions to fail on.
 *
 *   npm run bench                       county and city, plus the county's whole year and the domain micro-bench
 *   npm run bench -- --scale county     one scale (county also gets the whole-year run)
 *   npm run bench -- --quick            smoke run: county, import + three months + Q1 (bench/results-quick.json)
 *   npm run bench -- --price-only       price bench/results.json again with the current prices.json
 *   npm run bench -- --cli              only the command line's start-up table (bench/cli.ts), printed
 *   npm run bench -- --out FILE         write the results elsewhere
 *   npm run bench -- --max-old-space MB run the children with node --max-old-space-size=MB instead of the
 *                                       CLI's own cap (to measure another cap before adopting it in bin/medcomm.mjs)
 *
 * Each measurement runs in its own Node process so that memory peaks and the store's process-wide tally
 * belong to one scale only.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RUNTIME_V8_FLAGS, shebangFlags } from '../bin/node-flags.mjs';
import { loadPrices } from './cost.js';
import type { DomainResult } from './domain.js';
import { type CliBenchResult, cliTable } from './lib/cli-report.js';
import {
  awsTable,
  costsTable,
  markdown,
  type Results,
  scaleCosts,
  stepsTable,
  targets,
  targetsTable,
} from './lib/report.js';
import { argValue, type ScaleName } from './lib/scales.js';
import type { ScaleResult } from './scale.js';
import type { SimulationBenchResult } from './simulate.js';
import type { WholeYearResult } from './whole-year.js';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const RUN_TS = here('../bin/run-ts.mjs');
/** Each child gets this long; a hung child must not hang the bench. */
const CHILD_TIMEOUT_MS = 12 * 60_000;

const quick = process.argv.includes('--quick');
const priceOnly = process.argv.includes('--price-only');
const cliOnly = process.argv.includes('--cli');
const scaleArg = argValue('--scale') ?? (quick ? 'county' : 'both');
if (!['county', 'city', 'both', 'province'].includes(scaleArg))
  throw new Error(`--scale must be county, city, both or province, got ${scaleArg}`);
/** `--scale province`: its import and one monthly cycle, nothing else (no simulation, domain or CLI runs). */
const provinceOnly = scaleArg === 'province';
const scales: ScaleName[] = scaleArg === 'both' ? ['county', 'city'] : [scaleArg as ScaleName];
const outFile = argValue('--out') ?? here(quick ? './results-quick.json' : './results.json');
const maxOldSpace = argValue('--max-old-space');
if (maxOldSpace !== undefined && !/^\d+$/.test(maxOldSpace))
  throw new Error(`--max-old-space takes megabytes, got ${maxOldSpace}`);
/**
 * The children run with `medcomm`'s own Node and V8 settings (bin/node-flags.mjs: its heap's start-up
 * flags, and what it sets as it starts): the bench measures the product as it runs. `--max-old-space`
 * replaces the heap cap only.
 */
const nodeArgs = [
  ...shebangFlags().filter((flag) => maxOldSpace === undefined || !flag.startsWith('--max-old-space-size=')),
  ...(maxOldSpace !== undefined ? [`--max-old-space-size=${maxOldSpace}`] : []),
  ...RUNTIME_V8_FLAGS,
];

function runChild<T>(script: string, args: string[]): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'medcomm-bench-'));
  const out = join(dir, 'result.json');
  return new Promise<T>((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, RUN_TS, here(script), ...args, '--out', out], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const timer = setTimeout(() => {
      process.stderr.write(`  ${script} ran over ${CHILD_TIMEOUT_MS / 60_000} min: stopping it\n`);
      child.kill('SIGTERM');
    }, CHILD_TIMEOUT_MS);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      try {
        if (code !== 0) throw new Error(`${script} ${args.join(' ')} exited with ${code ?? signal}`);
        resolve(JSON.parse(readFileSync(out, 'utf8')) as T);
      } catch (error) {
        reject(error);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

function machine(): Results['machine'] {
  const list = cpus();
  return {
    cpus: list.length,
    model: list[0]?.model.trim() ?? 'unknown',
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    totalMemoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    loadAverageAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
    date: new Date().toISOString(),
  };
}

function price(results: Results): void {
  const prices = loadPrices();
  results.prices = {
    region: prices.region,
    pricesAsOf: prices.pricesAsOf,
    cnyPerUsd: prices.exchangeRate.cnyPerUsd,
    exchangeRateAsOf: prices.exchangeRate.asOf,
  };
  results.costs = {};
  for (const [scale, r] of Object.entries(results.scales) as [ScaleName, ScaleResult][])
    results.costs[scale] = scaleCosts(r, prices);
  results.targets = targets(results);
}

function print(results: Results): void {
  const m = results.machine;
  console.log(
    `\nMachine: ${m.cpus} × ${m.model}, Node ${m.node}, ${m.date}; load average at start ${m.loadAverageAtStart.join(' ')}${m.loadAverageAtEnd ? `, at end ${m.loadAverageAtEnd.join(' ')}` : ''}`,
  );
  for (const [scale, r] of Object.entries(results.scales)) {
    if (!r) continue;
    console.log(
      `\n${scale}: ${r.staff} staff, ${r.institutions} institutions — generate ${(r.generateMs / 1000).toFixed(1)} s, start ${(r.startMs / 1000).toFixed(1)} s, warm-up ${((r.warmUpMs ?? 0) / 1000).toFixed(1)} s`,
    );
    console.log(stepsTable(r.steps));
    if (r.steps.some((s) => s.aws)) {
      console.log(
        '\nPredicted on AWS (bench/lib/predict.ts: per-key 1,000 WCU/s and 3,000 RCU/s, Lambda and Step Functions overheads):',
      );
      console.log(awsTable(r.steps));
    }
    const costs = results.costs?.[scale as ScaleName];
    if (costs) {
      console.log(
        `\nAWS cost (${results.prices?.region} prices of ${results.prices?.pricesAsOf}, ¥${results.prices?.cnyPerUsd}/$; breakdown in USD):`,
      );
      console.log(costsTable(costs));
    }
  }
  if (results.wholeYear) {
    const w = results.wholeYear;
    console.log(
      `\n${w.scale} whole year end to end: ${(w.totalMs / 1000).toFixed(1)} s (${Object.entries(w.phasesMs)
        .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`)
        .join(', ')}), RSS ≤ ${w.maxRssMb} MB`,
    );
  }
  const simulations = (results as { simulation?: Record<string, SimulationBenchResult> }).simulation;
  for (const s of Object.values(simulations ?? {})) {
    console.log(
      `\n${s.scale} simulation (模拟测算) of a year, ${s.periods} periods, ${s.staff} staff (actual figures ${s.actual}): ` +
        `${(s.totalMs / 1000).toFixed(1)} s (simulate ${(s.simulateMs / 1000).toFixed(1)} s, write ${(s.writeMs / 1000).toFixed(1)} s), ` +
        `target ≤ ${s.targetMs / 1000} s: ${s.totalMs <= s.targetMs ? 'met' : 'MISSED'}; RSS ≤ ${s.maxRssMb} MB`,
    );
  }
  const cli = (results as { cli?: CliBenchResult }).cli;
  if (cli) {
    console.log('\nCommand line (issue 17):');
    console.log(cliTable(cli));
  }
  if (results.targets) {
    console.log('\nTargets:');
    console.log(targetsTable(results.targets));
  }
  console.log(`\nWritten to ${outFile}. Markdown for bench/README.md:\n`);
  console.log(markdown(results));
}

if (cliOnly) {
  console.log('Command line: each command 5 times after a warm-up, beside a bare node -e 0');
  console.log(cliTable(await runChild<CliBenchResult>('./cli.ts', [])));
} else if (priceOnly) {
  const results = JSON.parse(readFileSync(outFile, 'utf8')) as Results;
  price(results);
  writeFileSync(outFile, `${JSON.stringify(results, null, 1)}\n`);
  print(results);
} else {
  const started = performance.now();
  const results: Results = { machine: machine(), options: { scales, quick, nodeArgs }, scales: {} };
  console.log(
    `Bench: ${scales.join(' + ')}${quick ? ' (quick)' : ''} on ${results.machine.cpus} × ${results.machine.model}, load average ${results.machine.loadAverageAtStart.join(' ')}`,
  );
  for (const scale of scales) {
    console.log(
      `\n${scale}: each step once on a fresh in-memory DynamoDB Local, each followed by its storage floor`,
    );
    results.scales[scale] = await runChild<ScaleResult>('./scale.ts', [
      '--scale',
      scale,
      ...(quick ? ['--quick'] : []),
    ]);
    if (scale === 'county' && !quick) {
      console.log('\ncounty: the whole year end to end in a fresh process');
      results.wholeYear = await runChild<WholeYearResult>('./whole-year.ts', ['--scale', 'county']);
    }
  }
  // 模拟测算 of a year at each scale, in its own process (issue 15: county ≤ 5 s, city ≤ 60 s).
  const simulation: Record<string, SimulationBenchResult> = {};
  for (const scale of scales) {
    if (quick || provinceOnly) break;
    console.log(`\n${scale}: a draft scheme simulated over the year`);
    simulation[scale] = await runChild<SimulationBenchResult>('./simulate.ts', ['--scale', scale]);
  }
  if (Object.keys(simulation).length > 0)
    (results as { simulation?: typeof simulation }).simulation = simulation;
  // The domain core is measured at the city's 35,000 people (the county's on a quick run).
  const domainScale: ScaleName = quick ? 'county' : 'city';
  if (!provinceOnly) {
    console.log(`\n${domainScale}: the domain core alone, in memory`);
    results.domain = await runChild<DomainResult>('./domain.ts', ['--scale', domainScale]);
  }
  if (!quick && !provinceOnly) {
    console.log('\ncommand line: start-up of --help, status (warm and cold) and an annual export');
    (results as { cli?: CliBenchResult }).cli = await runChild<CliBenchResult>('./cli.ts', []);
  }
  results.machine.loadAverageAtEnd = loadavg().map((x) => Math.round(x * 100) / 100);
  results.durationMs = Math.round(performance.now() - started);
  price(results);
  writeFileSync(outFile, `${JSON.stringify(results, null, 1)}\n`);
  print(results);
  console.log(`\nBench took ${(results.durationMs / 60_000).toFixed(1)} min.`);
}
