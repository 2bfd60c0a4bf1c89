/** DOMAIN.md §9.2 保底不封顶: the funding-1 floor, topped up by county finance in its own column. */
import { describe, expect, it } from 'vitest';
import { fiscalTopUp, monthlyInstitutionPay } from '../../../shared/domain/allocation.js';
import type { WorkloadRow } from '../../../shared/schemas/dataset.js';
import { adjustment, scheme, staff, work } from './builders.js';

// Basic 3,000 + 2,000 yuan → 12 × 500,000 = 6,000,000 fen; T = 6,000,000 + 240,000 → R = 240,000,
// M = 20,000, H = 4,000, D = 16,000 fen a month.
const roster = [staff('S1', { basicMonthly: 300_000 }), staff('S2', { basicMonthly: 200_000 })];
const approvedTotal = 6_240_000;
const floored = scheme({ pay: { ...scheme().pay, funding1Floor: 450_000 } }); // 4,500.00 yuan

function pay(workload: WorkloadRow[], funding: 1 | 2, s = floored) {
  return monthlyInstitutionPay({
    scheme: s,
    approvedTotal,
    roster,
    month: 3,
    workload,
    adjustments: [adjustment('2026-03', 'S2', 1_000)],
    funding,
  });
}

describe('§9.2 fiscal top-up to the funding-1 floor', () => {
  it('tops a partly attending person up to round(floor × attended ÷ scheduled) − (basic + reward)', () => {
    // Points S1 300 (full month), S2 100 × 15/22 = 1500/22 → D = 16,000 split 300 : 68.18…
    //   S1: 16,000 × 300/368.1818… = 13,037.04… → 13,037; S2: 2,962.96… → 2,963 (leftover fen to S2).
    // S2 due = round(450,000 × 15/22) = round(306,818.18…) = 306,818; paid 200,000 + 2,963 = 202,963
    //   → top-up 103,855. S1 due 450,000 < 300,000 + 13,037? no: 313,037 < 450,000 → top-up 136,963.
    const result = pay(
      [
        work('2026-03', 'S1', '300'),
        work('2026-03', 'S2', '100', { attendedDays: '15', scheduledDays: '22' }),
      ],
      1,
    );
    expect(
      result.lines.map((l) => [l.staffId, l.basic, l.reward, l.adjustment, l.fiscalTopUp, l.gross]),
    ).toEqual([
      ['S1', 300_000, 13_037, 0, 136_963, 450_000],
      ['S2', 200_000, 2_963, 1_000, 103_855, 307_818],
    ]);
    expect(result.fiscalClaim).toBe(136_963 + 103_855);
    // The floor never takes anything out of the pool: rewards still sum to D.
    expect(result.lines.reduce((a, l) => a + l.reward, 0)).toBe(result.distributable);
  });

  it('pays no top-up when basic + reward reach the due amount (no ceiling on anyone)', () => {
    expect(fiscalTopUp(450_000, { attendedDays: '20', scheduledDays: '20' }, 450_001)).toBe(0);
    expect(fiscalTopUp(450_000, { attendedDays: '20', scheduledDays: '20' }, 449_999)).toBe(1);
    // half a fen rounds up: 1 × 1/2 = 0.5 fen → 1
    expect(fiscalTopUp(1, { attendedDays: '1', scheduledDays: '2' }, 0)).toBe(1);
  });

  it('leaves funding-2 institutions unaffected (the column shows 0)', () => {
    const result = pay([work('2026-03', 'S1', '300')], 2);
    expect(result.lines.map((l) => l.fiscalTopUp)).toEqual([0, 0]);
    expect(result.fiscalClaim).toBe(0);
    expect(result.lines[0]!.gross).toBe(300_000 + 16_000);
  });

  it('pays no top-up to a person with only an adjustment (not on the payroll)', () => {
    const result = pay([work('2026-03', 'S1', '300')], 1);
    expect(result.lines.find((l) => l.staffId === 'S2')).toMatchObject({
      basic: 0,
      fiscalTopUp: 0,
      gross: 1_000,
    });
  });

  it('adds no column when the scheme has no floor (v1 lines unchanged)', () => {
    const result = pay([work('2026-03', 'S1', '300')], 1, scheme());
    expect(result.lines[0]).not.toHaveProperty('fiscalTopUp');
    expect(result).not.toHaveProperty('fiscalClaim');
  });
});
