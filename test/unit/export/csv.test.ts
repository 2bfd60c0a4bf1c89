import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { excelCsv, paySheetCsv } from '../../../shared/export/csv.js';
import { AMOUNT_KEYS, expectedOrder, line, sampleSheet, sumOf } from './fixtures.js';
import { decimalToFen } from './xlsx-reader.js';

const HEADER =
  '期间,机构编码,机构名称,科室,工号,姓名,岗位,基础性绩效,奖励性绩效,季度结余奖励,年度考核奖励,调整,应发合计';

function records(csv: string): string[][] {
  return parse(csv, { bom: true, relax_column_count: false }) as string[][];
}

describe('paySheetCsv', () => {
  const sheet = sampleSheet();
  const csv = paySheetCsv(sheet);
  const rows = records(csv);

  it('starts with a UTF-8 BOM so Excel and WPS read the Chinese correctly', () => {
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(Buffer.from(csv, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });

  it('writes the exact Chinese header row and CRLF line endings', () => {
    expect(csv.slice(1).split('\r\n')[0]).toBe(HEADER);
    expect(csv.replace(/\r\n/g, '')).not.toMatch(/\n/);
    expect(csv.endsWith('\r\n')).toBe(true);
  });

  it('sorts rows by institutionId then staffId and shows posts in Chinese', () => {
    const body = rows.slice(1, -1);
    expect(body.map((r) => r[4])).toEqual(expectedOrder(sheet.lines).map((l) => l.staffId));
    expect(body.map((r) => r[6])).toEqual(['医师', '护士', '药师', '乡村医生', '公卫']);
  });

  it('writes every amount with two decimals, equal to the fen on the line', () => {
    const body = rows.slice(1, -1);
    expectedOrder(sheet.lines).forEach((l, i) => {
      const cells = (body[i] as string[]).slice(7);
      for (const cell of cells) expect(cell).toMatch(/^-?\d+\.\d\d$/);
      expect(cells.map(decimalToFen)).toEqual(AMOUNT_KEYS.map((k) => l[k]));
    });
  });

  it('ends with a 合计 row equal to the column sums computed from fen', () => {
    const total = rows.at(-1) as string[];
    expect(total[0]).toBe('合计');
    expect(total.slice(1, 7)).toEqual(['', '', '', '', '', '']);
    expect(total.slice(7).map(decimalToFen)).toEqual(AMOUNT_KEYS.map((k) => sumOf(sheet.lines, k)));
    expect(total[12]).toBe('1254826.70'); // 2879.55 + 3801.24 + 3534.02 + 1244611.89 + 0
  });

  it('formats negative amounts with a plain minus sign and no guard', () => {
    const row = rows.find((r) => r[4] === 'T02-002') as string[];
    expect(row[11]).toBe('-120.50');
    expect(csv).toContain(',-120.50,');
    expect(csv).not.toContain("'-120.50");
  });

  it('neutralises formula-looking text with a leading apostrophe', () => {
    const names = rows.map((r) => r[5]);
    expect(names).toContain("'=1+2");
    expect(names).toContain("'@SUM(A1)");
    expect(names).toContain("'+86");
    expect(rows.map((r) => r[3])).toContain("'-x");
    expect(names).not.toContain('=1+2');
  });

  it('guards tab- and CR-led text and leaves ordinary text alone', () => {
    const out = records(
      paySheetCsv({
        ...sampleSheet(),
        lines: [
          line({ staffId: 'A', name: '\t=cmd', department: '\rX' }),
          line({ staffId: 'B', name: 'a=b', department: '内科-一病区' }),
        ],
      }),
    );
    expect(out[1]?.slice(3, 6)).toEqual(["'\rX", 'A', "'\t=cmd"]);
    expect(out[2]?.slice(3, 6)).toEqual(['内科-一病区', 'B', 'a=b']);
  });

  it('keeps HTML in names as literal text', () => {
    expect(rows.map((r) => r[5])).toContain('<b>李四</b> & <script>alert(1)</script>');
  });

  it('quotes commas, quotes and line breaks inside text', () => {
    const out = paySheetCsv({ ...sampleSheet(), lines: [line({ name: '王"五",\r\n六' })] });
    expect(out).toContain('"王""五"",\r\n六"');
    expect(records(out)[1]?.[5]).toBe('王"五",\r\n六');
  });

  it('writes just the header and a zero 合计 row for an empty sheet', () => {
    const out = records(paySheetCsv({ ...sampleSheet(), lines: [] }));
    expect(out).toHaveLength(2);
    expect(out[1]?.slice(7)).toEqual(['0.00', '0.00', '0.00', '0.00', '0.00', '0.00']);
  });

  it('does not reorder the caller’s lines', () => {
    const input = sampleSheet();
    const before = input.lines.map((l) => l.staffId);
    paySheetCsv(input);
    expect(input.lines.map((l) => l.staffId)).toEqual(before);
  });
});

describe('excelCsv', () => {
  it('quotes a bare LF or CR too, which a spreadsheet may take for the end of a row (csv-stringify left them bare)', () => {
    const out = paySheetCsv({ ...sampleSheet(), lines: [line({ name: '张\n三', department: '内\r科' })] });
    expect(out).toContain(',"内\r科",C01-001,"张\n三",');
    // Outside quotes, the only line breaks are the rows' CRLF: 3 rows, 3 breaks.
    expect(out.replace(/"[^"]*"/g, '').match(/[\r\n]+/g)).toEqual(['\r\n', '\r\n', '\r\n']);
  });

  it('quotes a field with a quote, comma or line break and doubles its quotes; nothing else', () => {
    expect(excelCsv([['a"b', 'c,d', 'e\rf', 'g\nh', "'=1", '']])).toBe(
      '\uFEFF"a""b","c,d","e\rf","g\nh",\'=1,\r\n',
    );
  });
});
