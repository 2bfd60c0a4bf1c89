/**
 * §9.1 manual mode, the pure parts: a head's amounts read from a CSV or a pasted spreadsheet column (fen,
 * every problem naming file, row and column), and the demo heads' split (to the fen, within the cap).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAmountsCsv, SubmissionInvalidError } from '../../../shared/app/secondary-service.js';
import { demoSplit } from '../../../shared/demo/secondary.js';

describe('a head’s amounts as CSV', () => {
  it('reads yuan to the fen, with a BOM, extra columns and tabs as a spreadsheet pastes them', () => {
    const csv = '\uFEFFstaffId,name,amount\r\nC01-002,张三,1200.5\r\nC01-003,李四,0\r\n';
    expect([...parseAmountsCsv(csv, 'a.csv')]).toEqual([
      ['C01-002', 120050],
      ['C01-003', 0],
    ]);
    expect([...parseAmountsCsv('staffId\tamount\nC01-002\t3.07\n', 'pasted')]).toEqual([['C01-002', 307]]);
  });

  it('reads GB18030 bytes (what Excel on Chinese Windows saves)', () => {
    const bytes = new Uint8Array([
      ...Buffer.from('staffId,name,amount\r\nC01-002,'),
      0xd5,
      0xc5,
      0xc8,
      0xfd, // 张三 in GBK
      ...Buffer.from(',12.34\r\n'),
    ]);
    expect(parseAmountsCsv(bytes, 'a.csv').get('C01-002')).toBe(1234);
  });

  it('names file, row and column of every problem', () => {
    const csv = 'staffId,amount\nC01-002,1.234\nC01-002,5\n,7\nC01-004,-1\n';
    const error = (() => {
      try {
        parseAmountsCsv(csv, 'a.csv');
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(SubmissionInvalidError);
    expect(error!.message).toContain('a.csv row 2 amount');
    expect(error!.message).toContain('a.csv row 3 staffId: C01-002 appears twice');
    expect(error!.message).toContain('a.csv row 4 staffId: empty');
    expect(error!.message).toContain('a.csv row 5 amount');
    expect(error!.message).toContain('第 5 行');
  });

  it('asks for the two columns it needs', () => {
    expect(() => parseAmountsCsv('id,yuan\nC01-002,1\n', 'a.csv')).toThrow(
      /row 1: the header needs the columns staffId and amount/,
    );
  });
});

describe('the demo heads’ split', () => {
  it('sums to the pool to the fen and keeps everyone within the cap', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 2_000_000 }), { minLength: 1, maxLength: 30 }),
        fc.option(fc.integer({ min: 11, max: 40 }), { nil: undefined }),
        (rules, capTenths) => {
          const pool = rules.reduce((a, b) => a + b, 0);
          const cap =
            capTenths === undefined ? undefined : Math.round((capTenths / 10) * (pool / rules.length));
          const members = rules.map((rule, i) => ({
            staffId: `S${String(i).padStart(3, '0')}`,
            name: `n${i}`,
            points: '1',
            rule,
          }));
          const split = demoSplit({
            departmentId: 'D',
            name: 'D',
            points: '1',
            pool,
            ...(cap === undefined ? {} : { cap, capMultiple: String(capTenths! / 10) }),
            members,
          });
          const amounts = [...split.values()];
          expect(amounts.reduce((a, b) => a + b, 0)).toBe(pool);
          for (const a of amounts) expect(a).toBeGreaterThanOrEqual(0);
          if (cap !== undefined) for (const a of amounts) expect(a).toBeLessThanOrEqual(cap);
        },
      ),
    );
  });
});
