/**
 * The bench's split of Node CPU into the main thread's and the rest (bench/lib/measure.ts), which the AWS
 * model prices an import by (bench/lib/predict.ts `importComputeMs`): a worker thread's CPU must show in the
 * process's CPU and not in the main thread's.
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { MemorySampler, mainThreadCpuMs, StepRecorder } from '../../../bench/lib/measure.js';

/** A worker that spins until its own thread has used `ms` of CPU (counted by its /proc entry, not a clock). */
const spin = (ms: number) =>
  new Promise<void>((resolve, reject) => {
    const worker = new Worker(
      `const { readFileSync } = require('node:fs');
       const own = () => { const s = readFileSync('/proc/thread-self/stat', 'utf8');
         const f = s.slice(s.lastIndexOf(')') + 2).split(' '); return (Number(f[11]) + Number(f[12])) * 10; };
       const start = own(); let x = 0;
       while (own() - start < ${ms}) for (let i = 0; i < 1e6; i++) x += i;
       require('node:worker_threads').parentPort.postMessage(x);`,
      { eval: true },
    );
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });

describe.runIf(process.platform === 'linux')('main-thread CPU', () => {
  it('leaves out a worker thread’s CPU, which the process’s CPU counts', async () => {
    const process0 = process.cpuUsage();
    const main0 = mainThreadCpuMs();
    await spin(300);
    const used = process.cpuUsage(process0);
    const main = (mainThreadCpuMs() ?? Number.NaN) - (main0 ?? Number.NaN);
    const total = (used.user + used.system) / 1000;
    expect(total).toBeGreaterThanOrEqual(280);
    expect(total - main).toBeGreaterThanOrEqual(250); // 300 less clock ticks (10 ms) of rounding
  });

  it('is recorded per step beside the process’s CPU', async () => {
    const memory = new MemorySampler();
    const recorder = new StepRecorder(memory);
    const { record } = await recorder.step('spin', 0, () => spin(200));
    expect(record.cpuMs.nodeMainThread).not.toBeNull();
    expect(record.cpuMs.node - (record.cpuMs.nodeMainThread ?? 0)).toBeGreaterThanOrEqual(150);
  });
});
