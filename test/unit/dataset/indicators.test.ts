import { describe, expect, it } from 'vitest';
import { expectIssues, parseWith, setCell, tinyFiles } from './helpers.js';

const indicators = tinyFiles()['indicators.csv']!;
// Rows of the tiny indicators.csv (header = 1).
const GE_TARGET = 2;
const LE_TARGET = 3;
const LINEAR = 4;
const DEDUCT = 7;
const BANDS = 9;
const BONUS = 12;

const withCells = (...changes: [row: number, column: string, value: string][]) =>
  parseWith({
    'indicators.csv': changes.reduce(
      (text, [row, column, value]) => setCell(text, row, column, value),
      indicators,
    ),
  });

describe('indicators.csv', () => {
  it('rejects an unknown method, cadence, direction and aggregation, listing the allowed values', () => {
    const [method] = expectIssues(
      withCells(
        [GE_TARGET, 'method', 'at_least'],
        [LE_TARGET, 'cadence', 'weekly'],
        [LINEAR, 'direction', 'up'],
        [BANDS, 'aggregation', 'avg'],
      ),
      [
        { file: 'indicators.csv', row: GE_TARGET, column: 'method', rule: 'enum.value' },
        { file: 'indicators.csv', row: LE_TARGET, column: 'cadence', rule: 'enum.value' },
        { file: 'indicators.csv', row: LINEAR, column: 'direction', rule: 'enum.value' },
        { file: 'indicators.csv', row: BANDS, column: 'aggregation', rule: 'enum.value' },
      ],
    );
    expect(method!.en).toContain('yes_no, ge_target, le_target, linear, bands, deduct, bonus, actual');
  });

  it('rejects a weight of zero or below', () => {
    expectIssues(withCells([GE_TARGET, 'weight', '0'], [LE_TARGET, 'weight', '-5']), [
      { file: 'indicators.csv', row: GE_TARGET, column: 'weight', rule: 'decimal.range' },
      { file: 'indicators.csv', row: LE_TARGET, column: 'weight', rule: 'decimal.range' },
    ]);
  });

  it('rejects malformed bands: a missing fraction, a fraction above 1, a repeated threshold, none at all', () => {
    const cases = ['0.6:1;0.5', '0.6:1.2', '0.6:1;0.60:0.5', '', '0.6-1'];
    for (const params of cases) {
      const [issue] = expectIssues(withCells([BANDS, 'params', params]), [
        { file: 'indicators.csv', row: BANDS, column: 'params', rule: 'indicator.params.bands' },
      ]);
      expect(issue!.en).toContain('threshold:fraction');
    }
  });

  it('rewrites valid bands canonically for scoring', () => {
    const result = withCells([BANDS, 'params', ' 0.60 : 1 ; .5:0.8;0.4:0 ;']);
    expect(result.ok && result.dataset.indicators.find((i) => i.method === 'bands')?.params).toBe(
      '0.60:1;0.5:0.8;0.4:0',
    );
  });

  it('needs points per event for deduct and bonus', () => {
    expectIssues(withCells([DEDUCT, 'params', ''], [BONUS, 'params', 'five']), [
      { file: 'indicators.csv', row: DEDUCT, column: 'params', rule: 'indicator.params.number' },
      { file: 'indicators.csv', row: BONUS, column: 'params', rule: 'indicator.params.number' },
    ]);
  });

  it('needs a target for ge_target and le_target, positive for ge_target', () => {
    expectIssues(withCells([GE_TARGET, 'target', ''], [5, 'target', '0'], [LE_TARGET, 'target', '-1']), [
      { file: 'indicators.csv', row: GE_TARGET, column: 'target', rule: 'indicator.target.required' },
      { file: 'indicators.csv', row: LE_TARGET, column: 'target', rule: 'indicator.target.range' },
      { file: 'indicators.csv', row: 5, column: 'target', rule: 'indicator.target.range' },
    ]);
  });

  it('needs a target and a distinct floor on the right side for linear', () => {
    expectIssues(withCells([LINEAR, 'floor', '']), [
      { file: 'indicators.csv', row: LINEAR, column: 'floor', rule: 'indicator.floor.required' },
    ]);
    expectIssues(withCells([LINEAR, 'floor', '0.9']), [
      { file: 'indicators.csv', row: LINEAR, column: 'floor', rule: 'indicator.linear.equal' },
    ]);
    const [swapped] = expectIssues(withCells([LINEAR, 'target', '0.70'], [LINEAR, 'floor', '0.90']), [
      { file: 'indicators.csv', row: LINEAR, column: 'floor', rule: 'indicator.linear.order' },
    ]);
    expect(swapped!.en).toContain('direction higher');
    expect(
      withCells([LINEAR, 'direction', 'lower'], [LINEAR, 'target', '0.70'], [LINEAR, 'floor', '0.90']).ok,
    ).toBe(true);
  });

  it('reads appliesTo as * or a list of kinds, never both', () => {
    expectIssues(
      withCells([GE_TARGET, 'appliesTo', '*;township'], [LE_TARGET, 'appliesTo', 'county_hospital;clinic']),
      [
        { file: 'indicators.csv', row: GE_TARGET, column: 'appliesTo', rule: 'enum.value' },
        { file: 'indicators.csv', row: LE_TARGET, column: 'appliesTo', rule: 'enum.value' },
      ],
    );
  });
});
