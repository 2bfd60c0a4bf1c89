/** The AWS time model of the bench (bench/lib/predict.ts): per-key throughput, compute and orchestration. */
import { describe, expect, it, vi } from 'vitest';
import {
  AWS_MODEL,
  importComputeMs,
  importPath,
  PartitionTally,
  type PartitionUse,
  predictAws,
} from '../../../bench/lib/predict.js';
import { shortKey } from '../../../bench/lib/report.js';
import { FUNCTIONS } from '../../../functions/registry.js';
import { CHUNK_BYTES } from '../../../shared/app/import-workflow.js';
import { IMPORT_CHUNK_CONCURRENCY } from '../../../workflows/import.js';

const step = (over: Partial<Parameters<typeof predictAws>[0]> = {}) => ({
  cycles: 1,
  executions: 1,
  stateEntries: 0,
  cpuMs: { node: 0, dynamoDb: null },
  lambda: {},
  store: { requests: 0 },
  ...over,
});
const keys = (entries: [string, Partial<PartitionUse>][]) =>
  new Map(entries.map(([pk, u]) => [pk, { wcu: 0, rcu: 0, requests: 0, ...u }]));

describe('predictAws', () => {
  it('bounds storage by the busiest key at 1,000 WCU/s, not by the table', () => {
    const one = predictAws(step(), keys([['DSBLOB#c', { wcu: 66_810 }]]));
    expect(one.busiest).toMatchObject({ pk: 'DSBLOB#c', wcu: 66_810 });
    expect(one.storageMs).toBe(66_810);
    // The same units over 256 keys: each key ~261 WCU, the table's 40,000 WCU/s is the bound.
    const spread = predictAws(
      step(),
      keys(Array.from({ length: 256 }, (_, i) => [`DSBLOB#c#${i}`, { wcu: 66_810 / 256 }])),
    );
    expect(spread.storageMs).toBe(Math.round((66_810 / AWS_MODEL.tableUnitsPerSecond) * 1000));
    expect(spread.ms).toBeLessThan(one.ms / 10);
  });

  it('names the key with the most write units and its share of all, to show how a step’s writes spread', () => {
    // An import's blobs on one key, then over 256 shards beside its version's own partition.
    const one = predictAws(
      step(),
      keys([
        ['DSBLOB#c', { wcu: 3_000, rcu: 9_000 }],
        ['DATASET#c', { wcu: 1_000 }],
      ]),
    );
    expect(one.mostWritten).toEqual({ pk: 'DSBLOB#c', wcu: 3_000, share: 0.75 });
    const shards = Array.from({ length: 256 }, (_, i): [string, Partial<PartitionUse>] => [
      `DSBLOB#c#${i.toString(16).padStart(2, '0')}`,
      { wcu: i === 7 ? 30 : 10 },
    ]);
    const spread = predictAws(step(), keys([...shards, ['DATASET#c', { wcu: 20 }]]));
    expect(spread.mostWritten).toEqual({
      pk: 'DSBLOB#c#07',
      wcu: 30,
      share: 0.0115, // 30 of 255 × 10 + 30 + 20 = 2,600
    });
    // Reads alone name no key; the busiest key is still the one that bounds the time.
    const reads = predictAws(step(), keys([['RESULT#c', { rcu: 18_000 }]]));
    expect(reads.mostWritten).toBeNull();
    expect(reads.busiest?.pk).toBe('RESULT#c');
    expect(shortKey('DSBLOB#兴国县#07')).toBe('DSBLOB#…#07');
    expect(shortKey('DATASET#c')).toBe('DATASET#…');
  });

  it('puts the CPU of a step without workflow handlers (an import) on one thread when its split is unknown', () => {
    const p = predictAws(
      step({ cpuMs: { node: 4_000, dynamoDb: null } }),
      keys([['DSBLOB#c#00', { wcu: 900 }]]),
    );
    expect(p.computeMs).toBe(4_000);
    expect(p.storageMs).toBe(900);
  });

  it('adds an import’s compute, storage and orchestration: on AWS its workflow parses, then writes, then switches', () => {
    const cpuMs = { node: 4_000, dynamoDb: null, nodeMainThread: 4_000 };
    // A province-sized import: 161 chunks of 4 MB, written 8 at a time (21 waves).
    const bytesWritten = 160.5 * CHUNK_BYTES;
    const p = predictAws(
      step({ cpuMs, store: { requests: 0, bytesWritten } }),
      keys([['DSBLOB#c#00', { wcu: 900 }]]),
    );
    expect(importPath({ cpuMs, store: { bytesWritten } }).chunks).toBe(161);
    const waves = Math.ceil(161 / IMPORT_CHUNK_CONCURRENCY);
    expect(waves).toBe(21);
    expect(p.orchestrationMs).toBe(
      (5 + 2 * waves) * AWS_MODEL.transitionMs + (2 + waves) * AWS_MODEL.invokeMs + 3 * AWS_MODEL.coldStartMs,
    );
    // Not max(storage, compute): PrepareImport stages every chunk before the Map writes any.
    expect(p.ms).toBe(4_000 + 900 + p.orchestrationMs);
    // A county's few MB: two chunks, one wave.
    const county = predictAws(step({ cpuMs, store: { requests: 0, bytesWritten: 6e6 } }), keys([]));
    expect(county.orchestrationMs).toBe(
      (5 + 2) * AWS_MODEL.transitionMs + (2 + 1) * AWS_MODEL.invokeMs + 3 * AWS_MODEL.coldStartMs,
    );
  });

  it('prices an import on PrepareImport: its main thread and its parse worker side by side on the vCPUs its memory buys', () => {
    // The function the model prices an import on is the deployed one: 3,008 MB with the parse worker.
    expect(AWS_MODEL.importFunction).toBe(FUNCTIONS.PrepareImport);
    expect(FUNCTIONS.PrepareImport).toMatchObject({ memoryMb: 3008, parseWorker: true });
    const vcpu = 3008 / AWS_MODEL.mbPerVcpu; // ≈ 1.70
    const imported = (main: number, node: number) =>
      predictAws(step({ cpuMs: { node, dynamoDb: null, nodeMainThread: main } }), keys([])).computeMs;
    // Half on the worker: both threads share 1.7 vCPU, (2,000 + 2,000) ÷ 1.7 — not 4,000 on one vCPU.
    expect(imported(2_000, 4_000)).toBe(Math.round(4_000 / vcpu));
    expect(imported(2_000, 4_000)).toBeLessThan(2_400);
    // The main thread busier than the vCPUs' share: it is the critical path, at one vCPU at most.
    expect(imported(3_000, 4_000)).toBe(3_000);
    // The worker busier: it is.
    expect(imported(500, 4_000)).toBe(3_500);
    // All on the main thread: one vCPU, whatever the memory.
    expect(imported(4_000, 4_000)).toBe(4_000);
    // A main-thread reading a clock tick above the process's own is all main, not negative off-main CPU.
    expect(imported(4_010, 4_000)).toBe(4_000);
  });

  it('shares one vCPU (or less) among all the threads of a function without a parse worker', () => {
    const cpu = { node: 4_000, nodeMainThread: 2_000 };
    // One thread at a time runs: main and off-main CPU follow each other.
    expect(importComputeMs(cpu, { memoryMb: 3008 })).toBe(4_000);
    // Below 1,769 MB the function has a fraction of a vCPU.
    expect(importComputeMs(cpu, { memoryMb: 1769 / 2, parseWorker: true })).toBe(8_000);
    // Two threads on 2 vCPUs or more: the busier thread.
    expect(importComputeMs(cpu, { memoryMb: 2 * 1769, parseWorker: true })).toBe(2_000);
  });

  it('reads at 3,000 RCU/s per key', () => {
    expect(predictAws(step(), keys([['RESULT#c', { rcu: 18_000 }]])).storageMs).toBe(6_000);
  });

  it('spreads a Map function over its concurrency and runs the others alone, on their vCPU share', () => {
    const lambda = {
      ComputeMonthlyPay: { invocations: 8, totalMs: 800, billedMs: 800 },
      BuildMonthlyReport: { invocations: 1, totalMs: 200, billedMs: 200 },
    };
    const p = predictAws(step({ lambda, cpuMs: { node: 1_000, dynamoDb: null } }), keys([]));
    // 800 ms of CPU over 8 Lambdas of 1,024 MB, 200 ms on one.
    const vcpu = 1024 / AWS_MODEL.mbPerVcpu;
    expect(p.computeMs).toBe(Math.round(800 / vcpu / 8 + 200 / vcpu));
    // One wave of the Map and one sequential task, a cold start per function.
    expect(p.orchestrationMs).toBe(
      2 * AWS_MODEL.invokeMs + 2 * AWS_MODEL.coldStartMs + 2 * AWS_MODEL.transitionMs,
    );
  });

  it('counts a Map of 62 batches as 8 waves on the critical path', () => {
    const lambda = { ComputeMonthlyPay: { invocations: 62, totalMs: 0, billedMs: 62 } };
    const p = predictAws(step({ lambda, stateEntries: 2 * 62 + 6 }), keys([]));
    expect(p.orchestrationMs).toBe(
      (6 + 2 * 8) * AWS_MODEL.transitionMs + 8 * AWS_MODEL.invokeMs + AWS_MODEL.coldStartMs,
    );
  });
});

describe('PartitionTally', () => {
  /** An object whose every read throws: a request the tally cannot count. */
  const untouchable = () =>
    new Proxy(
      {},
      {
        get: () => {
          throw new Error('read');
        },
        ownKeys: () => {
          throw new Error('read');
        },
      },
    );
  const put = (pk: string) => ({
    command: 'PutCommand',
    input: { Item: { pk, sk: '1', data: 'x'.repeat(20) } },
    output: {},
  });
  /** Quiets the tally's one line on stderr about a request it could not count. */
  const quietly = <T>(fn: () => T): T => {
    const written = process.stderr.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      return fn();
    } finally {
      process.stderr.write = written;
    }
  };

  it('keeps a request during the step, measuring no UTF-8 of it, and counts it at take()', () => {
    const tally = new PartitionTally();
    const utf8 = vi.spyOn(Buffer, 'byteLength');
    try {
      tally.record({
        command: 'BatchWriteCommand',
        input: {
          RequestItems: {
            t: [
              { PutRequest: { Item: { pk: 'A', sk: '1', data: 'x'.repeat(3000) } } },
              { PutRequest: { Item: { pk: 'A', sk: '2', data: 'y' } } },
              { DeleteRequest: { Key: { pk: 'B', sk: '1' } } },
            ],
          },
        },
        output: {},
      });
      tally.record({
        command: 'GetCommand',
        input: { Key: { pk: 'B', sk: '1' } },
        output: { Item: { pk: 'B', sk: '1', data: 'z'.repeat(5000) } },
      });
      expect(utf8).not.toHaveBeenCalled();
      const uses = tally.take();
      expect(utf8).toHaveBeenCalled();
      // 3 KB → 3 WCU, a small item 1, a delete 1; one request per key of the batch. 5 KB read → 2 RCU.
      expect(uses.get('A')).toEqual({ wcu: 4, rcu: 0, requests: 1 });
      expect(uses.get('B')).toEqual({ wcu: 1, rcu: 2, requests: 2 });
      expect(tally.take().size).toBe(0);
    } finally {
      utf8.mockRestore();
    }
  });

  it('counts a request at once past the text it may keep, so a province’s step is not held in memory', () => {
    const tally = new PartitionTally(10);
    tally.record(put('A')); // kept: nothing was kept before it
    // Past the bound: counted as it returns (this one cannot be, which shows at once).
    quietly(() => tally.record({ command: 'PutCommand', input: untouchable(), output: {} }));
    expect(tally.errors).toBe(1);
    expect(tally.take().get('A')).toEqual({ wcu: 1, rcu: 0, requests: 1 });
    const kept = new PartitionTally(10);
    kept.record(put('B'));
    kept.take(); // starts again from nothing kept
    const bad = { command: 'TransactWriteCommand', input: { TransactItems: [{}] }, output: {} };
    kept.record(bad);
    expect(kept.errors).toBe(0); // kept for take(), not counted at once
    quietly(() => kept.take());
    expect(kept.errors).toBe(1);
  });

  it('counts a request of a shape it does not know as an error at take(), not during the step', () => {
    const tally = new PartitionTally();
    tally.record({ command: 'TransactWriteCommand', input: { TransactItems: [{}] }, output: {} });
    expect(tally.errors).toBe(0);
    expect(quietly(() => tally.take()).size).toBe(0);
    expect(tally.errors).toBe(1);
  });
});
