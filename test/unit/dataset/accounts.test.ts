/**
 * Account and identity integrity at import (issues 13, 16): Luhn on card-like accounts with its per-row
 * override, shared accounts with their reason, look-alike ids, names, and repeated JSON keys.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { idSkeleton, luhnCheckDigit, luhnValid } from '../../../shared/dataset/accounts.js';
import { duplicateKeys } from '../../../shared/dataset/json-keys.js';
import { appendRow, expectIssues, issuesOf, parseWith, setCell, tinyFiles } from './helpers.js';

const staff = () => tinyFiles()['staff.csv']!;

/** staff.csv with extra columns added to the header and each row given ''. */
function withColumns(text: string, columns: string[]): string {
  const lines = text.trimEnd().split('\n');
  return `${[`${lines[0]},${columns.join(',')}`, ...lines.slice(1).map((l) => `${l}${','.repeat(columns.length)}`)].join('\n')}\n`;
}

describe('Luhn', () => {
  it('accepts real card numbers and refuses any single changed digit', () => {
    const card = '6222021234567890128';
    expect(luhnValid(card)).toBe(true);
    for (let i = 0; i < card.length; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === card[i]) continue;
        expect(luhnValid(card.slice(0, i) + d + card.slice(i + 1))).toBe(false);
      }
    }
  });

  it('completes any body with the one digit that passes', () => {
    for (const body of ['621700000000000000', '622612345678901', '0']) {
      expect(luhnValid(body + luhnCheckDigit(body))).toBe(true);
    }
  });
});

describe('card-like accounts at import', () => {
  it('refuses a cut account and says the spreadsheet probably cut it, with the account masked', () => {
    const [issue] = expectIssues(
      parseWith({ 'staff.csv': setCell(staff(), 2, 'bankAccount', '6290830166131860') }),
      [{ file: 'staff.csv', row: 2, column: 'bankAccount', rule: 'bankAccount.luhn' }],
    );
    expect(issue!.zh).toContain('电子表格');
    expect(issue!.en).toContain('spreadsheet');
    expect(issue!.value).toBe('************1860');
  });

  it('says the digits are already lost for scientific notation, in every spelling Excel writes it', () => {
    for (const written of ['6.22E+18', '6.22208E+18', '"6,22E+18"', '6.2e18']) {
      const [issue] = issuesOf(parseWith({ 'staff.csv': setCell(staff(), 2, 'bankAccount', written) }));
      expect(issue!.rule).toBe('bankAccount.lostDigits');
      expect(issue!.zh).toContain('已经丢失');
      expect(issue!.en).toContain('already lost');
    }
  });

  it('leaves accounts shorter than 16 or longer than 19 digits to the bank (not card numbers)', () => {
    const result = parseWith({ 'staff.csv': setCell(staff(), 2, 'bankAccount', '123456789012345') });
    expect(result.ok).toBe(true);
  });

  it('skips the Luhn check on a row marked accountCheck = nonCard, and keeps the mark in the dataset', () => {
    let text = withColumns(staff(), ['accountCheck']);
    text = setCell(text, 2, 'bankAccount', '6290830166131860');
    text = setCell(text, 2, 'accountCheck', 'nonCard');
    const result = parseWith({ 'staff.csv': text });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const person = result.dataset.staff.find((s) => s.staffId === 'C01-001')!;
    expect(person.bankAccount).toBe('6290830166131860');
    expect(person.accountCheck).toBe('nonCard');
    expect(result.dataset.staff.find((s) => s.staffId === 'C01-002')).not.toHaveProperty('accountCheck');
  });

  it('refuses any other accountCheck value', () => {
    const text = setCell(withColumns(staff(), ['accountCheck']), 2, 'accountCheck', 'yes');
    expectIssues(parseWith({ 'staff.csv': text }), [
      { file: 'staff.csv', row: 2, column: 'accountCheck', rule: 'enum.value' },
    ]);
  });
});

describe('shared bank accounts', () => {
  const shared = (text: string) => setCell(text, 3, 'bankAccount', '6290830166131868');

  it('refuses one account on two staff ids, naming the first row and its staff id', () => {
    const [issue] = expectIssues(parseWith({ 'staff.csv': shared(staff()) }), [
      { file: 'staff.csv', row: 3, column: 'bankAccount', rule: 'bankAccount.shared' },
    ]);
    expect(issue!.en).toContain('row 2 (C01-001)');
    expect(issue!.value).toBe('************1868');
  });

  it('refuses it when only one of the rows gives a reason', () => {
    const text = setCell(
      shared(withColumns(staff(), ['sharedAccountReason'])),
      2,
      'sharedAccountReason',
      '夫妻共用',
    );
    expectIssues(parseWith({ 'staff.csv': text }), [
      { file: 'staff.csv', row: 3, column: 'bankAccount', rule: 'bankAccount.shared' },
    ]);
  });

  it('accepts it when every row sharing it gives a reason, and stores the reason', () => {
    let text = shared(withColumns(staff(), ['sharedAccountReason']));
    text = setCell(text, 2, 'sharedAccountReason', '夫妻共用账户（院办 2026-01 批准）');
    text = setCell(text, 3, 'sharedAccountReason', '夫妻共用账户（院办 2026-01 批准）');
    const result = parseWith({ 'staff.csv': text });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.dataset.staff[1]!.sharedAccountReason).toBe('夫妻共用账户（院办 2026-01 批准）');
  });
});

describe('look-alike ids', () => {
  it('folds width, case and Cyrillic/Greek look-alikes to one skeleton', () => {
    const latin = idSkeleton('C01-001');
    for (const lookAlike of ['С01-001', 'Ｃ０１-００１', 'c01-001', 'Ϲ01-001'.replace('Ϲ', 'С')]) {
      expect(idSkeleton(lookAlike)).toBe(latin);
    }
    expect(idSkeleton('HOP')).toBe(idSkeleton('НОР')); // Cyrillic Н, О, Р
    expect(idSkeleton('HOP')).toBe(idSkeleton('ΗΟΡ')); // Greek Η, Ο, Ρ
    expect(idSkeleton('C01-001')).not.toBe(idSkeleton('C01-002'));
  });

  it('gives an ASCII id (its fast path) the skeleton the full fold gives', () => {
    // 'é' sends the id through NFKC and the look-alike table; it is its own skeleton and composes with nothing.
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii' }), (id) => {
        expect(idSkeleton(`${id}é`)).toBe(`${idSkeleton(id)}é`);
      }),
    );
  });

  for (const [what, id] of [
    ['full-width letters and digits', 'Ｃ01-００2'],
    ['another case', 'c01-002'],
    ['a Cyrillic С', 'С01-002'],
  ] as const) {
    it(`refuses a staff id that differs from another only by ${what}`, () => {
      const text = appendRow(staff(), `${id},职工X,C01,外科,nurse,1.0,,100.00,6214000000000009`);
      const [issue] = expectIssues(parseWith({ 'staff.csv': text }), [
        { file: 'staff.csv', row: 18, column: 'staffId', rule: 'id.confusable' },
      ]);
      expect(issue!.en).toContain('"C01-002" on row 3');
    });
  }

  it('refuses institution ids that differ only by case', () => {
    const text = appendRow(
      tinyFiles()['institutions.csv']!,
      'c01,县医院分院,county_hospital,2,1.0,0,100000.00',
    );
    const issues = issuesOf(parseWith({ 'institutions.csv': text }));
    expect(issues.map((i) => i.rule)).toContain('id.confusable');
  });
});

describe('names', () => {
  it('stores names NFC-normalised: a decomposed character becomes the composed one', () => {
    const decomposed = 'Jose\u0301'; // e + combining acute
    const result = parseWith({ 'staff.csv': setCell(staff(), 2, 'name', decomposed) });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.dataset.staff[0]!.name).toBe('Jos\u00e9');
  });

  it('flags a full-width space in a name', () => {
    const [issue] = issuesOf(parseWith({ 'staff.csv': setCell(staff(), 2, 'name', '欧阳\u3000娜') }));
    expect(issue).toMatchObject({ row: 2, column: 'name', rule: 'name.fullWidthSpace' });
    expect(issue!.zh).toContain('全角空格');
  });
});

describe('repeated JSON keys', () => {
  it('finds each repeated key with its path, at any depth, and nothing in JSON without them', () => {
    expect(duplicateKeys('{"a":1,"b":{"c":[{"d":1,"d":2}],"c":3},"a":"x"}')).toEqual([
      'b.c[0].d',
      'b.c',
      'a',
    ]);
    expect(duplicateKeys('{"a":"\\"a\\"","b":[1,{"a":1}],"c":{}}')).toEqual([]);
    expect(duplicateKeys('[{"k":1},{"k":2}]')).toEqual([]);
  });

  it('refuses scheme.json with holdbackRate twice, naming the key, whichever value would have won', () => {
    const scheme = tinyFiles()['scheme.json']!;
    for (const extra of ['0.5', '0.2']) {
      const twice = scheme.replace('"pay": {', `"pay": {\n    "holdbackRate": ${extra},`);
      const [issue] = expectIssues(parseWith({ 'scheme.json': twice }), [
        { file: 'scheme.json', column: 'pay.holdbackRate', rule: 'json.duplicateKey' },
      ]);
      expect(issue!.zh).toContain('两次');
    }
  });
});
