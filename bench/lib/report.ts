/** Turns the children's measurements into costs, the target verdicts and the printed tables. */

import type { CycleKind } from '../../shared/store/keys.js';
import {
  addCosts,
  type Cost,
  lambdaGbSeconds,
  type PriceTable,
  scaleCost,
  stepCost,
  toCny,
  type Units,
  yearCost,
} from '../cost.js';
import type { DomainResult } from '../domain.js';
import type { ScaleResult } from '../scale.js';
import type { WholeYearResult } from '../whole-year.js';
import type { StepRecord } from './measure.js';

export interface Machine {
  cpus: number;
  model: string;
  node: string;
  platform: string;
  totalMemoryGb: number;
  loadAverageAtStart: number[];
  loadAverageAtEnd?: number[];
  date: string;
}

export interface PricedCost {
  usd: number;
  cny: number;
  breakdownUsd: Cost;
}

export interface ScaleCosts {
  import?: PricedCost;
  /** The same files imported again (content already stored). */
  reimport?: PricedCost;
  monthly?: PricedCost;
  monthlyAverageLater?: PricedCost;
  quarterly?: PricedCost;
  annual?: PricedCost;
  year?: PricedCost & { storageGbMonths: number; note: string };
}

export interface Target {
  scale: string;
  target: string;
  limit: string;
  measured: string;
  met: boolean | null;
  note?: string;
}

export interface Results {
  machine: Machine;
  options: { scales: string[]; quick: boolean; nodeArgs?: string[] };
  durationMs?: number;
  scales: Partial<Record<'county' | 'city' | 'province', ScaleResult>>;
  wholeYear?: WholeYearResult;
  domain?: DomainResult;
  prices?: { region: string; pricesAsOf: string; cnyPerUsd: number; exchangeRateAsOf: string };
  costs?: Partial<Record<'county' | 'city' | 'province', ScaleCosts>>;
  targets?: Target[];
}

export const MB = 1024 * 1024;

/**
 * The import of the same files again, right after the first: what the office's monthly import of the
 * year so far costs for the months already stored. It writes only the new version's small parts and
 * indexes, so its floor is a few items and its ratio to it measures parsing, not storage: it is shown,
 * not judged by the ÷floor target.
 */
export const REIMPORT_STEP = 're-import (unchanged)';
const s1 = (ms: number) => (ms / 1000).toFixed(1);
const mb1 = (bytes: number) => (bytes / MB).toFixed(1);

/** The kind of cycle a step ran, from its name ("monthly 2026-01", "quarterly …", "annual → review"). */
export function kindOf(step: StepRecord): CycleKind | undefined {
  const word = step.name.split(' ')[0];
  return word === 'monthly' || word === 'quarterly' || word === 'annual' ? word : undefined;
}

export function unitsOf(
  step: StepRecord,
  prices: PriceTable,
): Units & { bytesWritten: number; itemsWritten: number } {
  const kind = kindOf(step);
  return {
    cycles: step.cycles,
    stateTransitions: step.stateEntries,
    lambda: step.lambda,
    writeUnits: step.store.writeUnits,
    readUnits: step.store.readUnits,
    exportFiles: kind ? step.cycles * prices.assumptions.exportFilesPerCycle[kind] : 0,
    bytesWritten: step.store.bytesWritten,
    itemsWritten: step.store.itemsWritten,
  };
}

const priced = (cost: Cost, prices: PriceTable): PricedCost => ({
  usd: cost.total,
  cny: toCny(cost.total, prices),
  breakdownUsd: cost,
});

export function scaleCosts(result: ScaleResult, prices: PriceTable): ScaleCosts {
  const steps = result.steps;
  const find = (prefix: string) => steps.filter((s) => s.name.startsWith(prefix));
  const costOf = (s: StepRecord) => stepCost(unitsOf(s, prices), prices);
  const out: ScaleCosts = {};
  const imp = steps.find((s) => s.name === 'import');
  const reimport = steps.find((s) => s.name === REIMPORT_STEP);
  if (imp) out.import = priced(costOf(imp), prices);
  if (reimport) out.reimport = priced(costOf(reimport), prices);
  const monthly = find('monthly');
  if (monthly[0]) out.monthly = priced(costOf(monthly[0]), prices);
  if (monthly[1] && monthly[1].cycles > 0)
    out.monthlyAverageLater = priced(scaleCost(costOf(monthly[1]), 1 / monthly[1].cycles), prices);
  const quarterly = find('quarterly');
  if (quarterly[0]) out.quarterly = priced(costOf(quarterly[0]), prices);
  const annual = find('annual');
  if (annual.length === 2) out.annual = priced(addCosts(...annual.map(costOf)), prices);
  const cycles = steps.filter((s) => kindOf(s) !== undefined);
  if (imp && annual.length === 2) {
    const { cost, storageGbMonths } = yearCost(
      {
        import: unitsOf(imp, prices),
        ...(reimport ? { reimport: unitsOf(reimport, prices) } : {}),
        cycles: cycles.map((s) => unitsOf(s, prices)),
      },
      prices,
    );
    const imports = reimport
      ? `${prices.assumptions.importsPerYear} year-so-far imports (one full, ${prices.assumptions.importsPerYear - 1} writing only their version's parts and indexes)`
      : `${prices.assumptions.importsPerYear} full imports (no re-import measured)`;
    out.year = {
      ...priced(cost, prices),
      storageGbMonths,
      note: `${imports}, the 17 cycles as measured, exports, a year of storage with PITR`,
    };
  }
  return out;
}

const met = (value: number, limit: number) => value <= limit;

export function targets(results: Results): Target[] {
  const out: Target[] = [];
  const limits = {
    county: { import: 15, monthly: 5, annual: 10, memoryMb: 512 },
    city: { import: 120, monthly: 30, annual: 60, memoryMb: 1024 },
  } as const;
  for (const scale of ['county', 'city'] as const) {
    const r = results.scales[scale];
    if (!r) continue;
    const l = limits[scale];
    const imp = r.steps.find((s) => s.name === 'import');
    const monthly = r.steps.find((s) => s.name.startsWith('monthly'));
    const annual = r.steps.filter((s) => s.name.startsWith('annual'));
    const load = `load ${results.machine.loadAverageAtStart[0]?.toFixed(1)}`;
    if (imp) {
      out.push({
        scale,
        target: 'import a year',
        limit: `≤ ${l.import} s`,
        measured: `${s1(imp.wallMs)} s`,
        met: met(imp.wallMs / 1000, l.import),
        note: `CPU: node ${s1(imp.cpuMs.node)} s${typeof imp.cpuMs.nodeMainThread === 'number' ? ` (main thread ${s1(imp.cpuMs.nodeMainThread)} s)` : ''}, DynamoDB Local ${imp.cpuMs.dynamoDb === null ? '?' : s1(imp.cpuMs.dynamoDb)} s; ${load}`,
      });
    }
    if (monthly) {
      out.push({
        scale,
        target: 'monthly cycle',
        limit: `≤ ${l.monthly} s`,
        measured: `${s1(monthly.wallMs)} s`,
        met: met(monthly.wallMs / 1000, l.monthly),
        note: monthly.name,
      });
    }
    if (annual.length === 2) {
      const ms = annual[0]!.wallMs + annual[1]!.wallMs;
      out.push({
        scale,
        target: 'annual cycle (to review, then to done)',
        limit: `≤ ${l.annual} s`,
        measured: `${s1(ms)} s`,
        met: met(ms / 1000, l.annual),
        note: `${s1(annual[0]!.wallMs)} s to review + ${s1(annual[1]!.wallMs)} s to done`,
      });
    }
    const ratios = r.steps
      .filter((s) => s.floorMs && s.floorMs > 0 && s.name !== REIMPORT_STEP)
      .map((s) => ({
        name: s.name,
        ratio: s.wallMs / s.floorMs!,
        plain: s.plainFloorMs ? s.wallMs / s.plainFloorMs : undefined,
      }));
    if (ratios.length > 0) {
      const worst = ratios.reduce((a, b) => (b.ratio > a.ratio ? b : a));
      const best = ratios.reduce((a, b) => (b.ratio < a.ratio ? b : a));
      out.push({
        scale,
        target: 'wall ÷ storage floor, every step',
        limit: '≤ 1.5',
        measured: `${best.ratio.toFixed(1)}–${worst.ratio.toFixed(1)}`,
        met: worst.ratio <= 1.5,
        note: ratios
          .map((x) => `${x.name} ${x.ratio.toFixed(1)}${x.plain ? ` (x's ${x.plain.toFixed(1)})` : ''}`)
          .join('; '),
      });
    }
    if (monthly && bothFloors(monthly)) {
      const ratio = monthly.wallMs / bothFloors(monthly)!;
      out.push({
        scale,
        target: 'monthly cycle wall ÷ (read + write floor)',
        limit: '≤ 2',
        measured: ratio.toFixed(1),
        met: scale === 'city' ? ratio <= 2 : null,
        note: `${monthly.name}: ${s1(monthly.wallMs)} s ÷ (${(monthly.readFloorMs! / 1000).toFixed(2)} s read + ${(monthly.floorMs! / 1000).toFixed(2)} s write)${plainRatio(monthly)}; the target is the city's`,
      });
    }
    const payload = Math.max(...r.steps.map((s) => s.largestPayloadBytes));
    out.push({
      scale,
      target: 'largest state payload',
      limit: '≤ 32 KiB',
      measured: `${(payload / 1024).toFixed(2)} KiB`,
      met: payload <= 32 * 1024,
    });
    out.push({
      scale,
      target: 'node peak memory (RSS)',
      limit: `≤ ${l.memoryMb} MB`,
      measured: `${r.maxRssMb} MB`,
      met: r.maxRssMb <= l.memoryMb,
      note: `kernel high-water mark of the bench process; sampled peak ${r.lifetimeMemory.rssMb} MB, heap ≤ ${r.lifetimeMemory.heapUsedMb} MB, external ≤ ${r.lifetimeMemory.externalMb} MB; DynamoDB Local (java, not counted) ≤ ${r.lifetimeMemory.dynamoDbRssMb ?? '?'} MB`,
    });
    const year = results.costs?.[scale]?.year;
    if (scale === 'county' && year) {
      out.push({
        scale,
        target: 'AWS cost per county-year',
        limit: '≤ ¥2',
        measured: `¥${year.cny.toFixed(3)} ($${year.usd.toFixed(4)})`,
        met: year.cny <= 2,
        note: year.note,
      });
    }
  }
  const whole = results.wholeYear;
  if (whole) {
    out.push({
      scale: whole.scale,
      target: 'whole year end to end incl. DynamoDB start',
      limit: '≤ 60 s',
      measured: `${s1(whole.totalMs)} s`,
      met: whole.totalMs <= 60_000,
      note: Object.entries(whole.phasesMs)
        .map(([k, v]) => `${k} ${s1(v)} s`)
        .join(', '),
    });
    out.push({
      scale: whole.scale,
      target: 'node peak memory, whole-year process',
      limit: '≤ 512 MB',
      measured: `${whole.maxRssMb} MB`,
      met: whole.maxRssMb <= 512,
    });
  }
  const domain = results.domain;
  if (domain) {
    const best = Math.min(...domain.passesMs);
    out.push({
      scale: domain.scale,
      target: `domain core: monthlyStep over a ${domain.staff.toLocaleString('en')}-person month, in memory`,
      limit: '< 1 s',
      measured: `${s1(best)} s`,
      met: best < 1000,
      note: `passes ${domain.passesMs.join(' / ')} ms wall, ${domain.passesCpuMs.join(' / ')} ms CPU; the first includes JIT warm-up`,
    });
  }
  return out;
}

/** Columns of text: numbers (and "—") right-aligned, words left-aligned. */
function pad(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const numeric = rows[0]!.map((_, i) =>
    rows.slice(1).every((r) => /^[-$¥≤<>\d.,/–—? ]*(s|KiB|MB)?$/.test(r[i] ?? '')),
  );
  return rows
    .map((r) =>
      r.map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  '),
    )
    .join('\n');
}

export const STEP_COLUMNS = [
  'step',
  'wall s',
  'floor s',
  '÷floor',
  'R floor s',
  '÷R+W',
  'AWS s',
  'W items',
  'W MB',
  'R items',
  'R MB',
  'WCU',
  'RCU',
  'requests',
  'transitions',
  'λ calls',
  'λ GB-s',
  'payload KiB',
  'RSS MB',
  'heap MB',
  'DDB MB',
  'CPU node/DDB s',
];

export function stepRow(step: StepRecord): string[] {
  return [
    step.name,
    s1(step.wallMs),
    step.floorMs === undefined ? '' : (step.floorMs / 1000).toFixed(2),
    step.floorMs ? (step.wallMs / step.floorMs).toFixed(1) : '—',
    step.readFloorMs === undefined ? '' : (step.readFloorMs / 1000).toFixed(2),
    bothFloors(step) ? (step.wallMs / bothFloors(step)!).toFixed(1) : '—',
    step.aws ? s1(step.aws.ms) : '',
    String(step.store.itemsWritten),
    mb1(step.store.bytesWritten),
    String(step.store.itemsRead),
    mb1(step.store.bytesRead),
    String(Math.round(step.store.writeUnits)),
    String(Math.round(step.store.readUnits)),
    String(step.store.requests),
    String(step.stateEntries),
    String(step.lambdaInvocations),
    lambdaGbSeconds(step.lambda).toFixed(1),
    (step.largestPayloadBytes / 1024).toFixed(2),
    String(Math.round(step.memory.rssMb)),
    String(Math.round(step.memory.heapUsedMb)),
    step.memory.dynamoDbRssMb === null ? '?' : String(Math.round(step.memory.dynamoDbRssMb)),
    `${s1(step.cpuMs.node)}/${step.cpuMs.dynamoDb === null ? '?' : s1(step.cpuMs.dynamoDb)}`,
  ];
}

/** The same step against the first floors, of `x`s (lib/floor.ts), when they were measured too. */
function plainRatio(step: StepRecord): string {
  const plain = (step.plainFloorMs ?? 0) + (step.plainReadFloorMs ?? 0);
  return plain > 0 ? `; ÷ floors of x's ${(step.wallMs / plain).toFixed(2)}` : '';
}

/** A step's read floor plus its write floor (issue 17's cycle floor), when both were measured. */
export function bothFloors(step: StepRecord): number | undefined {
  if (step.floorMs === undefined || step.readFloorMs === undefined) return undefined;
  return step.floorMs + step.readFloorMs || undefined;
}

/** A partition key without its community, keeping its kind and its shard: `DSBLOB#…#3f`, `DATASET#…`. */
export function shortKey(pk: string): string {
  const parts = pk.split('#');
  if (parts.length < 2) return pk;
  return parts.length === 2 ? `${parts[0]}#…` : `${parts[0]}#…#${parts.at(-1)}`;
}

/** Per step, what the AWS model predicts and why (bench/lib/predict.ts). */
export function awsTable(steps: readonly StepRecord[]): string {
  const rows = [
    [
      'step',
      'local s',
      'AWS s',
      'storage s',
      'compute s',
      'orchestr. s',
      'busiest key',
      'its WCU/RCU',
      'most WCU: key, WCU, share',
      'keys',
    ],
  ];
  for (const step of steps) {
    const a = step.aws;
    if (!a) continue;
    rows.push([
      step.name,
      s1(step.wallMs),
      s1(a.ms),
      s1(a.storageMs),
      s1(a.computeMs),
      s1(a.orchestrationMs),
      a.busiest ? shortKey(a.busiest.pk) : '—',
      a.busiest ? `${Math.round(a.busiest.wcu)}/${Math.round(a.busiest.rcu)}` : '—',
      // Absent from results written before it was counted.
      a.mostWritten
        ? `${shortKey(a.mostWritten.pk)} ${a.mostWritten.wcu} ${(a.mostWritten.share * 100).toFixed(1)} %`
        : '—',
      String(a.partitions),
    ]);
  }
  return pad(rows);
}

export function stepsTable(steps: readonly StepRecord[]): string {
  return pad([STEP_COLUMNS, ...steps.map(stepRow)]);
}

export function costsTable(costs: ScaleCosts): string {
  const rows = [['', 'USD', 'CNY', 'SFN', 'λ', 'DDB W', 'DDB R', 'storage', 'other']];
  for (const [name, c] of Object.entries(costs) as [string, PricedCost | undefined][]) {
    if (!c) continue;
    const b = c.breakdownUsd;
    rows.push([
      name,
      `$${c.usd.toFixed(5)}`,
      `¥${c.cny.toFixed(4)}`,
      b.stepFunctions.toFixed(5),
      (b.lambdaRequests + b.lambdaDuration + b.lambdaInit).toFixed(5),
      b.dynamoWrites.toFixed(5),
      b.dynamoReads.toFixed(5),
      b.dynamoStorage.toFixed(5),
      (b.s3 + b.xray + b.logs).toFixed(5),
    ]);
  }
  return pad(rows);
}

export function targetsTable(list: readonly Target[]): string {
  const rows = [['scale', 'target', 'limit', 'measured', 'met']];
  for (const t of list)
    rows.push([t.scale, t.target, t.limit, t.measured, t.met === null ? 'n/a' : t.met ? 'yes' : 'NO']);
  return pad(rows);
}

/** The same tables in Markdown, for bench/README.md. */
export function markdown(results: Results): string {
  const lines: string[] = [];
  const m = results.machine;
  lines.push(
    `Taken ${m.date} on ${m.cpus} × ${m.model}, ${m.totalMemoryGb} GB, Node ${m.node} (${m.platform}); load average ${m.loadAverageAtStart.map((x) => x.toFixed(1)).join(' ')} at the start${m.loadAverageAtEnd ? `, ${m.loadAverageAtEnd.map((x) => x.toFixed(1)).join(' ')} at the end` : ''}; measured processes run with \`node ${results.options.nodeArgs?.join(' ') || '(no flags)'}\`.`,
  );
  lines.push('');
  for (const [scale, r] of Object.entries(results.scales)) {
    if (!r) continue;
    lines.push(
      `**${scale}** — ${r.staff.toLocaleString('en')} staff, ${r.institutions} institutions; runtime start (DynamoDB Local + synth) ${s1(r.startMs)} s, then DynamoDB Local warmed with throwaway writes (${s1(r.warmUpMs ?? 0)} s)`,
    );
    lines.push('');
    lines.push(`| ${STEP_COLUMNS.join(' | ')} |`);
    lines.push(`|${STEP_COLUMNS.map((_, i) => (i === 0 ? '---' : '--:')).join('|')}|`);
    for (const s of r.steps) lines.push(`| ${stepRow(s).join(' | ')} |`);
    lines.push('');
    if (r.steps.some((s) => s.aws)) {
      const [head, ...rest] = awsTable(r.steps)
        .split('\n')
        .map((line) => line.split(/ {2,}/).map((c) => c.trim()));
      lines.push(`| ${head!.join(' | ')} |`);
      lines.push(`|${head!.map((_, i) => (i === 0 ? '---' : '--:')).join('|')}|`);
      for (const row of rest) lines.push(`| ${row.join(' | ')} |`);
      lines.push('');
    }
  }
  if (results.targets) {
    lines.push('| scale | target | limit | measured | met | notes |');
    lines.push('|---|---|---|---|---|---|');
    for (const t of results.targets) {
      lines.push(
        `| ${t.scale} | ${t.target} | ${t.limit} | ${t.measured} | ${t.met === null ? 'n/a' : t.met ? 'yes' : '**no**'} | ${t.note ?? ''} |`,
      );
    }
  }
  return lines.join('\n');
}
