/** The demo county with every DOMAIN.md §9 addition (what `npm start` runs): it imports and uses each one. */
import { describe, expect, it } from 'vitest';
import { parseDatasetFiles } from '../../../shared/dataset/index.js';
import { generateCounty } from '../../../shared/demo/index.js';
import { computeYear } from '../../../shared/domain/year.js';
import { appraisalJson, monthlyPaysheetJson } from '../../../shared/results/contract.js';

describe('the v2 demo county', () => {
  const v1 = generateCounty({ staff: 800, townships: 6 });
  const files = generateCounty({ staff: 800, townships: 6, v2: true });
  const parsed = parseDatasetFiles(files);

  it('keeps every v1 file but scheme.json, indicators.csv and indicator-values.csv byte-identical', () => {
    for (const name of Object.keys(v1) as (keyof typeof v1)[]) {
      if (['scheme.json', 'indicators.csv', 'indicator-values.csv'].includes(name)) continue;
      expect(files[name] === v1[name], name).toBe(true);
    }
    expect(files['indicator-values.csv'].startsWith(v1['indicator-values.csv'])).toBe(true);
  });

  it('imports and uses departments, the floor, secondments, the community’s own score, a veto and improve', () => {
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues.slice(0, 3)));
    const d = parsed.dataset;
    expect(d.departments!.length).toBeGreaterThan(3);
    expect(d.secondments!.length).toBeGreaterThanOrEqual(3);
    expect(new Set(d.secondments!.map((s) => s.hostInstitutionId)).size).toBe(3);
    expect(d.scheme.pay.funding1Floor).toBe(360_000);
    const year = computeYear(d);
    const appraisal = appraisalJson(year.annual.institutions, year.annual.settlement);
    expect(appraisal.communityOwnScore).toMatch(/^\d+\.\d\d$/);
    expect(appraisal.institutions.some((i) => i.vetoedBy === 'medical_safety')).toBe(true);
    const march = year.monthly.get('2026-03')!;
    expect(march.some((r) => (r.fiscalClaim ?? 0) > 0)).toBe(true);
    expect(march.some((r) => r.departments !== undefined)).toBe(true);
    expect(
      monthlyPaysheetJson('2026-03', march).some((r) => r.allowance !== undefined && r.allowance !== '0.00'),
    ).toBe(true);
    const improve = year.annual.institutions
      .flatMap((i) => i.indicators)
      .find((k) => k.indicatorId === 'contract_rate_growth');
    expect(improve?.missing).toBe(false);
  });
});
