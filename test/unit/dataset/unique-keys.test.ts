/**
 * Duplicate keys (period / institution / … ) are matched as the message shows them, joined with " / ":
 * also when cells hold slashes, where two different splits of one joined text are the same key.
 */
import { describe, expect, it } from 'vitest';
import { issuesOf, parseWith, tinyFiles } from './helpers.js';

const workload = tinyFiles()['workload.csv']!;
const header = workload.split('\n')[0]!;

const duplicates = (rows: string[]) =>
  issuesOf(parseWith({ 'workload.csv': `${header}\n${rows.join('\n')}\n` }))
    .filter((issue) => issue.rule === 'id.duplicate')
    .map(({ row, column, value, en }) => ({ row, column, value, en }));

describe('duplicate keys', () => {
  it('names the first row of a repeated period and staff id', () => {
    expect(
      duplicates(['2026-01,C01-001,1,80,1,1', '2026-02,C01-001,1,80,1,1', ' 2026-01 ,C01-001 ,2,80,1,1']),
    ).toEqual([
      {
        row: 4,
        column: 'staffId',
        value: 'C01-001 ',
        en: 'duplicate of row 2 (period / staffId = 2026-01 / C01-001)',
      },
    ]);
  });

  it('matches keys whose cells differ but whose joined text is the same', () => {
    expect(
      duplicates(['2026-01 /,x,1,80,1,1', '2026-01,/ x,1,80,1,1', 'a/b,c,1,80,1,1', 'a/b,c,1,80,1,1']),
    ).toEqual([
      {
        row: 3,
        column: 'staffId',
        value: '/ x',
        en: 'duplicate of row 2 (period / staffId = 2026-01 / / x)',
      },
      { row: 5, column: 'staffId', value: 'c', en: 'duplicate of row 4 (period / staffId = a/b / c)' },
    ]);
  });
});
