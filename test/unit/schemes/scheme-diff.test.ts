/**
 * The pure parts of issue 15: the readable scheme diff, the import rule's first differing field, the
 * scheme written back as scheme.json, the distribution of differences, and `--months`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMonths } from '../../../cli/simulate.js';
import { diffSchemes } from '../../../shared/app/scheme-diff.js';
import { firstDifference, firstIndicatorDifference, schemeJson } from '../../../shared/app/scheme-rule.js';
import { diffYears, type YearFigures } from '../../../shared/app/simulation-diff.js';
import { parseScheme } from '../../../shared/dataset/formats/scheme.js';
import { datasetOrThrow, parseDatasetFiles } from '../../../shared/dataset/index.js';
import type { Dataset } from '../../../shared/schemas/dataset.js';

const DIR = join(import.meta.dirname, '../../fixtures/tiny/dataset');
const files = Object.fromEntries(
  [
    'scheme.json',
    'institutions.csv',
    'staff.csv',
    'leaders.csv',
    'indicators.csv',
    'indicator-values.csv',
    'finance.csv',
    'workload.csv',
    'insurance.csv',
    'adjustments.csv',
  ].map((f) => [f, readFileSync(join(DIR, f), 'utf8')]),
);
const tiny: Dataset = datasetOrThrow(parseDatasetFiles(files));

describe('diffSchemes', () => {
  it('lists indicators added and removed, weight and target changes, band and parameter changes', () => {
    const scheme = structuredClone(tiny.scheme);
    scheme.pay.holdbackRate = '0.25';
    scheme.publicHealth.perCapita = 10_050;
    scheme.grades[1]!.min = '75';
    scheme.grades = scheme.grades
      .filter((g) => g.grade !== '不合格')
      .concat({
        min: '0',
        grade: '差',
        coefficient: '0.6',
        reserveRelease: '0.4',
        insuranceGate: '0.4',
      });
    const indicators = structuredClone(tiny.indicators)
      .filter((i) => i.id !== 'telemedicine')
      .map((i) => (i.id === 'referrals_down' ? { ...i, weight: '12', target: '150' } : i));
    indicators.push({ ...indicators[0]!, id: 'new_one', nameZh: '新指标' });
    const changes = diffSchemes(tiny, { scheme, indicators });
    const brief = changes.map((c) =>
      'field' in c
        ? `${c.kind} ${'id' in c ? c.id : 'grade' in c ? c.grade : ''} ${c.field} ${c.from}→${c.to}`
        : `${c.kind} ${'id' in c ? c.id : c.grade}`,
    );
    expect(brief.sort()).toEqual(
      [
        'indicator.added new_one',
        'indicator.removed telemedicine',
        'indicator.changed referrals_down weight 10→12',
        'indicator.changed referrals_down target 120→150',
        'grade.changed 良好 min 80→75',
        'grade.added 差',
        'grade.removed 不合格',
        'field.changed  pay.holdbackRate 0.2→0.25',
        'field.changed  publicHealth.perCapita 99.00→100.50',
      ].sort(),
    );
    for (const c of changes) {
      expect(c.zh.length).toBeGreaterThan(0);
      expect(c.en.length).toBeGreaterThan(0);
    }
  });

  it('finds nothing between a version and itself, nor between equal decimals written differently', () => {
    expect(diffSchemes(tiny, tiny)).toEqual([]);
    const scheme = structuredClone(tiny.scheme);
    scheme.pay.holdbackRate = '0.20';
    expect(diffSchemes(tiny, { scheme, indicators: tiny.indicators })).toEqual([]);
  });
});

describe('the import rule', () => {
  it('names the first differing scheme field in the file order', () => {
    const scheme = structuredClone(tiny.scheme);
    scheme.pay.tilt.core = '0.2';
    scheme.insurance.overspendBand = '0.2';
    expect(firstDifference(tiny.scheme, scheme)).toEqual({
      path: 'pay.tilt.core',
      published: '0.1',
      imported: '0.2',
    });
    scheme.grades[2]!.coefficient = '0.95';
    expect(firstDifference(tiny.scheme, scheme)?.path).toBe('grades[2].coefficient');
  });

  it('names the first differing indicators.csv row and column', () => {
    const indicators = structuredClone(tiny.indicators);
    indicators[3] = { ...indicators[3]!, params: 'x' };
    expect(firstIndicatorDifference(tiny.indicators, indicators)).toMatchObject({ row: 5, column: 'params' });
    expect(firstIndicatorDifference(tiny.indicators, tiny.indicators.slice(0, 4))).toMatchObject({
      row: 6,
      column: 'id',
    });
    expect(firstIndicatorDifference(tiny.indicators, tiny.indicators)).toBeUndefined();
  });

  it('writes a stored scheme back as a scheme.json the import reads to the same scheme', () => {
    const { scheme, issues } = parseScheme(schemeJson(tiny.scheme));
    expect(issues).toEqual([]);
    expect(scheme).toEqual(tiny.scheme);
  });

  it('writes §9.2 funding1Floor back in yuan too', () => {
    const stored = { ...tiny.scheme, pay: { ...tiny.scheme.pay, funding1Floor: 450_000 } };
    const { scheme, issues } = parseScheme(schemeJson(stored));
    expect(issues).toEqual([]);
    expect(scheme).toEqual(stored);
  });
});

describe('the distribution of differences', () => {
  const figures = (amounts: Record<string, number>): YearFigures => ({
    monthly: new Map([
      [
        '2026-01',
        [
          {
            institutionId: 'A',
            reward: 0,
            basicShare: null,
            basicShareOutOfRange: false,
            pool: 0,
            holdback: 0,
            distributable: 0,
            undistributed: 0,
            lines: Object.entries(amounts).map(([staffId, gross]) => ({
              staffId,
              basic: gross,
              reward: 0,
              adjustment: 0,
              gross,
              points: '0',
            })),
          },
        ],
      ],
    ]),
    quarterly: new Map(),
    annual: null,
  });

  it('puts every person in one band, zero apart, edges where they are stated', () => {
    const before = figures({ a: 100_000, b: 100_000, c: 100_000, d: 100_000, e: 100_000, f: 100_000 });
    // −100.00 yuan, −100.01, 0, +0.01, +100.00, +5000.01
    const after = figures({ a: 90_000, b: 89_999, c: 100_000, d: 100_001, e: 110_000, f: 600_001 });
    const diff = diffYears(2026, before, after);
    const counts = Object.fromEntries(
      diff.distribution.filter((b) => b.count > 0).map((b) => [b.label, b.count]),
    );
    expect(counts).toEqual({ '−100 … 0': 1, '−500 … −100': 1, '0': 1, '0 … 100': 2, '> 5000': 1 });
    expect(diff.counts).toEqual({ people: 6, winners: 3, losers: 2, unchanged: 1 });
    expect(diff.summary).toEqual({ min: -10_001, median: 1, max: 500_001 });
    expect(diff.community.difference).toBe(-10_000 - 10_001 + 1 + 10_000 + 500_001);
    expect(diff.changedFiles).toEqual(['monthly/2026-01/paysheet.json']);
  });
});

describe('--months', () => {
  it('reads ranges and lists, and refuses months outside 1–12', () => {
    expect(parseMonths('1-3')).toEqual([1, 2, 3]);
    expect(parseMonths('12,1,6-7')).toEqual([1, 6, 7, 12]);
    expect(() => parseMonths('0-3')).toThrow(/--months/);
    expect(() => parseMonths('5-2')).toThrow(/--months/);
    expect(() => parseMonths('13')).toThrow(/--months/);
  });
});
