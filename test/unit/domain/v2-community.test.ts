/** DOMAIN.md §9.3: the community's own appraisal (总院) and the weighted community score. */
import { describe, expect, it } from 'vitest';
import { parseDatasetFiles } from '../../../shared/dataset/index.js';
import { communityScore } from '../../../shared/domain/annual.js';
import {
  communityIndicators,
  communityOwnScore,
  weightedCommunityScore,
} from '../../../shared/domain/community.js';
import { rational as r } from '../../../shared/domain/rational.js';
import { computeYear } from '../../../shared/domain/year.js';
import { appraisalJson, bulletinJson } from '../../../shared/results/contract.js';
import { appendRow, tinyFiles } from '../dataset/helpers.js';
import { exactly, indicator, valueRow } from './builders.js';

describe('§9.3 weighted community score', () => {
  it('rounds once, at the end: 0.4 × 80.12 + 0.6 × (90 × 3 + 70.01 × 4)/7 = 79.194… → 79.19', () => {
    const members = [
      { score: r('90'), headcount: 3 },
      { score: r('70.01'), headcount: 4 },
    ];
    // rounding the member mean first (78.58) would give 79.196 → 79.20
    expect(weightedCommunityScore('0.4', r('80.12'), members).toFraction()).toBe(exactly('79.19'));
    expect(communityScore(members).toFraction()).toBe(exactly('78.58'));
  });

  it('weighs only S_c when there are no staff, and only the members at ownWeight 0', () => {
    expect(weightedCommunityScore('0.4', r('80'), []).toFraction()).toBe(exactly('32'));
    expect(weightedCommunityScore('0', r('80'), [{ score: r('66.5'), headcount: 2 }]).toFraction()).toBe(
      exactly('66.5'),
    );
  });
});

describe('§9.3 S_c', () => {
  it('scores only indicators naming community (never *), over the community rows', () => {
    const indicators = [
      indicator({ id: 'all', appliesTo: '*' }),
      indicator({ id: 'own', appliesTo: ['community'], method: 'actual', weight: '30' }),
      indicator({ id: 'own2', appliesTo: ['township', 'community'], method: 'yes_no', weight: '10' }),
    ];
    expect(communityIndicators(indicators).map((i) => i.id)).toEqual(['own', 'own2']);
    const values = [
      valueRow('2026-01', '81', { institutionId: 'county7', indicatorId: 'own' }),
      valueRow('2026-01', '1', { institutionId: 'county7', indicatorId: 'own2' }),
    ];
    // S_c = 100 × (30 × 0.81 + 10) / 40 = 85.75
    const s = communityOwnScore(indicators, values, ['2026-01'], r(5));
    expect(s.score.toFraction()).toBe(exactly('85.75'));
  });
});

describe('§9.3 through a whole year (tiny dataset)', () => {
  const files = tinyFiles();
  const scheme = JSON.parse(files['scheme.json']!);
  scheme.communityScore = { ownWeight: '0.40' };
  let values = files['indicator-values.csv']!;
  for (const m of ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12'])
    values = appendRow(values, `2026-${m},county7,county_own,${m === '12' ? '70' : '90'},,`);
  const parsed = parseDatasetFiles({
    ...files,
    'scheme.json': JSON.stringify(scheme),
    'indicators.csv': appendRow(
      files['indicators.csv']!,
      'county_own,总院自评,Community own,governance,community,monthly,higher,mean,actual,10,,,',
    ),
    'indicator-values.csv': values,
  });

  it('imports community rows and adds S_c to the bulletin and the appraisal', () => {
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues.slice(0, 3)));
    const year = computeYear(parsed.dataset);
    const q4 = year.quarterly.get('2026-Q4')!;
    // Q4 mean = (90 + 90 + 70)/3 = 83.333… → S_c = 83.33
    expect(bulletinJson(q4.bulletin, q4.community)).toMatchObject({ communityOwnScore: '83.33' });
    const appraisal = appraisalJson(year.annual.institutions, year.annual.settlement);
    // year mean = (11 × 90 + 70)/12 = 88.333… → 88.33; v1 member part of the tiny year: 66.88 unrounded below
    expect(appraisal).toMatchObject({ communityOwnScore: '88.33' });
    const plain = computeYear({
      ...parsed.dataset,
      scheme: { ...parsed.dataset.scheme, communityScore: undefined },
    });
    expect(plain.annual.settlement.communityScore).toBe('66.88');
    // 0.4 × 88.33 + 0.6 × member mean, rounded once: check against the formula on the stored figures
    const heads = parsed.dataset.staff.reduce(
      (m, s) => m.set(s.institutionId, (m.get(s.institutionId) ?? 0) + 1),
      new Map<string, number>(),
    );
    const expected = weightedCommunityScore(
      '0.40',
      r('88.33'),
      year.annual.institutions.map((i) => ({
        score: r(i.score),
        headcount: heads.get(i.institutionId) ?? 0,
      })),
    );
    expect(r(appraisal.communityScore).toFraction()).toBe(expected.toFraction());
    expect(appraisal.communityScore).not.toBe('66.88');
  });

  it('refuses a community row for an indicator that does not name community', () => {
    const bad = parseDatasetFiles({
      ...files,
      'indicator-values.csv': appendRow(
        files['indicator-values.csv']!,
        '2026-01,county7,primary_visit_share,,1,2',
      ),
    });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.issues.map((i) => [i.file, i.column, i.rule])).toEqual([
      ['indicator-values.csv', 'institutionId', 'ref.unknown'],
    ]);
    expect(bad.issues[0]!.en).toContain('only for indicators whose appliesTo names community');
  });
});
