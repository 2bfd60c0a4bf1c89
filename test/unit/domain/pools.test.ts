import { describe, expect, it } from 'vitest';
import { monthlyPool, rewardTotal, surplusPool } from '../../../shared/domain/pools.js';
import {
  EXCLUDED_CATEGORIES,
  type FinanceCategory,
  type FinanceRow,
} from '../../../shared/schemas/dataset.js';
import { exactly, scheme } from './builders.js';

const s = scheme(); // basicShareRange [0.50, 0.80], holdback 0.20, fund extraction 0.40, reward share 0.70

function finance(entries: [FinanceCategory, number][]): FinanceRow[] {
  return entries.map(([category, amount]) => ({ period: '2026-01', institutionId: 'T01', category, amount }));
}

describe('rewardTotal', () => {
  it('takes R = T − 12 · Σ basicMonthly and α = 1 − R/T', () => {
    // T = 100,000.00 yuan; Σ basic = 3,000 + 2,500 = 5,500 yuan/month → 12 × 550,000 = 6,600,000 fen
    // R = 10,000,000 − 6,600,000 = 3,400,000 fen; α = 1 − 0.34 = 0.66, inside [0.50, 0.80]
    const t = rewardTotal(10_000_000, [300_000, 250_000], s);
    expect(t.reward).toBe(3_400_000);
    expect(t.basicShare?.toFraction()).toBe(exactly('0.66'));
    expect(t.basicShareOutOfRange).toBe(false);
  });

  it('warns when α falls below the range', () => {
    // T = 20,000,000; R = 20,000,000 − 6,600,000 = 13,400,000; α = 6.6/20 = 0.33 < 0.50
    const t = rewardTotal(20_000_000, [300_000, 250_000], s);
    expect(t.reward).toBe(13_400_000);
    expect(t.basicShare?.toFraction()).toBe(exactly('0.33'));
    expect(t.basicShareOutOfRange).toBe(true);
  });

  it('warns when α rises above the range', () => {
    // T = 7,000,000; R = 400,000; α = 6.6/7 ≈ 0.943 > 0.80
    expect(rewardTotal(7_000_000, [300_000, 250_000], s).basicShareOutOfRange).toBe(true);
  });

  it('treats both ends of the range as inside', () => {
    // α = 0.5: T = 13,200,000 (R = 6,600,000); α = 0.8: T = 8,250,000 (R = 1,650,000)
    expect(rewardTotal(13_200_000, [300_000, 250_000], s)).toMatchObject({
      reward: 6_600_000,
      basicShareOutOfRange: false,
    });
    expect(rewardTotal(8_250_000, [300_000, 250_000], s)).toMatchObject({
      reward: 1_650_000,
      basicShareOutOfRange: false,
    });
  });

  it('gives α = null and a warning when T = 0', () => {
    expect(rewardTotal(0, [], s)).toEqual({ reward: 0, basicShare: null, basicShareOutOfRange: true });
  });
});

describe('monthlyPool', () => {
  it('gives the first R mod 12 months one fen more than floor(R/12)', () => {
    // R = 1,000,003: floor(R/12) = 83,333 (12 × 83,333 = 999,996), R mod 12 = 7
    // months 1–7: M = 83,334, H = round(16,666.8) = 16,667, D = 66,667
    // months 8–12: M = 83,333, H = round(16,666.6) = 16,667, D = 66,666
    expect(monthlyPool(1_000_003, 1, '0.20')).toEqual({
      pool: 83_334,
      holdback: 16_667,
      distributable: 66_667,
    });
    expect(monthlyPool(1_000_003, 7, '0.20')).toEqual({
      pool: 83_334,
      holdback: 16_667,
      distributable: 66_667,
    });
    expect(monthlyPool(1_000_003, 8, '0.20')).toEqual({
      pool: 83_333,
      holdback: 16_667,
      distributable: 66_666,
    });
    expect(monthlyPool(1_000_003, 12, '0.20')).toEqual({
      pool: 83_333,
      holdback: 16_667,
      distributable: 66_666,
    });
  });

  it('sums the 12 monthly pools to R exactly', () => {
    // 7 × 83,334 + 5 × 83,333 = 583,338 + 416,665 = 1,000,003
    const months = Array.from({ length: 12 }, (_, i) => monthlyPool(1_000_003, i + 1, '0.20').pool);
    expect(months.reduce((a, b) => a + b, 0)).toBe(1_000_003);
  });

  it('splits R evenly when it divides by 12, and gives months beyond R nothing when R < 12', () => {
    // 1,200,000 / 12 = 100,000 each
    expect(monthlyPool(1_200_000, 12, '0.20').pool).toBe(100_000);
    // R = 5: months 1–5 get 1 fen, 6–12 get 0
    expect(monthlyPool(5, 5, '0.20').pool).toBe(1);
    expect(monthlyPool(5, 6, '0.20').pool).toBe(0);
  });

  it('rounds a holdback that lands on half a fen up', () => {
    // R = 126, rate 0.25: floor = 10, mod = 6
    // month 6: M = 11, H = round(2.75) = 3, D = 8; month 7: M = 10, H = round(2.5) = 3, D = 7
    expect(monthlyPool(126, 6, '0.25')).toEqual({ pool: 11, holdback: 3, distributable: 8 });
    expect(monthlyPool(126, 7, '0.25')).toEqual({ pool: 10, holdback: 3, distributable: 7 });
  });
});

describe('surplusPool', () => {
  const rates = s.pay.surplus;

  it('takes S = eligible revenue − operating cost, F = round(S × 0.40), Q = round((S − F) × 0.70)', () => {
    // S = 1,000,000 + 500,000 − 900,000 = 600,000; F = 240,000; Q = 360,000 × 0.7 = 252,000
    const rows = finance([
      ['consultation', 1_000_000],
      ['bed', 500_000],
      ['operating_cost', 900_000],
    ]);
    expect(surplusPool(rows, rates)).toEqual({ surplus: 600_000, fundExtraction: 240_000, pool: 252_000 });
  });

  it('counts every eligible revenue category', () => {
    // 7 categories × 100 = 700 − operating cost 100 = 600; F = 240; Q = 360 × 0.7 = 252
    const rows = finance([
      ['consultation', 100],
      ['bed', 100],
      ['nursing', 100],
      ['surgery', 100],
      ['treatment', 100],
      ['tcm', 100],
      ['general_service', 100],
      ['operating_cost', 100],
    ]);
    expect(surplusPool(rows, rates)).toEqual({ surplus: 600, fundExtraction: 240, pool: 252 });
  });

  it('rounds F and Q half-up to the fen', () => {
    // S = 1,234,567: F = 493,826.8 → 493,827; S − F = 740,740; Q = 518,518
    expect(surplusPool(finance([['treatment', 1_234_567]]), rates)).toEqual({
      surplus: 1_234_567,
      fundExtraction: 493_827,
      pool: 518_518,
    });
    // S = 1,234,568: F = 493,827.2 → 493,827; S − F = 740,741; Q = 518,518.7 → 518,519
    expect(surplusPool(finance([['treatment', 1_234_568]]), rates).pool).toBe(518_519);
  });

  it('gives F = Q = 0 for a break-even or a loss, and still reports S', () => {
    expect(
      surplusPool(
        finance([
          ['bed', 500],
          ['operating_cost', 500],
        ]),
        rates,
      ),
    ).toEqual({
      surplus: 0,
      fundExtraction: 0,
      pool: 0,
    });
    expect(
      surplusPool(
        finance([
          ['bed', 400],
          ['operating_cost', 100_400],
        ]),
        rates,
      ),
    ).toEqual({
      surplus: -100_000,
      fundExtraction: 0,
      pool: 0,
    });
  });

  it('ignores every excluded category, however large', () => {
    // the same 600,000 surplus as above with 10 million fen of each excluded figure added
    const base: [FinanceCategory, number][] = [
      ['consultation', 1_000_000],
      ['bed', 500_000],
      ['operating_cost', 900_000],
    ];
    const withExcluded = finance([
      ...base,
      ...EXCLUDED_CATEGORIES.map((c): [FinanceCategory, number] => [c, 10_000_000]),
    ]);
    expect(surplusPool(withExcluded, rates)).toEqual(surplusPool(finance(base), rates));
  });

  it('gives no pool from excluded revenue alone', () => {
    // drug and exam revenue never make a surplus: S = 0 − 100 = −100
    expect(
      surplusPool(
        finance([
          ['drug', 9_000_000],
          ['exam', 9_000_000],
          ['operating_cost', 100],
        ]),
        rates,
      ),
    ).toEqual({
      surplus: -100,
      fundExtraction: 0,
      pool: 0,
    });
  });
});
