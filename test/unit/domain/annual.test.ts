import { describe, expect, it } from 'vitest';
import {
  communityScore,
  leaderSalary,
  nextApprovedTotal,
  releaseReserve,
} from '../../../shared/domain/annual.js';
import { type ScoredInstitution, settleYear } from '../../../shared/domain/cycles.js';
import { gradeFor } from '../../../shared/domain/grades.js';
import { rational } from '../../../shared/domain/rational.js';
import { annualScoreStep } from '../../../shared/domain/steps.js';
import { exactly, GRADES, grade, indicator, institution, scheme, valueRow } from './builders.js';

const r = rational;

function scored(institutionId: string, score: string): ScoredInstitution {
  const s = r(score);
  return {
    institutionId,
    grade: gradeFor(s, GRADES),
    score: { exact: s, score: s, indicators: [], dimensions: new Map() },
  };
}

describe('releaseReserve', () => {
  it('releases round(A × reserveRelease) and sends the rest to the development fund', () => {
    // 合格 0.80: 123,457 × 0.8 = 98,765.6 → 98,766; development 123,457 − 98,766 = 24,691
    expect(releaseReserve(123_457, grade('合格'))).toEqual({
      reserve: 123_457,
      released: 98_766,
      developmentFund: 24_691,
    });
  });

  it('rounds a half fen up', () => {
    // 不合格 0.50: 12,345 × 0.5 = 6,172.5 → 6,173; development 6,172
    expect(releaseReserve(12_345, grade('不合格'))).toEqual({
      reserve: 12_345,
      released: 6_173,
      developmentFund: 6_172,
    });
  });

  it('releases all of it at 1.00', () => {
    expect(releaseReserve(99_999, grade('优秀'))).toEqual({
      reserve: 99_999,
      released: 99_999,
      developmentFund: 0,
    });
  });
});

describe('the annual reserve', () => {
  it('is Σ monthly holdbacks + undistributed monthly pools', () => {
    // 12 months of H = 20,000, plus two months whose D = 80,000 went undistributed:
    // 12 × 20,000 + 2 × 80,000 = 240,000 + 160,000 = 400,000
    const monthly = Array.from({ length: 12 }, (_, i) => ({
      holdback: 20_000,
      undistributed: i < 2 ? 80_000 : 0,
    }));
    const result = annualScoreStep({
      scheme: scheme(),
      institution: institution(),
      indicators: [indicator({ id: 'a' })],
      values: [valueRow('2026-12', '100', { indicatorId: 'a' })],
      months: Array.from({ length: 12 }, (_, i) => `2026-${String(i + 1).padStart(2, '0')}`),
      monthly,
    });
    expect(result.reserve).toBe(400_000);
    expect(result.score).toBe('100.00');
  });
});

describe('nextApprovedTotal', () => {
  it.each([
    [10_000_000, '0.03', '合格', 9_270_000], // 10,000,000 × 1.03 × 0.9
    [1_234_567, '0.03', '优秀', 1_398_764], // 1,234,567 × 1.133 = 1,398,764.411 → down
    [1_000_001, '0', '不合格', 700_001], // 1,000,001 × 0.7 = 700,000.7 → up
    [5_000_000, '0', '良好', 5_000_000], // × 1 × 1.0
  ] as const)('T = %d, growth %s, %s → T′ = %d', (total, growth, name, expected) => {
    expect(nextApprovedTotal(total, growth, grade(name))).toBe(expected);
  });
});

describe('leaderSalary', () => {
  it('scales the target salary by the coefficient of the institution’s grade, rounded half-up', () => {
    // 230,000.00 × 1.1 = 253,000.00
    expect(leaderSalary(23_000_000, grade('优秀'))).toBe(25_300_000);
    // 270,000.05 × 0.9 = 243,000.045 yuan = 24,300,004.5 fen → 24,300,005
    expect(leaderSalary(27_000_005, grade('合格'))).toBe(24_300_005);
  });
});

describe('communityScore', () => {
  it('is the FTE-weighted mean of member scores, rounded half-up to 2 decimals', () => {
    // (90.50 × 10 + 80.25 × 30 + 70.00 × 0)/40 = (905 + 2,407.5)/40 = 82.8125 → 82.81
    const score = communityScore([
      { score: r('90.50'), headcount: 10 },
      { score: r('80.25'), headcount: 30 },
      { score: r('70.00'), headcount: 0 },
    ]);
    expect(score.toFraction()).toBe(exactly('82.81'));
  });

  it('rounds a half up', () => {
    // (85.00 + 85.01)/2 = 85.005 → 85.01
    expect(
      communityScore([
        { score: r('85.00'), headcount: 1 },
        { score: r('85.01'), headcount: 1 },
      ]).toFraction(),
    ).toBe(exactly('85.01'));
  });

  it('is 0 with no staff at all', () => {
    expect(communityScore([{ score: r(90), headcount: 0 }]).toFraction()).toBe('0');
  });
});

describe('settleYear', () => {
  const s = scheme(); // growth 0, residentPopulation 1,000, perCapita 99.00
  const a = institution({ id: 'A', kind: 'county_hospital', tier: '1.0', approvedTotal: 10_000_000 });
  const b = institution({
    id: 'B',
    kind: 'township',
    tier: '1.2',
    servedPopulation: 1000,
    approvedTotal: 5_000_000,
  });
  const settle = (actual: number | undefined) =>
    settleYear({
      scheme: s,
      members: [
        { institution: a, headcount: 2, scored: scored('A', '90.00'), reserve: 100_001 },
        { institution: b, headcount: 2, scored: scored('B', '70.00'), reserve: 50_000 },
      ],
      insurance: { year: 2026, budget: 1_000_000, actual },
      leaders: [
        { staffId: 'LB', targetAnnualSalary: 27_000_005 },
        { staffId: 'LA', targetAnnualSalary: 23_000_000 },
      ],
      staffInstitution: new Map([
        ['LA', 'A'],
        ['LB', 'B'],
      ]),
    });

  it('grades the community on the FTE-weighted score and gates the insurance retention with it', () => {
    // (90 × 2 + 70 × 2)/4 = 80.00 → 良好, gate 0.90
    // U = 80,000: 50,000 × 1 + 30,000 × 0.5 = 65,000 → retained 65,000 × 0.9 = 58,500 → pay part 35,100
    const result = settle(920_000);
    expect(result.communityScore.toFraction()).toBe(exactly(80));
    expect(result.communityGrade.grade).toBe('良好');
    expect(result.insurance).toMatchObject({ outcome: 'surplus', retained: 58_500, payPart: 35_100 });
  });

  it('makes each annual bonus pool the released reserve plus the insurance pay part', () => {
    // pay part 35,100 split by S·n·tier: A 90 × 2 × 1.0 = 180, B 70 × 2 × 1.2 = 168 (Σ 348)
    // A 35,100 × 180/348 = 18,155.17, B × 168/348 = 16,944.83 → floors 35,099; leftover to B → 16,945
    // A: released 100,001 × 1.00 = 100,001 → pool 118,156; next T = 10,000,000 × 1.1 = 11,000,000
    // B: released 50,000 × 0.80 = 40,000 → pool 56,945; next T = 5,000,000 × 0.9 = 4,500,000
    const result = settle(920_000);
    expect(result.institutions).toEqual([
      {
        institutionId: 'A',
        reserve: 100_001,
        reserveReleased: 100_001,
        reserveToDevelopmentFund: 0,
        insurancePayPart: 18_155,
        annualBonusPool: 118_156,
        nextApprovedTotal: 11_000_000,
      },
      {
        institutionId: 'B',
        reserve: 50_000,
        reserveReleased: 40_000,
        reserveToDevelopmentFund: 10_000,
        insurancePayPart: 16_945,
        annualBonusPool: 56_945,
        nextApprovedTotal: 4_500_000,
      },
    ]);
  });

  it('leaves the annual bonus pool at the released reserve when insurance overspends', () => {
    const result = settle(1_050_000);
    expect(result.insurance.outcome).toBe('overspend');
    expect(result.institutions.map((i) => [i.institutionId, i.insurancePayPart, i.annualBonusPool])).toEqual([
      ['A', 0, 100_001],
      ['B', 0, 40_000],
    ]);
  });

  it('pays each leader by the grade of their own institution, sorted by staff id', () => {
    // LA (A, 优秀 1.1): 23,000,000 × 1.1 = 25,300,000; LB (B, 合格 0.9): 27,000,005 × 0.9 = 24,300,004.5 → 24,300,005
    expect(settle(920_000).leaders).toEqual([
      { staffId: 'LA', institutionId: 'A', salary: 25_300_000 },
      { staffId: 'LB', institutionId: 'B', salary: 24_300_005 },
    ]);
  });

  it('settles public health with q = 1 where no public_health indicator applies', () => {
    // G = 9,900 × 1,000 = 9,900,000; all served population is B's → B base 9,900,000, pre 5,940,000,
    // entitlement 9,900,000 (q = 1, flagged), settlement 3,960,000
    const ph = settle(920_000).publicHealth;
    expect(ph.total).toBe(9_900_000);
    expect(ph.retainedByCommunity).toBe(0);
    expect(ph.rows.find((row) => row.institutionId === 'B')).toMatchObject({
      base: 9_900_000,
      preAllocated: 5_940_000,
      entitlement: 9_900_000,
      settlement: 3_960_000,
      qualityDefaulted: true,
    });
  });

  it('refuses to settle before the insurance actual spending is known', () => {
    expect(() => settle(undefined)).toThrow(/actual/);
  });
});
