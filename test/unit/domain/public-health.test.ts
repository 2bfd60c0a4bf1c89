import { describe, expect, it } from 'vitest';
import { type PublicHealthMember, settlePublicHealth } from '../../../shared/domain/public-health.js';
import { rational } from '../../../shared/domain/rational.js';
import { scheme } from './builders.js';

const rules = scheme().publicHealth; // perCapita 99.00 yuan = 9,900 fen, preAllocationRate 0.60

// G = 9,900 × 1,000 = 9,900,000 fen, split by served population 7 : 5 : 1 : 0 (Σ 13):
//   A 9,900,000 × 7/13 = 5,330,769 + 3/13   B × 5/13 = 3,807,692 + 4/13   C × 1/13 = 761,538 + 6/13   D 0
//   floors 9,899,999 → the leftover fen to C (6/13 is the largest remainder) → C 761,539
const members: PublicHealthMember[] = [
  { institutionId: 'A', servedPopulation: 7, publicHealthScore: rational(80) },
  { institutionId: 'B', servedPopulation: 5, publicHealthScore: rational(50) },
  { institutionId: 'C', servedPopulation: 1, publicHealthScore: null },
  { institutionId: 'D', servedPopulation: 0, publicHealthScore: null },
];

describe('settlePublicHealth', () => {
  const result = settlePublicHealth(rules, 1000, members);
  const row = (id: string) => result.rows.find((r) => r.institutionId === id)!;

  it('budgets G = perCapita × residentPopulation', () => {
    expect(result.total).toBe(9_900_000);
  });

  it('splits G by served population with largest remainders', () => {
    expect(result.rows.map((r) => [r.institutionId, r.base])).toEqual([
      ['A', 5_330_769],
      ['B', 3_807_692],
      ['C', 761_539],
      ['D', 0],
    ]);
  });

  it('pre-allocates round(base × 0.60)', () => {
    // A 3,198,461.4 → 3,198,461; B 2,284,615.2 → 2,284,615; C 456,923.4 → 456,923
    expect(result.rows.map((r) => r.preAllocated)).toEqual([3_198_461, 2_284_615, 456_923, 0]);
  });

  it('entitles round(base × q) with q from the public_health dimension score', () => {
    // A q = 0.8: 4,264,615.2 → 4,264,615, settlement 4,264,615 − 3,198,461 = 1,066,154
    expect(row('A')).toMatchObject({
      quality: '4/5',
      qualityDefaulted: false,
      entitlement: 4_264_615,
      settlement: 1_066_154,
    });
  });

  it('claws back a pre-allocation above the entitlement as a negative settlement', () => {
    // B q = 0.5: 3,807,692 × 0.5 = 1,903,846; settlement 1,903,846 − 2,284,615 = −380,769
    expect(row('B')).toMatchObject({ quality: '1/2', entitlement: 1_903_846, settlement: -380_769 });
  });

  it('uses q = 1, flagged, where no public_health indicator applies', () => {
    // C: entitlement = base 761,539; settlement 761,539 − 456,923 = 304,616
    expect(row('C')).toMatchObject({
      quality: '1',
      qualityDefaulted: true,
      entitlement: 761_539,
      settlement: 304_616,
    });
    expect(row('D')).toMatchObject({
      base: 0,
      preAllocated: 0,
      entitlement: 0,
      settlement: 0,
      qualityDefaulted: true,
    });
  });

  it('keeps G − Σ entitlement with the community', () => {
    // 9,900,000 − (4,264,615 + 1,903,846 + 761,539 + 0) = 9,900,000 − 6,930,000 = 2,970,000
    expect(result.retainedByCommunity).toBe(2_970_000);
  });

  it('caps q at 1', () => {
    // a dimension score above 100 (not reachable through scoring, but the formula says min(1, D/100))
    const capped = settlePublicHealth(rules, 1000, [
      { institutionId: 'A', servedPopulation: 1, publicHealthScore: rational(150) },
    ]);
    expect(capped.rows[0]).toMatchObject({ quality: '1', entitlement: 9_900_000, settlement: 3_960_000 });
    expect(capped.retainedByCommunity).toBe(0);
  });

  it('claws back the whole pre-allocation when the dimension score is 0', () => {
    // q = 0: entitlement 0; settlement −round(9,900,000 × 0.6) = −5,940,000; all of G stays with the community
    const zero = settlePublicHealth(rules, 1000, [
      { institutionId: 'A', servedPopulation: 1, publicHealthScore: rational(0) },
    ]);
    expect(zero.rows[0]).toMatchObject({
      quality: '0',
      qualityDefaulted: false,
      entitlement: 0,
      settlement: -5_940_000,
    });
    expect(zero.retainedByCommunity).toBe(9_900_000);
  });

  it('keeps all of G with the community when no member serves anyone', () => {
    const none = settlePublicHealth(rules, 1000, [
      { institutionId: 'A', servedPopulation: 0, publicHealthScore: null },
    ]);
    expect(none.rows[0]).toMatchObject({ base: 0, entitlement: 0 });
    expect(none.retainedByCommunity).toBe(9_900_000);
  });
});
