/** DOMAIN.md §9.4 at import: named params, the improve method, veto grades. */
import { describe, expect, it } from 'vitest';
import { appendRow, expectIssues, parseWith, tinyFiles } from './helpers.js';

const indicators = tinyFiles()['indicators.csv']!;
const row = (method: string, target: string, params: string) =>
  `v2x,改进,improve,quality,*,monthly,higher,mean,${method},5,${target},,${params}`;

describe('§9.4 indicators at import', () => {
  it('accepts improve with base= and a deduct with a veto, keeping named params', () => {
    const result = parseWith({
      'indicators.csv': appendRow(
        appendRow(indicators, row('improve', '0.05', 'base=12.5')),
        'v2y,安全,safety,quality,*,monthly,higher,sum,deduct,5,,,veto=不合格;2.50',
      ),
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const byId = new Map(result.dataset.indicators.map((i) => [i.id, i]));
    expect(byId.get('v2x')).toMatchObject({ method: 'improve', params: 'base=12.5' });
    expect(byId.get('v2y')!.params).toBe('veto=不合格;2.50');
  });

  it('refuses improve without a positive target, an unknown named param and an unknown veto grade', () => {
    const lines = indicators.trimEnd().split('\n').length;
    const issues = expectIssues(
      parseWith({
        'indicators.csv': [row('improve', '0', ''), row('yes_no', '', 'bse=1'), row('yes_no', '', 'veto=差')]
          .map((r, i) => r.replace('v2x', `v2${i}`))
          .reduce(appendRow, indicators),
      }),
      [
        { file: 'indicators.csv', row: lines + 1, column: 'target', rule: 'indicator.target.range' },
        { file: 'indicators.csv', row: lines + 2, column: 'params', rule: 'indicator.params.number' },
        { file: 'indicators.csv', row: lines + 3, column: 'params', rule: 'ref.unknown' },
      ],
    );
    expect(issues[1]!.en).toContain('unknown named param bse');
    expect(issues[2]!.zh).toContain('差');
  });
});
