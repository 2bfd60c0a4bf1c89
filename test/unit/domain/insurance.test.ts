import { describe, expect, it } from 'vitest';
import { type InsuranceMember, settleInsurance, tieredRetention } from '../../../shared/domain/insurance.js';
import { rational } from '../../../shared/domain/rational.js';
import type { Scheme } from '../../../shared/schemas/dataset.js';
import { exactly, scheme } from './builders.js';

const rules = scheme().insurance; // tiers ≤ 5 % of B at 1.00, the rest at 0.50; band 0.10; fund share 0.50; to pay 0.60
const B = 1_000_000;

const members: InsuranceMember[] = [
  { institutionId: 'X', score: rational('90'), headcount: 2, tier: '1.0' },
  { institutionId: 'Y', score: rational('80'), headcount: 1, tier: '1.2' },
];

function settle(
  actual: number,
  extra: {
    reasonableOverspend?: number;
    insuranceGate?: string;
    members?: InsuranceMember[];
    rules?: Scheme['insurance'];
  } = {},
) {
  return settleInsurance({
    budget: B,
    actual,
    reasonableOverspend: extra.reasonableOverspend,
    insuranceGate: extra.insuranceGate ?? '0.90',
    rules: extra.rules ?? rules,
    members: extra.members ?? members,
  });
}

describe('tieredRetention', () => {
  it('retains a surplus inside the first tier at its rate', () => {
    // U = 30,000 ≤ 5 % × 1,000,000 = 50,000 → 30,000 × 1.00
    expect(tieredRetention(30_000, B, rules.retentionTiers).toFraction()).toBe(exactly(30_000));
  });

  it('retains the part above the first tier at the next rate', () => {
    // U = 80,000: 50,000 × 1.00 + 30,000 × 0.50 = 65,000
    expect(tieredRetention(80_000, B, rules.retentionTiers).toFraction()).toBe(exactly(65_000));
  });

  it('walks three tiers with the last open-ended', () => {
    // U = 150,000: 50,000 × 1.00 + (100,000 − 50,000) × 0.50 + 50,000 × 0.20 = 50,000 + 25,000 + 10,000
    const tiers = [
      { upTo: '0.05', rate: '1.00' },
      { upTo: '0.10', rate: '0.50' },
      { upTo: null, rate: '0.20' },
    ];
    expect(tieredRetention(150_000, B, tiers).toFraction()).toBe(exactly(85_000));
  });

  it('retains nothing beyond the last tier when no tier is open-ended', () => {
    // U = 150,000: 50,000 × 1.00 + 50,000 × 0.50; the last 50,000 is not retained
    const tiers = [
      { upTo: '0.05', rate: '1.00' },
      { upTo: '0.10', rate: '0.50' },
    ];
    expect(tieredRetention(150_000, B, tiers).toFraction()).toBe(exactly(75_000));
  });

  it('keeps fractions of a fen exact until the final rounding', () => {
    // U = 50,001: 50,000 × 1.00 + 1 × 0.50 = 50,000.5
    expect(tieredRetention(50_001, B, rules.retentionTiers).toFraction()).toBe(exactly('50000.5'));
  });
});

describe('settleInsurance: surplus', () => {
  it('retains round(tiered × gate), returns the rest and splits the pay part by S·n·tier', () => {
    // U = 80,000 → tiered 65,000 → × 0.90 = 58,500 retained; returned 80,000 − 58,500 = 21,500
    // pay part 58,500 × 0.60 = 35,100; development 23,400
    // weights X 90 × 2 × 1.0 = 180, Y 80 × 1 × 1.2 = 96 (Σ 276):
    // X 35,100 × 180/276 = 22,891.30, Y 35,100 × 96/276 = 12,208.70 → floors 35,099; leftover to Y
    const result = settle(920_000);
    expect(result).toEqual({
      outcome: 'surplus',
      budget: B,
      actual: 920_000,
      surplus: 80_000,
      retained: 58_500,
      returned: 21_500,
      payPart: 35_100,
      developmentPart: 23_400,
      payPartByInstitution: new Map([
        ['X', 22_891],
        ['Y', 12_209],
      ]),
    });
  });

  it('applies the community gate to the tiered amount', () => {
    // tiered 65,000: gate 1.00 → 65,000; gate 0.50 → 32,500
    expect(settle(920_000, { insuranceGate: '1.00' })).toMatchObject({ retained: 65_000, returned: 15_000 });
    expect(settle(920_000, { insuranceGate: '0.50' })).toMatchObject({ retained: 32_500, returned: 47_500 });
  });

  it('rounds the gated retention half-up to the fen', () => {
    // U = 80,010: tiered 50,000 + 30,010 × 0.5 = 65,005; × 0.9 = 58,504.5 → 58,505
    // returned 80,010 − 58,505 = 21,505; pay part 58,505 × 0.6 = 35,103
    expect(settle(919_990)).toMatchObject({
      surplus: 80_010,
      retained: 58_505,
      returned: 21_505,
      payPart: 35_103,
      developmentPart: 23_402,
    });
  });

  it('gives a member with no staff no part of the pay part', () => {
    // Z has headcount 0 → weight 0; X and Y share 35,100 as before
    const result = settle(920_000, {
      members: [...members, { institutionId: 'Z', score: rational('99'), headcount: 0, tier: '1.2' }],
    });
    expect(result.outcome === 'surplus' && Object.fromEntries(result.payPartByInstitution)).toEqual({
      X: 22_891,
      Y: 12_209,
      Z: 0,
    });
  });

  it('keeps the pay part in the development fund when no member has any weight', () => {
    // DOMAIN.md §4: Σp = 0 → the caller says where the amount goes; here it stays with the community
    const result = settle(920_000, {
      members: [{ institutionId: 'X', score: rational('0'), headcount: 3, tier: '1.0' }],
    });
    expect(result).toMatchObject({ retained: 58_500, payPart: 0, developmentPart: 58_500 });
  });
});

describe('settleInsurance: overspend', () => {
  // O = 1,150,000 − 1,000,000 = 150,000; band 10 % × B = 100,000
  it('treats an empty reasonable overspend as all of O, then applies the band', () => {
    // min(150,000, 100,000) × 0.5 = 50,000; community 150,000 − 50,000 = 100,000
    expect(settle(1_150_000)).toEqual({
      outcome: 'overspend',
      budget: B,
      actual: 1_150_000,
      overspend: 150_000,
      reasonable: 150_000,
      fundBears: 50_000,
      communityBears: 100_000,
    });
  });

  it('shares only the reasonable part when it is below the band', () => {
    // min(60,000, 100,000) × 0.5 = 30,000; community 120,000
    expect(settle(1_150_000, { reasonableOverspend: 60_000 })).toMatchObject({
      reasonable: 60_000,
      fundBears: 30_000,
      communityBears: 120_000,
    });
  });

  it('caps the reasonable part at O', () => {
    // 200,000 reasonable > O = 150,000 → 150,000; band → 100,000 × 0.5 = 50,000
    expect(settle(1_150_000, { reasonableOverspend: 200_000 })).toMatchObject({
      reasonable: 150_000,
      fundBears: 50_000,
    });
    // a small overspend: O = 40,000 < reasonable 60,000 → 40,000 × 0.5 = 20,000
    expect(settle(1_040_000, { reasonableOverspend: 60_000 })).toMatchObject({
      reasonable: 40_000,
      fundBears: 20_000,
      communityBears: 20_000,
    });
  });

  it('lets the fund bear half of an empty-reasonable overspend inside the band', () => {
    // O = 40,000 < band 100,000 → 40,000 × 0.5 = 20,000
    expect(settle(1_040_000)).toMatchObject({ overspend: 40_000, fundBears: 20_000, communityBears: 20_000 });
  });

  it('rounds the fund’s share half-up', () => {
    // 60,001 × 0.5 = 30,000.5 → 30,001; community 150,000 − 30,001 = 119,999
    expect(settle(1_150_000, { reasonableOverspend: 60_001 })).toMatchObject({
      fundBears: 30_001,
      communityBears: 119_999,
    });
  });

  it('leaves the whole overspend with the community when none is reasonable', () => {
    expect(settle(1_150_000, { reasonableOverspend: 0 })).toMatchObject({
      reasonable: 0,
      fundBears: 0,
      communityBears: 150_000,
    });
  });
});

describe('settleInsurance: balanced', () => {
  it('settles nothing when E = B', () => {
    expect(settle(B)).toEqual({ outcome: 'balanced', budget: B, actual: B });
  });
});
