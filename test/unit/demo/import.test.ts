import { beforeAll, describe, expect, it } from 'vitest';
import { parseDatasetFiles } from '../../../shared/dataset/index.js';
import { generateCounty } from '../../../shared/demo/index.js';
import { scoreAndGrade } from '../../../shared/domain/cycles.js';
import { monthsOfYear } from '../../../shared/domain/periods.js';
import type { Dataset } from '../../../shared/schemas/dataset.js';

let dataset: Dataset;

beforeAll(() => {
  const result = parseDatasetFiles(generateCounty());
  if (!result.ok) throw new Error(JSON.stringify(result.issues.slice(0, 5), null, 2));
  dataset = result.dataset;
});

describe('generated datasets pass the v1 import', () => {
  it('imports the default county with every row', () => {
    expect(dataset.scheme.community.id).toBe('xingguo-demo');
    expect(dataset.institutions).toHaveLength(31);
    expect(dataset.staff).toHaveLength(3500);
    expect(dataset.indicators).toHaveLength(24);
    expect(dataset.workload.length).toBeGreaterThan(41000);
  });

  it('imports a small year-so-far county with an insurance overspend', () => {
    const result = parseDatasetFiles(
      generateCounty({ seed: 11, staff: 600, townships: 6, months: 5, insuranceOutcome: 'overspend' }),
    );
    expect(result.ok ? [] : result.issues).toEqual([]);
  });

  it('gives the exact annual scores a spread over the grades', () => {
    const year = monthsOfYear(dataset.scheme.year);
    const grades = dataset.institutions.map((i) => {
      const values = dataset.indicatorValues.filter((v) => v.institutionId === i.id);
      return scoreAndGrade(dataset.scheme, i, dataset.indicators, values, year).grade.grade;
    });
    const count = (grade: string) => grades.filter((g) => g === grade).length;
    expect(count('优秀')).toBeGreaterThanOrEqual(1);
    expect(count('不合格')).toBeGreaterThanOrEqual(1);
    expect(count('良好') + count('合格')).toBeGreaterThan(grades.length / 2);
  });
});
