/**
 * staff.csv's optional idNumber (身份证号) and branch (开户行) columns (issue 16): an identity number is
 * 18 characters with a valid birth date and the GB 11643 check character; one a spreadsheet mangled is
 * named for what happened; issues quote it masked; the columns are kept in the dataset, and a staff.csv
 * without them stays exactly what it was.
 */
import { describe, expect, it } from 'vitest';
import { Problem } from '../../../shared/dataset/errors.js';
import { idNumber, idNumberCheck } from '../../../shared/dataset/id-number.js';
import { expectIssues, issuesOf, parseWith, setCell, tinyFiles } from './helpers.js';

const staff = () => tinyFiles()['staff.csv']!;

function withColumns(text: string, columns: string[]): string {
  const lines = text.trimEnd().split('\n');
  return `${[`${lines[0]},${columns.join(',')}`, ...lines.slice(1).map((l) => `${l}${','.repeat(columns.length)}`)].join('\n')}\n`;
}

// The example of GB 11643-1999 and two more whose check characters were computed apart from this code.
const VALID = ['11010519491231002X', '440524188001010014', '110105198001010016'];

describe('the 身份证号 check', () => {
  it('accepts valid numbers (the standard’s example among them) and writes a final x as X', () => {
    for (const n of VALID) expect(idNumber(n)).toBe(n);
    expect(idNumber(' 11010519491231002x ')).toBe('11010519491231002X');
  });

  it('computes the check character of every body, and refuses any other check character', () => {
    for (const n of VALID) expect(idNumberCheck(n.slice(0, 17))).toBe(n[17]);
    const body = '11010519491231002';
    for (const c of '0123456789X') {
      const result = idNumber(body + c);
      if (c === 'X') expect(result).toBe(`${body}X`);
      else expect((result as Problem).rule).toBe('idNumber.checksum');
    }
  });

  it('names a wrong length, a date that does not exist and scientific notation', () => {
    expect((idNumber('1101051949123100') as Problem).en).toContain('this one has 16');
    expect((idNumber('110105194902300011') as Problem).en).toContain('birth date'); // 30 February
    const lost = idNumber('1.10105E+17') as Problem;
    expect(lost).toBeInstanceOf(Problem);
    expect(lost.en).toContain('scientific notation');
  });
});

describe('staff.csv with idNumber and branch', () => {
  it('keeps both in the dataset for the rows that have them', () => {
    let text = withColumns(staff(), ['idNumber', 'branch']);
    text = setCell(text, 2, 'idNumber', '11010519491231002x');
    text = setCell(text, 2, 'branch', ' 中国农业银行某县支行 ');
    const result = parseWith({ 'staff.csv': text });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const person = result.dataset.staff.find((s) => s.staffId === 'C01-001')!;
    expect(person.idNumber).toBe('11010519491231002X');
    expect(person.branch).toBe('中国农业银行某县支行');
    const other = result.dataset.staff.find((s) => s.staffId === 'C01-002')!;
    expect(other).not.toHaveProperty('idNumber');
    expect(other).not.toHaveProperty('branch');
  });

  it('without the columns, reads exactly the dataset it always did', () => {
    const result = parseWith({});
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    for (const person of result.dataset.staff) {
      expect(person).not.toHaveProperty('idNumber');
      expect(person).not.toHaveProperty('branch');
    }
  });

  it('refuses one number on two staff ids unless every row holding it gives a reason', () => {
    let text = withColumns(staff(), ['idNumber', 'sharedAccountReason']);
    text = setCell(text, 2, 'idNumber', '11010519491231002X');
    text = setCell(text, 4, 'idNumber', '11010519491231002x');
    const [issue] = expectIssues(parseWith({ 'staff.csv': text }), [
      { file: 'staff.csv', row: 4, column: 'idNumber', rule: 'idNumber.shared' },
    ]);
    expect(issue!.value).toBe('************002X');
    expect(issue!.en).toContain('row 2');
    text = setCell(text, 2, 'sharedAccountReason', '同一人兼任两院，经医管会决定');
    text = setCell(text, 4, 'sharedAccountReason', '同一人兼任两院，经医管会决定');
    expect(parseWith({ 'staff.csv': text }).ok).toBe(true);
  });

  it('refuses a wrong number naming row and column, quoting it masked', () => {
    const text = setCell(withColumns(staff(), ['idNumber']), 3, 'idNumber', '110105194912310021');
    const [issue] = expectIssues(parseWith({ 'staff.csv': text }), [
      { file: 'staff.csv', row: 3, column: 'idNumber', rule: 'idNumber.checksum' },
    ]);
    expect(issue!.value).toBe('************0021');
    expect(JSON.stringify(issuesOf(parseWith({ 'staff.csv': text })))).not.toContain('110105194912310021');
  });
});
