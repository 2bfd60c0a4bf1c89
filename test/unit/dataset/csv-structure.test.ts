import { describe, expect, it } from 'vitest';
import { oneLineEnding } from '../../../shared/dataset/csv.js';
import { MAX_FILE_BYTES } from '../../../shared/dataset/index.js';
import { DAMAGED_UTF8_INSTITUTIONS, GBK_INSTITUTIONS } from '../../fixtures/bad/cases.js';
import { expectIssues, issuesOf, parseWith, setCell, tinyFiles } from './helpers.js';

const files = tinyFiles();
const staff = files['staff.csv']!;

describe('CSV structure', () => {
  it('rejects a misspelt column and suggests the intended one', () => {
    const text = staff.replace('basicMonthly', 'basicMonthy');
    const [unknown, missing] = expectIssues(parseWith({ 'staff.csv': text }), [
      { file: 'staff.csv', row: 1, column: 'basicMonthy', rule: 'header.unknown' },
      { file: 'staff.csv', row: 1, column: 'basicMonthly', rule: 'header.missing' },
    ]);
    expect(unknown!.en).toContain('did you mean basicMonthly?');
    expect(unknown!.zh).toContain('是否应为 basicMonthly？');
    expect(missing!.value).toBeUndefined();
  });

  it('rejects an unknown extra column but still checks the rows', () => {
    const lines = staff.trimEnd().split('\n');
    const text = lines.map((line, i) => `${line},${i === 0 ? 'remark' : 'x'}`).join('\n');
    const broken = text.replace(
      'C01-002,职工C012,C01,护理部,nurse,1.0,,3800.25',
      'C01-002,职工C012,C01,护理部,nurse,1.0,,38OO.25',
    );
    expectIssues(parseWith({ 'staff.csv': broken }), [
      { file: 'staff.csv', row: 1, column: 'remark', rule: 'header.unknown' },
      { file: 'staff.csv', row: 3, column: 'basicMonthly', rule: 'amount.format' },
    ]);
  });

  it('accepts a file without its optional columns', () => {
    const text = staff
      .trimEnd()
      .split('\n')
      .map((line) => line.split(',').slice(0, 8).join(','))
      .join('\n');
    const result = parseWith({ 'staff.csv': text });
    expect(result.ok && result.dataset.staff[0]).not.toHaveProperty('bankAccount');
  });

  it('rejects a column given twice', () => {
    const text = staff.replace('bankAccount', 'department');
    expectIssues(parseWith({ 'staff.csv': text }), [
      { file: 'staff.csv', row: 1, column: 'department', rule: 'header.duplicate' },
    ]);
  });

  it('names the line of an unclosed quote and still checks the rows before it', () => {
    const lines = staff.split('\n');
    lines[1] = lines[1]!.replace('2000.25', '2OOO.25');
    lines[3] = lines[3]!.replace('职工C013', '"职工C013');
    const issues = expectIssues(parseWith({ 'staff.csv': lines.join('\n') }), [
      { file: 'staff.csv', row: 2, column: 'basicMonthly', rule: 'amount.format' },
      { file: 'staff.csv', row: 4, rule: 'csv.quote' },
    ]);
    expect(issues[1]!.en).toContain('line 4');
    expect(issues[1]!.zh).toContain('第 4 行');
  });

  it('rejects a stray quote inside an unquoted cell', () => {
    const text = staff.replace('职工C014', '职工"C014"');
    expectIssues(parseWith({ 'staff.csv': text }), [{ file: 'staff.csv', row: 5, rule: 'csv.quote' }]);
  });

  it('rejects text after a closing quote', () => {
    const text = staff.replace('职工C014', '"职工"C014');
    expectIssues(parseWith({ 'staff.csv': text }), [{ file: 'staff.csv', row: 5, rule: 'csv.quote' }]);
  });

  it('reads RFC 4180 quoting: commas, doubled quotes and line breaks inside cells', () => {
    const text = staff
      .replace('职工C011', '"王, ""小"" 明"')
      .replace('职工C012', '"两行\n名字"')
      .replace(
        'C01-003,职工C013,C01,护理部,medtech,1.2,,3600.25',
        'C01-003,职工C013,C01,护理部,medtech,1.2,,3600.255',
      );
    const [issue] = expectIssues(parseWith({ 'staff.csv': text }), [
      // the multi-line cell on rows 3–4 pushes C01-003 to line 5
      { file: 'staff.csv', row: 5, column: 'basicMonthly', rule: 'amount.decimals' },
    ]);
    expect(issue!.value).toBe('3600.255');
    const fixed = parseWith({ 'staff.csv': text.replace('3600.255', '3600.25') });
    expect(fixed.ok && fixed.dataset.staff.slice(0, 2).map((s) => s.name)).toEqual([
      '王, "小" 明',
      '两行\n名字',
    ]);
  });

  it('rejects a row with more or fewer cells than the header', () => {
    const text = staff.replace('C01-004,职工C014,C01,外科', 'C01-004,职工C014,C01,外科,骨科');
    const [issue] = expectIssues(parseWith({ 'staff.csv': text }), [
      { file: 'staff.csv', row: 5, rule: 'csv.fieldCount' },
    ]);
    expect(issue!.en).toContain('10 cells but the header has 9 columns');
  });

  it('skips blank lines and rows of bare commas but keeps counting lines', () => {
    const lines = staff.trimEnd().split('\n');
    lines.splice(2, 0, '', ',,,,,,,,');
    lines[4] = lines[4]!.replace('nurse', 'nurses');
    const [issue] = expectIssues(parseWith({ 'staff.csv': `${lines.join('\n')}\n\n` }), [
      { file: 'staff.csv', row: 5, column: 'post', rule: 'enum.value' },
    ]);
    expect(issue!.value).toBe('nurses');
  });

  it('accepts a UTF-8 BOM and CRLF line ends', () => {
    const text = `\uFEFF${staff.replaceAll('\n', '\r\n')}`;
    const result = parseWith({ 'staff.csv': new TextEncoder().encode(text) });
    expect(result.ok && result.dataset.staff.map((s) => s.staffId)[0]).toBe('C01-001');
  });

  it('reads a CRLF file with LF lines added (as an editor leaves it) row by row, lines still counted', () => {
    const lines = staff.trimEnd().split('\n');
    lines[3] = lines[3]!.replace(',medtech,', ',medtechs,');
    // Rows 1–2 end in CRLF, the rest in LF: csv-parse alone would take "\r\n" as the only row break.
    const text = `${lines.slice(0, 2).join('\r\n')}\r\n${lines.slice(2).join('\n')}\n`;
    const [issue] = expectIssues(parseWith({ 'staff.csv': text }), [
      { file: 'staff.csv', row: 4, column: 'post', rule: 'enum.value' },
    ]);
    expect(issue!.value).toBe('medtechs');
    const fixed = text.replace('medtechs', 'medtech');
    const result = parseWith({ 'staff.csv': fixed });
    expect(result.ok && result.dataset.staff.length).toBe(lines.length - 1);
  });

  it('leaves a file with one kind of line ending as it is and gives a mixed one LF throughout', () => {
    for (const text of ['a,b\r\nc,d\r\n', 'a,b\nc,d\n', 'a,b\rc,d\r', 'a,b']) {
      expect(oneLineEnding(text)).toBe(text);
    }
    expect(oneLineEnding('a,b\r\nc,d\ne,f\r\n')).toBe('a,b\nc,d\ne,f\n');
    expect(oneLineEnding('a,b\rc,d\ne,f')).toBe('a,b\nc,d\ne,f');
    expect(oneLineEnding('a,b\r\nc,d\re,f')).toBe('a,b\nc,d\ne,f');
  });

  it('reads a GBK-encoded file (what Excel on Chinese Windows saves as "CSV") as GB18030 and says so', () => {
    const plain = parseWith({});
    const result = parseWith({ 'institutions.csv': GBK_INSTITUTIONS });
    if (!plain.ok) throw new Error('the tiny dataset must import');
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.dataset.institutions[0]!.name).toBe('县人民医院');
    expect(result.dataset.institutions).toEqual(plain.dataset.institutions);
    expect(result.summary.find((s) => s.file === 'institutions.csv')!.encoding).toBe('GB18030');
    expect(result.summary.find((s) => s.file === 'staff.csv')!.encoding).toBe('UTF-8');
  });

  it('refuses a UTF-8 file with damaged bytes, naming the damaged line, in both languages', () => {
    const [issue] = expectIssues(parseWith({ 'institutions.csv': DAMAGED_UTF8_INSTITUTIONS }), [
      { file: 'institutions.csv', row: 3, rule: 'file.encoding' },
    ]);
    expect(issue!.zh).toContain('UTF-8');
    expect(issue!.zh).toContain('无效的字节');
    expect(issue!.en).toContain('invalid bytes');
  });

  it('refuses bytes that are no text in any encoding, naming the first such line', () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('id,name\n'), 0xff, 0x0a]);
    const [issue] = issuesOf(parseWith({ 'institutions.csv': bytes }));
    expect(issue).toMatchObject({ file: 'institutions.csv', row: 2, rule: 'file.encoding' });
    expect(issue!.en).toContain('neither UTF-8 nor GB18030');
  });

  it('reads UTF-16 with a BOM, little- and big-endian, and UTF-8 with a BOM', () => {
    const text = tinyFiles()['institutions.csv']!;
    const le = Buffer.from(`\uFEFF${text}`, 'utf16le');
    const be = Buffer.from(le).swap16();
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    const plain = parseWith({});
    if (!plain.ok) throw new Error('the tiny dataset must import');
    for (const [bytes, encoding] of [
      [le, 'UTF-16LE'],
      [be, 'UTF-16BE'],
      [bom, 'UTF-8 (BOM)'],
    ] as const) {
      const result = parseWith({ 'institutions.csv': new Uint8Array(bytes) });
      if (!result.ok) throw new Error(JSON.stringify(result.issues));
      expect(result.dataset.institutions).toEqual(plain.dataset.institutions);
      expect(result.summary.find((s) => s.file === 'institutions.csv')!.encoding).toBe(encoding);
    }
  });

  it('names a semicolon separator, trailing commas and thousands separators for what they are', () => {
    const text = tinyFiles()['institutions.csv']!;
    const [semicolon] = issuesOf(parseWith({ 'institutions.csv': text.replaceAll(',', ';') }));
    expect(semicolon).toMatchObject({ file: 'institutions.csv', row: 1, rule: 'csv.separator' });
    expect(semicolon!.zh).toContain('“;”');

    const trailing = text
      .trimEnd()
      .split('\n')
      .map((line) => `${line},,`)
      .join('\n');
    const issues = issuesOf(parseWith({ 'institutions.csv': trailing }));
    expect(issues.map((i) => [i.row, i.rule])).toEqual([[1, 'csv.trailingComma']]);
    expect(issues[0]!.en).toContain('trailing commas');
    expect(JSON.stringify(issues)).not.toContain('header.unknown');

    const rowOnly = setCell(text, 3, 'approvedTotal', '317841.83,');
    expectIssues(parseWith({ 'institutions.csv': rowOnly }), [
      { file: 'institutions.csv', row: 3, rule: 'csv.trailingComma' },
    ]);

    const thousands = setCell(text, 2, 'approvedTotal', '"378,616.74"');
    expectIssues(parseWith({ 'institutions.csv': thousands }), [
      { file: 'institutions.csv', row: 2, column: 'approvedTotal', rule: 'number.thousandsSeparator' },
    ]);
  });

  it('names full-width (全角) digits and Excel dates in periods', () => {
    const [wide] = issuesOf(
      parseWith({ 'staff.csv': setCell(tinyFiles()['staff.csv']!, 2, 'basicMonthly', '２０００.２５') }),
    );
    expect(wide).toMatchObject({ row: 2, column: 'basicMonthly', rule: 'value.fullWidth' });
    expect(wide!.zh).toContain('全角');
    for (const written of ['2026/1/1', '2026-01-01', 'Jan-26', '26-Jan', '1/1/2026', '46023', '2026年1月']) {
      const [issue] = issuesOf(
        parseWith({ 'finance.csv': setCell(tinyFiles()['finance.csv']!, 2, 'period', written) }),
      );
      expect(issue, written).toMatchObject({ row: 2, column: 'period', rule: 'period.excelDate' });
    }
  });

  it('refuses a file over 50 MB before parsing it', () => {
    const huge = new Uint8Array(MAX_FILE_BYTES + 1); // all NUL bytes: would be garbage if it were parsed
    const [issue] = expectIssues(parseWith({ 'finance.csv': huge }), [
      { file: 'finance.csv', rule: 'file.tooLarge' },
    ]);
    expect(issue!.en).toContain('50 MB');
  });

  it('rejects an empty file and a required file with a header only', () => {
    expectIssues(
      parseWith({
        'workload.csv': '',
        'institutions.csv': 'id,name,kind,funding,tier,servedPopulation,approvedTotal\n',
      }),
      [
        { file: 'institutions.csv', rule: 'file.noRows' },
        { file: 'workload.csv', rule: 'file.empty' },
      ],
    );
  });

  it('accepts data files with a header only where rows may come later in the year', () => {
    const result = parseWith({
      'workload.csv': 'period,staffId,workPoints,quality,attendedDays,scheduledDays\n',
      'finance.csv': 'period,institutionId,category,amount\n',
      'indicator-values.csv': 'period,institutionId,indicatorId,value,numerator,denominator\n',
    });
    expect(result.ok).toBe(true);
  });

  it('collects the issues of every file in one answer, ordered by file and row', () => {
    const issues = issuesOf(
      parseWith({
        'workload.csv': files['workload.csv']!.replace(
          '2026-01,C01-002,746,85.8',
          '2026-01,C01-002,746,185.8',
        ),
        'staff.csv': staff.replace('6290830166131868', '6290-8301'),
        'scheme.json': files['scheme.json']!.replace('"bonusCap": 5', '"bonusCap": -5'),
      }),
    );
    expect(issues.map((i) => [i.file, i.row, i.column, i.rule])).toEqual([
      ['scheme.json', undefined, 'bonusCap', 'decimal.range'],
      ['staff.csv', 2, 'bankAccount', 'bankAccount.format'],
      ['workload.csv', 3, 'quality', 'decimal.range'],
    ]);
  });
});
