import { describe, expect, it } from 'vitest';
import {
  addCosts,
  coldStarts,
  lambdaGbSeconds,
  loadPrices,
  type PriceTable,
  scaleCost,
  stepCost,
  storageGbMonths,
  toCny,
  type Units,
  yearCost,
  zeroCost,
} from '../../../bench/cost.js';

/** Round prices so every line of a cost can be checked by hand. */
const prices: PriceTable = {
  region: 'test-1',
  currency: 'USD',
  pricesAsOf: '2025-10',
  exchangeRate: { cnyPerUsd: 7, asOf: '2025-10' },
  stepFunctions: { perStateTransition: 0.001 },
  lambda: { architecture: 'arm64', perRequest: 0.01, perGbSecond: 0.1 },
  dynamodb: {
    perWriteRequestUnit: 0.0001,
    perReadRequestUnit: 0.00001,
    perGbMonth: 0.5,
    pitrPerGbMonth: 0.25,
    itemOverheadBytes: 100,
  },
  s3: { perPutRequest: 0.002, perGetRequest: 0.0002 },
  xray: { perTraceRecorded: 0.003 },
  cloudwatchLogs: { perGbIngested: 2 },
  assumptions: {
    importsPerYear: 12,
    exportFilesPerCycle: { monthly: 3, quarterly: 3, annual: 5 },
    downloadsPerExportFile: 2,
    coldStartInitMs: 500,
    mapMaxConcurrency: 8,
    logBytesPerLambdaInvocation: 0,
    logBytesPerStateTransition: 0,
    tracesPerCycle: 1,
  },
};

const monthly: Units = {
  cycles: 1,
  stateTransitions: 36,
  // ComputeMonthlyPay has 1,024 MB, PrepareCycle 512 MB (functions/registry.ts).
  lambda: {
    PrepareCycle: { invocations: 1, billedMs: 1000 },
    ComputeMonthlyPay: { invocations: 31, billedMs: 4000 },
  },
  writeUnits: 500,
  readUnits: 600,
  exportFiles: 3,
};

describe('the Lambda arithmetic', () => {
  it('bills each function its billed seconds times its configured memory in GB', () => {
    expect(lambdaGbSeconds(monthly.lambda)).toBeCloseTo(1 * 0.5 + 4 * 1, 10);
  });

  it('takes the memory from the function registry unless told otherwise', () => {
    expect(lambdaGbSeconds(monthly.lambda, () => 2048)).toBeCloseTo((1 + 4) * 2, 10);
  });

  it('starts one cold container per function per cycle, and up to MaxConcurrency for a per-institution function', () => {
    expect(coldStarts(monthly.lambda, 1, 8)).toEqual({ PrepareCycle: 1, ComputeMonthlyPay: 8 });
    expect(coldStarts({ ComputeMonthlyPay: { invocations: 341, billedMs: 1 } }, 11, 8)).toEqual({
      ComputeMonthlyPay: 88,
    });
    expect(coldStarts({ AllocatePool: { invocations: 3, billedMs: 1 } }, 1, 8)).toEqual({ AllocatePool: 3 });
  });

  it('counts the approval half of a cycle (zero cycles) as one cold run', () => {
    expect(coldStarts({ CompleteCycle: { invocations: 1, billedMs: 1 } }, 0, 8)).toEqual({
      CompleteCycle: 1,
    });
  });
});

describe('the cost of a step', () => {
  it('prices every unit line by line', () => {
    const cost = stepCost(monthly, prices);
    expect(cost.stepFunctions).toBeCloseTo(36 * 0.001, 10);
    expect(cost.lambdaRequests).toBeCloseTo(32 * 0.01, 10);
    expect(cost.lambdaDuration).toBeCloseTo(4.5 * 0.1, 10);
    // 1 PrepareCycle container at 0.5 GB + 8 ComputeMonthlyPay containers at 1 GB, 0.5 s each.
    expect(cost.lambdaInit).toBeCloseTo((1 * 0.5 + 8 * 1) * 0.5 * 0.1, 10);
    expect(cost.dynamoWrites).toBeCloseTo(500 * 0.0001, 10);
    expect(cost.dynamoReads).toBeCloseTo(600 * 0.00001, 10);
    expect(cost.s3).toBeCloseTo(3 * 0.002 + 6 * 0.0002, 10);
    expect(cost.xray).toBeCloseTo(0.003, 10);
    expect(cost.logs).toBe(0);
    expect(cost.dynamoStorage).toBe(0);
    const lines = Object.entries(cost)
      .filter(([k]) => k !== 'total')
      .reduce((a, [, v]) => a + v, 0);
    expect(cost.total).toBeCloseTo(lines, 10);
  });

  it('charges log ingestion per GB of Lambda and state-machine log lines', () => {
    const withLogs = {
      ...prices,
      assumptions: {
        ...prices.assumptions,
        logBytesPerLambdaInvocation: 1024 ** 3,
        logBytesPerStateTransition: 0,
      },
    };
    expect(stepCost(monthly, withLogs).logs).toBeCloseTo(32 * 2, 10);
  });

  it('costs nothing for a step that did nothing', () => {
    const idle: Units = {
      cycles: 0,
      stateTransitions: 0,
      lambda: {},
      writeUnits: 0,
      readUnits: 0,
      exportFiles: 0,
    };
    expect(stepCost(idle, prices).total).toBe(0);
  });
});

describe('sums, scaling and currency', () => {
  it('adds and scales costs line by line', () => {
    const one = stepCost(monthly, prices);
    const two = addCosts(one, one);
    expect(two.total).toBeCloseTo(2 * one.total, 10);
    expect(scaleCost(one, 3).dynamoWrites).toBeCloseTo(3 * one.dynamoWrites, 10);
    expect(addCosts(zeroCost(), one)).toEqual(one);
  });

  it('converts dollars to yuan at the stated rate', () => {
    expect(toCny(2, prices)).toBe(14);
  });
});

describe('a year', () => {
  it("counts storage at each month end: content stored once, a version's own items every month", () => {
    // Content of 12 GB stored a twelfth a month: 1 + 2 + … + 12 = 78 GB-months.
    expect(storageGbMonths(12e9, 0)).toBeCloseTo(78, 6);
    // Results growing 1 GB a month: also 78 GB-months.
    expect(storageGbMonths(0, 12e9)).toBeCloseTo(78, 6);
    // Of a 13 GB import, 1 GB is the version's own items, kept for every monthly version: 78 + 78 GB-months.
    expect(storageGbMonths(13e9, 0, 1e9)).toBeCloseTo(78 + 78, 6);
  });

  const step = (bytesWritten: number, itemsWritten: number) => ({
    ...monthly,
    cycles: 0,
    lambda: {},
    stateTransitions: 0,
    exportFiles: 0,
    bytesWritten: bytesWritten - itemsWritten * 100,
    itemsWritten,
  });
  const cycle = { ...monthly, bytesWritten: 0, itemsWritten: 0 };

  it('charges one full import and eleven re-imports, every cycle once, and a year of storage with its backups', () => {
    const full = { ...step(13e9, 1000), writeUnits: 500 };
    const reimport = { ...step(1e9, 10), writeUnits: 20 };
    const { cost, storageGbMonths: gbMonths } = yearCost(
      { import: full, reimport, cycles: [cycle, cycle] },
      prices,
    );
    expect(gbMonths).toBeCloseTo(156, 6);
    expect(cost.dynamoStorage).toBeCloseTo(156 * (0.5 + 0.25), 6);
    expect(cost.dynamoWrites).toBeCloseTo((500 + 11 * 20) * 0.0001 + 2 * 500 * 0.0001, 10);
    expect(cost.stepFunctions).toBeCloseTo(2 * 36 * 0.001, 10);
  });

  it('without a measured re-import, prices every import as a full version of its own', () => {
    const full = { ...step(12e9, 1000), writeUnits: 500 };
    const { cost, storageGbMonths: gbMonths } = yearCost({ import: full, cycles: [cycle] }, prices);
    // Month m holds m versions of 12 GB: 12 × 78 GB-months.
    expect(gbMonths).toBeCloseTo(12 * 78, 6);
    expect(cost.dynamoWrites).toBeCloseTo(12 * 500 * 0.0001 + 500 * 0.0001, 10);
  });
});

describe('the price table in the repo', () => {
  const table = loadPrices();

  it('is dated and names its region and exchange rate', () => {
    expect(table.pricesAsOf).toMatch(/^\d{4}-\d{2}$/);
    expect(table.exchangeRate.asOf).toMatch(/^\d{4}-\d{2}$/);
    expect(table.region).toBe('us-east-1');
    expect(table.exchangeRate.cnyPerUsd).toBeGreaterThan(5);
  });

  it('has a positive price for every unit the model charges', () => {
    for (const price of [
      table.stepFunctions.perStateTransition,
      table.lambda.perRequest,
      table.lambda.perGbSecond,
      table.dynamodb.perWriteRequestUnit,
      table.dynamodb.perReadRequestUnit,
      table.dynamodb.perGbMonth,
      table.dynamodb.pitrPerGbMonth,
      table.s3.perPutRequest,
      table.s3.perGetRequest,
      table.xray.perTraceRecorded,
      table.cloudwatchLogs.perGbIngested,
    ]) {
      expect(price).toBeGreaterThan(0);
    }
  });
});
