import { describe, expect, it } from 'vitest';
import { peerGroup, rankWithinPeers } from '../../../shared/domain/ranking.js';
import { rational } from '../../../shared/domain/rational.js';
import { bulletinRows } from '../../../shared/domain/results.js';
import type { InstitutionKind } from '../../../shared/schemas/dataset.js';
import type { QuarterlyInstitutionResult } from '../../../shared/schemas/results.js';

describe('peerGroup', () => {
  it.each<[InstitutionKind, string]>([
    ['county_hospital', 'county'],
    ['county_tcm', 'county'],
    ['county_mch', 'county'],
    ['county_other', 'county'],
    ['township', 'primary'],
    ['community', 'primary'],
    ['village', 'primary'],
    ['public_health', 'centre'],
    ['emergency', 'centre'],
  ])('puts %s in the %s group', (kind, group) => {
    expect(peerGroup(kind)).toBe(group);
  });
});

describe('rankWithinPeers', () => {
  const member = (institutionId: string, kind: InstitutionKind, score: string) => ({
    institutionId,
    kind,
    score: rational(score),
  });

  it('ranks each peer group separately by score descending', () => {
    // county: C02 90 > C01 85; the township's 95 does not push the county hospitals down
    const ranks = rankWithinPeers([
      member('C01', 'county_hospital', '85.00'),
      member('C02', 'county_tcm', '90.00'),
      member('T01', 'township', '95.00'),
      member('P01', 'public_health', '50.00'),
    ]);
    expect(Object.fromEntries(ranks)).toEqual({ C01: 2, C02: 1, T01: 1, P01: 1 });
  });

  it('gives equal scores the same rank and skips the next rank (1, 1, 3)', () => {
    const ranks = rankWithinPeers([
      member('T03', 'village', '60.00'),
      member('T01', 'township', '70.00'),
      member('T02', 'community', '70.00'),
      member('T04', 'township', '59.99'),
    ]);
    expect(Object.fromEntries(ranks)).toEqual({ T01: 1, T02: 1, T03: 3, T04: 4 });
  });

  it('compares scores exactly, so 70.00 and 70 tie', () => {
    const ranks = rankWithinPeers([member('A', 'township', '70.00'), member('B', 'township', '70')]);
    expect(Object.fromEntries(ranks)).toEqual({ A: 1, B: 1 });
  });
});

describe('bulletinRows', () => {
  const result = (
    institutionId: string,
    kind: InstitutionKind,
    score: string,
  ): QuarterlyInstitutionResult => ({
    institutionId,
    kind,
    score,
    grade: '良好',
    coefficient: '1.00',
    indicators: [],
    publicHealthScore: null,
    surplus: 0,
    fundExtraction: 0,
    pool: 0,
  });

  it('has no change in the first quarter', () => {
    const rows = bulletinRows([result('T01', 'township', '80.00')], null);
    expect(rows[0]).toMatchObject({ rank: 1, peerGroup: 'primary', change: null });
  });

  it('reports the change against the previous quarter’s rounded score, and null for a newcomer', () => {
    // T01: 80.00 − 82.35 = −2.35; T02 had no previous score
    const rows = bulletinRows(
      [result('T02', 'township', '75.10'), result('T01', 'township', '80.00')],
      new Map([['T01', '82.35']]),
    );
    expect(rows.map((r) => [r.institutionId, r.rank, r.change])).toEqual([
      ['T01', 1, '-2.35'],
      ['T02', 2, null],
    ]);
  });
});
