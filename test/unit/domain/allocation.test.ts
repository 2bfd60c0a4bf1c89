import { describe, expect, it } from 'vitest';
import { allocateByPoints, monthlyInstitutionPay } from '../../../shared/domain/allocation.js';
import { rational } from '../../../shared/domain/rational.js';
import type { Adjustment, WorkloadRow } from '../../../shared/schemas/dataset.js';
import { adjustment, scheme, staff, work } from './builders.js';

const s = scheme(); // holdback 0.20
// Basic 3,000 + 2,000 + 1,000 yuan/month → 12 × 600,000 = 7,200,000 fen; R = 1,200,000 → M = 100,000 every
// month, H = 20,000, D = 80,000.
const roster = [
  staff('S1', { basicMonthly: 300_000 }),
  staff('S2', { basicMonthly: 200_000 }),
  staff('S3', { basicMonthly: 100_000 }),
];
const approvedTotal = 7_200_000 + 1_200_000;

function pay(workload: WorkloadRow[], adjustments: Adjustment[] = [], month = 3) {
  return monthlyInstitutionPay({ scheme: s, approvedTotal, roster, month, workload, adjustments });
}

describe('monthlyInstitutionPay', () => {
  it('pays basic to everyone on the payroll and splits D by points', () => {
    // points S1 100, S2 200 → 80,000 × 1/3 = 26,666.67, × 2/3 = 53,333.33 → floors 79,999;
    // the leftover fen goes to S1 (remainder 2/3 > 1/3)
    const result = pay([work('2026-03', 'S1', '100'), work('2026-03', 'S2', '200')]);
    expect(result).toMatchObject({
      reward: 1_200_000,
      pool: 100_000,
      holdback: 20_000,
      distributable: 80_000,
      undistributed: 0,
      basicShareOutOfRange: true, // α = 7.2/8.4 ≈ 0.857 > 0.80 → warning
    });
    expect(result.lines).toEqual([
      { staffId: 'S1', basic: 300_000, reward: 26_667, adjustment: 0, gross: 326_667, points: '100' },
      { staffId: 'S2', basic: 200_000, reward: 53_333, adjustment: 0, gross: 253_333, points: '200' },
    ]);
  });

  it('guarantees basic pay to a person on the payroll with zero points', () => {
    // S3 has a row with 0 points: basic 100,000, reward 0; S1 takes all of D
    const result = pay([work('2026-03', 'S1', '100'), work('2026-03', 'S3', '0')]);
    expect(result.lines).toEqual([
      { staffId: 'S1', basic: 300_000, reward: 80_000, adjustment: 0, gross: 380_000, points: '100' },
      { staffId: 'S3', basic: 100_000, reward: 0, adjustment: 0, gross: 100_000, points: '0' },
    ]);
  });

  it('adds the month’s adjustments as their own column, summing several for one person', () => {
    // S2: −120.50 + 300.00 = +179.50 yuan → gross 200,000 + 80,000 + 17,950 = 297,950
    const result = pay(
      [work('2026-03', 'S2', '50')],
      [adjustment('2026-03', 'S2', -12_050), adjustment('2026-03', 'S2', 30_000)],
    );
    expect(result.lines).toEqual([
      { staffId: 'S2', basic: 200_000, reward: 80_000, adjustment: 17_950, gross: 297_950, points: '50' },
    ]);
  });

  it('gives a person with only an adjustment a line with that adjustment alone', () => {
    // S3 has no workload row: not on the month's payroll, so no basic and no reward, only the 300.00 back pay
    const result = pay([work('2026-03', 'S1', '100')], [adjustment('2026-03', 'S3', 30_000)]);
    expect(result.lines).toEqual([
      { staffId: 'S1', basic: 300_000, reward: 80_000, adjustment: 0, gross: 380_000, points: '100' },
      { staffId: 'S3', basic: 0, reward: 0, adjustment: 30_000, gross: 30_000, points: '0' },
    ]);
  });

  it('leaves people with neither a workload row nor an adjustment off the sheet', () => {
    expect(pay([work('2026-03', 'S2', '10')]).lines.map((l) => l.staffId)).toEqual(['S2']);
  });

  it('sends all of D to the reserve as undistributed when nobody has points, still paying basic', () => {
    const result = pay([work('2026-03', 'S1', '0'), work('2026-03', 'S2', '0', { quality: '0' })]);
    expect(result.undistributed).toBe(80_000);
    expect(result.lines.map((l) => [l.staffId, l.basic, l.reward])).toEqual([
      ['S1', 300_000, 0],
      ['S2', 200_000, 0],
    ]);
  });

  it('sends all of D to the reserve when nobody is on the payroll', () => {
    const result = pay([]);
    expect(result).toMatchObject({ distributable: 80_000, undistributed: 80_000, lines: [] });
  });

  it('sets R from the whole roster, not only the people paid this month', () => {
    // only S1 works, but R = 8,400,000 − 12 × 600,000 = 1,200,000 still
    expect(pay([work('2026-03', 'S1', '1')]).reward).toBe(1_200_000);
  });

  it('applies tilt and post coefficient to the points that split D', () => {
    // S1 100 × 1.0 = 100; S2 100 × post 1.2 × tilt 1.5 (all flags, capped) = 180 → D × 100/280 and × 180/280
    // 80,000 × 5/14 = 28,571.43, × 9/14 = 51,428.57 → floors 79,999; leftover to S2 (0.57 > 0.43)
    const tilted = [
      roster[0]!,
      staff('S2', {
        basicMonthly: 200_000,
        postCoefficient: '1.2',
        flags: ['key', 'scarce', 'high_risk', 'high_level', 'core'],
      }),
      roster[2]!,
    ];
    const result = monthlyInstitutionPay({
      scheme: s,
      approvedTotal,
      roster: tilted,
      month: 3,
      workload: [work('2026-03', 'S1', '100'), work('2026-03', 'S2', '100')],
      adjustments: [],
    });
    expect(result.lines.map((l) => [l.staffId, l.reward, l.points])).toEqual([
      ['S1', 28_571, '100'],
      ['S2', 51_429, '180'],
    ]);
  });
});

describe('allocateByPoints', () => {
  it('splits a pool by points and reports nothing undistributed', () => {
    // 1,000 × 1/4 = 250, × 3/4 = 750
    const points = new Map([
      ['a', rational(1)],
      ['b', rational(3)],
    ]);
    const { shares, undistributed } = allocateByPoints(1_000, points);
    expect(Object.fromEntries(shares)).toEqual({ a: 250, b: 750 });
    expect(undistributed).toBe(0);
  });

  it('returns the whole pool as undistributed when Σpoints = 0', () => {
    expect(allocateByPoints(1_000, new Map([['a', rational(0)]]))).toEqual({
      shares: new Map(),
      undistributed: 1_000,
    });
    expect(allocateByPoints(1_000, new Map())).toEqual({ shares: new Map(), undistributed: 1_000 });
  });

  it('gives everyone 0 and leaves nothing undistributed when the pool is 0', () => {
    expect(allocateByPoints(0, new Map([['a', rational(0)]]))).toEqual({
      shares: new Map([['a', 0]]),
      undistributed: 0,
    });
  });
});
