import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDatasetFiles, readDatasetDir } from '../../../shared/dataset/index.js';
import { Dataset } from '../../../shared/schemas/dataset.js';
import { TINY_DIR } from './helpers.js';

const result = await readDatasetDir(TINY_DIR);
if (!result.ok) throw new Error(`tiny dataset rejected:\n${JSON.stringify(result.issues, null, 2)}`);
const { dataset, summary } = result;

describe('the tiny golden dataset', () => {
  it('is accepted and passes the canonical Dataset schema unchanged', () => {
    expect(Dataset.parse(dataset)).toEqual(dataset);
  });

  it('reports the number of data rows of every CSV file', () => {
    expect(summary).toEqual([
      { file: 'institutions.csv', rows: 4, encoding: 'UTF-8' },
      { file: 'staff.csv', rows: 16, encoding: 'UTF-8' },
      { file: 'leaders.csv', rows: 3, encoding: 'UTF-8' },
      { file: 'indicators.csv', rows: 11, encoding: 'UTF-8' },
      { file: 'indicator-values.csv', rows: 315, encoding: 'UTF-8' },
      { file: 'finance.csv', rows: 720, encoding: 'UTF-8' },
      { file: 'workload.csv', rows: 192, encoding: 'UTF-8' },
      { file: 'insurance.csv', rows: 1, encoding: 'UTF-8' },
      { file: 'adjustments.csv', rows: 2, encoding: 'UTF-8' },
    ]);
    expect(dataset.finance).toHaveLength(720);
    expect(dataset.workload).toHaveLength(192);
  });

  it('turns yuan into integer fen', () => {
    const staff = dataset.staff.find((s) => s.staffId === 'C01-001');
    expect(staff?.basicMonthly).toBe(200025);
    expect(dataset.institutions.find((i) => i.id === 'C01')?.approvedTotal).toBe(37861674);
    expect(dataset.insurance).toEqual([{ year: 2026, budget: 96000000, actual: 92575563 }]);
    expect(dataset.adjustments.map((a) => a.amount)).toEqual([-12050, 30000]);
    expect(dataset.leaders[0]).toEqual({ staffId: 'C01-001', targetAnnualSalary: 23000000 });
  });

  it('reads perCapita as yuan into fen and JSON numbers as exact decimal strings', () => {
    expect(dataset.scheme.publicHealth).toEqual({ perCapita: 9900, preAllocationRate: '0.6' });
    expect(dataset.scheme.pay.tilt.high_risk).toBe('0.15');
    expect(dataset.scheme.pay.basicShareRange).toEqual(['0.5', '0.8']);
    expect(dataset.scheme.insurance.retentionTiers).toEqual([
      { upTo: '0.05', rate: '1' },
      { upTo: null, rate: '0.5' },
    ]);
  });

  it('orders grades by min descending', () => {
    expect(dataset.scheme.grades.map((g) => [g.min, g.grade, g.coefficient])).toEqual([
      ['90', '优秀', '1.1'],
      ['80', '良好', '1'],
      ['60', '合格', '0.9'],
      ['0', '不合格', '0.7'],
    ]);
  });

  it('keeps decimal strings from CSV as written', () => {
    const staff = dataset.staff.find((s) => s.staffId === 'C01-006');
    expect(staff).toMatchObject({
      postCoefficient: '1.1',
      flags: ['high_risk', 'key'],
      basicMonthly: 320050,
    });
    expect(dataset.institutions.find((i) => i.id === 'T01')?.tier).toBe('1.2');
    const records = dataset.indicatorValues.find(
      (v) => v.period === '2026-03' && v.institutionId === 'P01' && v.indicatorId === 'records_in_use',
    );
    expect(records).toEqual({
      period: '2026-03',
      institutionId: 'P01',
      indicatorId: 'records_in_use',
      value: '0.420',
    });
  });

  it('leaves empty optional cells out of the rows', () => {
    const ratio = dataset.indicatorValues.find((v) => v.indicatorId === 'insurance_in_county');
    expect(ratio).not.toHaveProperty('value');
    const indicator = dataset.indicators.find((i) => i.id === 'primary_visit_share');
    expect(indicator).toMatchObject({ appliesTo: '*', method: 'ge_target', target: '0.65', weight: '15' });
    expect(indicator).not.toHaveProperty('floor');
    expect(indicator).not.toHaveProperty('params');
    expect(dataset.indicators.find((i) => i.id === 'records_in_use')?.params).toBe('0.6:1;0.5:0.8;0.4:0.5');
  });

  it('gives the same dataset from raw bytes as from the folder', () => {
    const bytes = Object.fromEntries(
      readdirSync(TINY_DIR).map((name) => [name, new Uint8Array(readFileSync(`${TINY_DIR}/${name}`))]),
    );
    const fromBytes = parseDatasetFiles(bytes);
    expect(fromBytes).toEqual(result);
  });
});
