/** DOMAIN.md §9.5: secondment allowances and the secondment_count aggregation. */
import { describe, expect, it } from 'vitest';
import { monthlyInstitutionPay } from '../../../shared/domain/allocation.js';
import { rational as r } from '../../../shared/domain/rational.js';
import { scoreIndicator } from '../../../shared/domain/scoring.js';
import {
  allowancesFor,
  countParams,
  secondmentCount,
  secondmentCounter,
} from '../../../shared/domain/secondments.js';
import type { Secondment } from '../../../shared/schemas/dataset.js';
import { indicator, scheme, staff, work } from './builders.js';

const sec = (staffId: string, from: string, to: string | undefined, overrides: Partial<Secondment> = {}) => ({
  staffId,
  hostInstitutionId: 'T01',
  kind: 'dispatch' as const,
  from,
  ...(to === undefined ? {} : { to }),
  monthlyAllowance: 80_000,
  leaderRole: 'no' as const,
  ...overrides,
});

// County hospital C01 staff A..F seconded to township T01.
const homeOf = new Map(['A', 'B', 'C', 'D', 'E', 'F'].map((id) => [id, 'C01']));

describe('§9.5 secondment_count', () => {
  const register = [
    sec('A', '2025-10', '2026-03'), // crosses the year: only Jan–Mar count → 3 months
    sec('B', '2025-07', undefined), // open, from last year: Jan.. window end
    sec('C', '2026-01', '2026-03'), // 3 months, then
    sec('C', '2026-04', '2026-06', { hostInstitutionId: 'T01' }), // …touching: a 6-month run
    sec('D', '2026-02', '2026-07', { leaderRole: 'yes' }), // 6 months, a leader
    sec('E', '2026-01', '2026-02'),
    sec('E', '2026-05', '2026-09'), // a gap: longest run 5
    sec('F', '2026-03', '2026-12', { hostInstitutionId: 'T02' }), // another host
  ];
  const count = (institution: string, end: string, params: string) =>
    secondmentCount(register, homeOf, institution, end, countParams(params));

  it('counts continuous months inside the year up to the window end', () => {
    // by June: A 3, B 6, C 6, D 5, E 2 → B and C reach 6
    expect(count('T01', '2026-06', 'direction=in;minMonths=6')).toBe(2);
    // by September: A 3, B 9, C 6, D 6, E 5 → B, C, D
    expect(count('T01', '2026-09', 'direction=in;minMonths=6')).toBe(3);
    // A's period crosses the year: 3 months inside 2026, though it lasted 6
    expect(count('T01', '2026-12', 'direction=in;minMonths=4')).toBe(4); // B, C, D, E — not A
  });

  it('counts leaders only when leaderOnly=yes', () => {
    expect(count('T01', '2026-12', 'direction=in;minMonths=6;leaderOnly=yes')).toBe(1);
    expect(count('T01', '2026-06', 'direction=in;minMonths=6;leaderOnly=yes')).toBe(0); // D has 5 by June
  });

  it('counts the home institution’s staff with direction=out, whatever the host', () => {
    // C01 by December: A 3, B 12, C 6, D 6, E 5, F 10 → B, C, D, F
    expect(count('C01', '2026-12', 'direction=out;minMonths=6')).toBe(4);
    expect(count('T01', '2026-12', 'direction=out;minMonths=1')).toBe(0);
  });

  it('scores the counted value like any other (ge_target 5 → w × 3/5), and is missing without a register', () => {
    const k = indicator({
      method: 'ge_target',
      target: '5',
      weight: '10',
      aggregation: 'secondment_count',
      params: 'direction=in;minMonths=6',
    });
    const counted = scoreIndicator(k, [], 3, {
      secondmentCount: secondmentCounter(register, homeOf, 'T01', ['2026-07', '2026-08', '2026-09']),
    });
    expect(counted.value?.toFraction()).toBe('3');
    expect(counted.score.toFraction()).toBe(r(6).toFraction());
    expect(scoreIndicator(k, [], 3).missing).toBe(true);
  });
});

describe('§9.5 allowances', () => {
  it('pays the monthly allowance in its own column, outside the pool, for months in [from, to]', () => {
    const register = [
      sec('S1', '2026-02', '2026-03'),
      sec('S2', '2026-04', undefined, { monthlyAllowance: 50_000 }),
    ];
    expect([...allowancesFor(register, '2026-03')]).toEqual([['S1', 80_000]]);
    expect([...allowancesFor(register, '2026-04')]).toEqual([['S2', 50_000]]);
    const pay = monthlyInstitutionPay({
      scheme: scheme(),
      approvedTotal: 12 * 300_000 + 120_000, // R = 120,000 → M = 10,000, D = 8,000
      roster: [staff('S1', { basicMonthly: 300_000 })],
      month: 3,
      workload: [work('2026-03', 'S1', '10')],
      adjustments: [],
      allowances: allowancesFor(register, '2026-03'),
    });
    expect(pay.lines).toEqual([
      {
        staffId: 'S1',
        basic: 300_000,
        reward: 8_000,
        adjustment: 0,
        gross: 388_000,
        points: '10',
        allowance: 80_000,
      },
    ]);
    expect(pay.distributable).toBe(8_000);
  });
});
