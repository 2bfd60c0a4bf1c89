/** How PrepareCycle cuts a cycle's institutions into the batches its Maps iterate (issue 12). */
import { describe, expect, it } from 'vitest';
import {
  cycleBatches,
  institutionBatches,
  MAP_CONCURRENCY,
  MAX_BATCH_INSTITUTIONS,
  ONE_PROCESS_SPREAD,
  useBatchSpread,
} from '../../../shared/app/institution-batches.js';
import { PreparedCycle } from '../../../shared/schemas/events.js';

const ids = (n: number) =>
  Array.from({ length: n }, (_, i) => `D${String(i % 99).padStart(2, '0')}H${i}`).sort();

describe('institution batches', () => {
  it.each([0, 1, 7, 8, 9, 31, 310, 401, 3100, 5003])(
    '%i institutions: every id once, in order, batches of equal size ± 1 within the limits',
    (n) => {
      const all = ids(n);
      const batches = institutionBatches(all);
      expect(batches.flat()).toEqual(all);
      const sizes = batches.map((b) => b.length);
      if (n === 0) return expect(batches).toEqual([]);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(MAX_BATCH_INSTITUTIONS);
      expect(Math.min(...sizes)).toBeGreaterThanOrEqual(1);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      // As few batches as the limit allows, but the Map's concurrency when there are that many institutions.
      expect(batches.length).toBe(
        Math.max(Math.ceil(n / MAX_BATCH_INSTITUTIONS), Math.min(n, MAP_CONCURRENCY)),
      );
    },
  );

  it('gives the same batches for the same ids (a retried or resumed cycle cuts them alike)', () => {
    expect(institutionBatches(ids(3100))).toEqual(institutionBatches(ids(3100)));
  });

  it("keeps a province's PrepareCycle output small and the same whatever the ids' length: references only", () => {
    const output = (length: number) => {
      const long = ids(3100).map((id) => id.padEnd(length, '医'));
      return PreparedCycle.parse({ ...cycleBatches(long, long).refs, approved: false });
    };
    const bytes = Buffer.byteLength(JSON.stringify(output(64)), 'utf8');
    expect(bytes).toBeLessThan(8 * 1024);
    expect(output(1_000)).toEqual(output(12));
    expect(output(64).institutionBatches).toHaveLength(institutionBatches(ids(3100)).length);
  });

  // Last: the setting lasts for the rest of the process (this file's module).
  it('cuts fewer, larger batches once the process runs every Map iteration itself (the embedded runtime)', () => {
    const county = ids(31);
    expect(institutionBatches(county)).toHaveLength(MAP_CONCURRENCY);
    useBatchSpread(ONE_PROCESS_SPREAD);
    const batches = institutionBatches(county);
    expect(batches).toHaveLength(ONE_PROCESS_SPREAD);
    expect(batches.flat()).toEqual(county);
    // A city's still as few as the size limit allows.
    expect(institutionBatches(ids(310))).toHaveLength(Math.ceil(310 / MAX_BATCH_INSTITUTIONS));
    // AWS's spread when asked for.
    expect(institutionBatches(county, MAX_BATCH_INSTITUTIONS, MAP_CONCURRENCY)).toHaveLength(MAP_CONCURRENCY);
  });
});
