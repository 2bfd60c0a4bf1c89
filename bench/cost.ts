/**
 * What the measured work would cost on AWS: state transitions (Step Functions Standard), Lambda
 * requests and GB-seconds at each function's configured memory (durations measured by wrapping the
 * handlers locally), DynamoDB on-demand request units as DynamoDB Local reported them, S3 requests for
 * the exported files, traces, logs and storage — from the dated price table in bench/prices.json.
 *
 * Pure arithmetic, tested in test/unit/bench/cost.test.ts. `npm run bench -- --price-only` prices the
 * units already in bench/results.json again (after a change of prices.json) without re-measuring.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FUNCTIONS, type FunctionId } from '../functions/registry.js';
import type { CycleKind } from '../shared/store/keys.js';

export interface PriceTable {
  region: string;
  currency: 'USD';
  pricesAsOf: string;
  exchangeRate: { cnyPerUsd: number; asOf: string };
  stepFunctions: { perStateTransition: number };
  lambda: { architecture: string; perRequest: number; perGbSecond: number };
  dynamodb: {
    perWriteRequestUnit: number;
    perReadRequestUnit: number;
    perGbMonth: number;
    /** Continuous backups (point-in-time recovery), on the table's size. */
    pitrPerGbMonth: number;
    itemOverheadBytes: number;
  };
  s3: { perPutRequest: number; perGetRequest: number };
  xray: { perTraceRecorded: number };
  cloudwatchLogs: { perGbIngested: number };
  assumptions: {
    importsPerYear: number;
    exportFilesPerCycle: Record<CycleKind, number>;
    downloadsPerExportFile: number;
    coldStartInitMs: number;
    mapMaxConcurrency: number;
    logBytesPerLambdaInvocation: number;
    logBytesPerStateTransition: number;
    tracesPerCycle: number;
  };
}

export const PRICES_PATH = fileURLToPath(new URL('./prices.json', import.meta.url));

export function loadPrices(path = PRICES_PATH): PriceTable {
  return JSON.parse(readFileSync(path, 'utf8')) as PriceTable;
}

/** The units of one measured step, as the bench records them. */
export interface Units {
  /** Cycles the step ran (0 for an import, or for the approval half of a cycle). */
  cycles: number;
  stateTransitions: number;
  lambda: Partial<Record<FunctionId, { invocations: number; billedMs: number }>>;
  writeUnits: number;
  readUnits: number;
  /** Files exported for the step's cycles (S3 puts, and gets when downloaded). */
  exportFiles: number;
}

export interface Cost {
  stepFunctions: number;
  lambdaRequests: number;
  lambdaDuration: number;
  lambdaInit: number;
  dynamoWrites: number;
  dynamoReads: number;
  dynamoStorage: number;
  s3: number;
  xray: number;
  logs: number;
  total: number;
}

const GB = 1024 ** 3;

export const memoryMbOf = (id: FunctionId): number => FUNCTIONS[id].memoryMb;

/** Σ billed seconds × configured memory in GB, per function. */
export function lambdaGbSeconds(
  lambda: Units['lambda'],
  memoryMb: (id: FunctionId) => number = memoryMbOf,
): number {
  let total = 0;
  for (const [id, use] of Object.entries(lambda) as [FunctionId, { billedMs: number }][]) {
    total += (use.billedMs / 1000) * (memoryMb(id) / 1024);
  }
  return total;
}

/**
 * Cold containers: every cycle starts cold (cycles are days apart), one container per function, and up
 * to the Map's MaxConcurrency for a function that runs once per institution.
 */
export function coldStarts(
  lambda: Units['lambda'],
  cycles: number,
  mapMaxConcurrency: number,
): Partial<Record<FunctionId, number>> {
  const out: Partial<Record<FunctionId, number>> = {};
  const runs = Math.max(cycles, 1);
  for (const [id, use] of Object.entries(lambda) as [FunctionId, { invocations: number }][]) {
    if (use.invocations === 0) continue;
    out[id] = runs * Math.min(Math.ceil(use.invocations / runs), mapMaxConcurrency);
  }
  return out;
}

function total(parts: Omit<Cost, 'total'>): Cost {
  const sum = Object.values(parts).reduce((a, b) => a + b, 0);
  return { ...parts, total: sum };
}

/** The cost in USD of one measured step (storage excluded: see storageGbMonths). */
export function stepCost(units: Units, prices: PriceTable): Cost {
  const invocations = Object.values(units.lambda).reduce((a, u) => a + (u?.invocations ?? 0), 0);
  const cold = coldStarts(units.lambda, units.cycles, prices.assumptions.mapMaxConcurrency);
  const initGbSeconds = (Object.entries(cold) as [FunctionId, number][]).reduce(
    (a, [id, n]) => a + n * (prices.assumptions.coldStartInitMs / 1000) * (memoryMbOf(id) / 1024),
    0,
  );
  const files = units.exportFiles;
  const logBytes =
    invocations * prices.assumptions.logBytesPerLambdaInvocation +
    units.stateTransitions * prices.assumptions.logBytesPerStateTransition;
  return total({
    stepFunctions: units.stateTransitions * prices.stepFunctions.perStateTransition,
    lambdaRequests: invocations * prices.lambda.perRequest,
    lambdaDuration: lambdaGbSeconds(units.lambda) * prices.lambda.perGbSecond,
    lambdaInit: initGbSeconds * prices.lambda.perGbSecond,
    dynamoWrites: units.writeUnits * prices.dynamodb.perWriteRequestUnit,
    dynamoReads: units.readUnits * prices.dynamodb.perReadRequestUnit,
    dynamoStorage: 0,
    s3:
      files * prices.s3.perPutRequest +
      files * prices.assumptions.downloadsPerExportFile * prices.s3.perGetRequest,
    xray: units.cycles * prices.assumptions.tracesPerCycle * prices.xray.perTraceRecorded,
    logs: (logBytes / GB) * prices.cloudwatchLogs.perGbIngested,
  });
}

export function addCosts(...costs: Cost[]): Cost {
  const keys = Object.keys(costs[0] ?? zeroCost()) as (keyof Cost)[];
  const out = zeroCost();
  for (const c of costs) for (const k of keys) out[k] += c[k];
  return out;
}

export function scaleCost(cost: Cost, factor: number): Cost {
  const out = zeroCost();
  for (const k of Object.keys(cost) as (keyof Cost)[]) out[k] = cost[k] * factor;
  return out;
}

export function zeroCost(): Cost {
  return total({
    stepFunctions: 0,
    lambdaRequests: 0,
    lambdaDuration: 0,
    lambdaInit: 0,
    dynamoWrites: 0,
    dynamoReads: 0,
    dynamoStorage: 0,
    s3: 0,
    xray: 0,
    logs: 0,
  });
}

export const toCny = (usd: number, prices: PriceTable): number => usd * prices.exchangeRate.cnyPerUsd;

/**
 * GB-months stored over one year, counted at each month's end. Dataset content is stored once per
 * content (shared/store/datasets.ts): by the end of month m the imports have stored m/12 of the year's
 * rosters and months (`importBytes` less one version's own items) plus m versions' own items (the
 * small parts and indexes: `reimportBytes`, what an import of unchanged content writes); results grow
 * by `cycleBytesPerYear`/12 a month.
 */
export function storageGbMonths(importBytes: number, cycleBytesPerYear: number, reimportBytes = 0): number {
  const contentBytes = Math.max(0, importBytes - reimportBytes);
  let total = 0;
  for (let month = 1; month <= 12; month++) {
    total += (contentBytes * month) / 12 + reimportBytes * month + (cycleBytesPerYear * month) / 12;
  }
  return total / 1e9;
}

/** Bytes as DynamoDB bills storage: item data plus a fixed overhead per item. */
export const storedBytes = (bytesWritten: number, itemsWritten: number, prices: PriceTable) =>
  bytesWritten + itemsWritten * prices.dynamodb.itemOverheadBytes;

type MeasuredStep = Units & { bytesWritten: number; itemsWritten: number };

export interface YearInput {
  /** A first import of the whole year into an empty store. */
  import: MeasuredStep;
  /**
   * The same files imported again: what an import writes when its content is already stored (the new
   * version's small parts and indexes). Without it every import is priced as a full one.
   */
  reimport?: MeasuredStep;
  /** Every cycle step of the year (monthly, quarterly, annual, in any grouping). */
  cycles: MeasuredStep[];
}

/**
 * A county-year: the year's imports, every cycle, exports, and a year of storage with its
 * point-in-time-recovery backups. The office imports the year so far every month; over the year those
 * imports store each roster and month once — one full import's content — and each writes its own
 * version's small parts and indexes: one full import plus (importsPerYear − 1) re-imports.
 */
export function yearCost(input: YearInput, prices: PriceTable): { cost: Cost; storageGbMonths: number } {
  const reimport = input.reimport ?? input.import;
  const imports = addCosts(
    stepCost(input.import, prices),
    scaleCost(stepCost(reimport, prices), prices.assumptions.importsPerYear - 1),
  );
  const cycles = addCosts(...input.cycles.map((c) => stepCost(c, prices)));
  const cycleBytes = input.cycles.reduce(
    (a, c) => a + storedBytes(c.bytesWritten, c.itemsWritten, prices),
    0,
  );
  const gbMonths = input.reimport
    ? storageGbMonths(
        storedBytes(input.import.bytesWritten, input.import.itemsWritten, prices),
        cycleBytes,
        storedBytes(input.reimport.bytesWritten, input.reimport.itemsWritten, prices),
      )
    : // Every import a full version of its own: month m holds m of them.
      storageGbMonths(
        0,
        cycleBytes,
        storedBytes(input.import.bytesWritten, input.import.itemsWritten, prices),
      );
  const perGbMonth = prices.dynamodb.perGbMonth + prices.dynamodb.pitrPerGbMonth;
  const storage = { ...zeroCost(), dynamoStorage: gbMonths * perGbMonth, total: gbMonths * perGbMonth };
  return { cost: addCosts(imports, cycles, storage), storageGbMonths: gbMonths };
}
