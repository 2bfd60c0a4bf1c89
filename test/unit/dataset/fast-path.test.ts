/**
 * The row check's fast path (shared/dataset/table.ts) against the zod schemas it stands in for: on every
 * row it accepts it must give exactly the value zod gives (same keys, same order, same types), and it
 * must accept nothing zod refuses, so that every refused row still gets zod's issues. Also the
 * hand-written decimal lexer against the regular expressions it replaced, and the dataset contract for
 * the monthly and staff rows, which the import checks on one row per table only (shared/dataset/parse.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cellsOf, readCsv } from '../../../shared/dataset/csv.js';
import {
  canonicalDecimal,
  compareDecimal,
  parseDecimal,
  parseYuan,
} from '../../../shared/dataset/decimal.js';
import { isProblem, type Problem } from '../../../shared/dataset/errors.js';
import { CSV_FORMATS, CSV_KEYS, type CsvKey } from '../../../shared/dataset/formats/index.js';
import { parseDatasetFiles } from '../../../shared/dataset/index.js';
import { generateCounty } from '../../../shared/demo/index.js';
import { Dataset, FinanceRow, IndicatorValue, Staff, WorkloadRow } from '../../../shared/schemas/dataset.js';
import { tinyFiles } from './helpers.js';

const withoutUndefined = (value: object) =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));

interface Compared {
  row: number;
  fast: unknown;
  zod: unknown;
}

/** Each record of a file through both paths. */
function bothPaths(key: CsvKey, text: string): Compared[] {
  const format = CSV_FORMATS[key];
  const read = readCsv(format.file, text, format.columns);
  expect(read.headerUsable, `${format.file} header`).toBe(true);
  const quick = format.quick(read.index);
  return read.records.map((record) => {
    const result = format.schema.safeParse(cellsOf(read.index, record));
    return {
      row: record.row,
      fast: quick(record),
      zod: result.success ? withoutUndefined(result.data as object) : undefined,
    };
  });
}

/** Fast and zod agree on every row: the same value, keys in the same order, or both refuse. */
function expectAgreement(key: CsvKey, compared: Compared[]): { accepted: number; refused: number } {
  let accepted = 0;
  let refused = 0;
  for (const { row, fast, zod } of compared) {
    const where = `${CSV_FORMATS[key].file} row ${row}`;
    if (zod === undefined) {
      expect(fast, where).toBeUndefined();
      refused++;
    } else {
      expect(fast, where).toEqual(zod);
      expect(JSON.stringify(fast), where).toBe(JSON.stringify(zod));
      accepted++;
    }
  }
  return { accepted, refused };
}

const csvCell = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

/** Cell texts that probe every conversion's edges; each is tried in every column. */
const PROBES = [
  '',
  ' ',
  '\t',
  '\u3000',
  '0',
  '-0',
  '+0',
  '-0.00',
  '00',
  '007.50',
  '+.5',
  '.5',
  '5.',
  '.',
  '-',
  '1e3',
  '1,000',
  '12.3',
  ' 12.30 ',
  '12.300',
  '12.345',
  '-12.34',
  '100',
  '100.000',
  '100.0001',
  '99.999',
  '21',
  '22',
  '23',
  '90071992547409.91',
  '90071992547409.92',
  '999999999999999',
  '9007199254740991',
  '9007199254740992',
  '１２',
  '٣',
  'abc',
  '王',
  'C01',
  ' C01 ',
  'C01-001',
  'C01 001',
  'C01#1',
  'a/b',
  'x'.repeat(64),
  'y'.repeat(65),
  '2026-01',
  ' 2026-03 ',
  '2026-13',
  '2026-1',
  '2025-12',
  'doctor',
  ' nurse ',
  'Doctor',
  'key',
  'key;core',
  'key; core ;',
  'key;key',
  ';',
  '*',
  ' * ',
  'township;*',
  'township;community',
  'county_hospital',
  '1',
  '2',
  '3',
  'consultation',
  'drug',
  'monthly',
  'higher',
  'lower',
  'ratio',
  'sum',
  'ge_target',
  'le_target',
  'linear',
  'bands',
  'deduct',
  'bonus',
  '0:0;60:0.5;90:1',
  '0:0;60:1.5',
  '2026',
  '1234567890123456',
  '1234 5678',
  '<b>王</b>',
  '=1+2',
  'a,b',
  'say "hi"',
  'two\nlines',
];

/** The file's header and first data row with one cell replaced by each probe, every column in turn. */
function probed(text: string): string {
  const [header, first] = text.split('\n');
  const columns = header!.split(',');
  const cells = first!.split(',');
  const lines = [header!];
  for (let c = 0; c < columns.length; c++) {
    for (const probe of PROBES) {
      const row = [...cells];
      row[c] = csvCell(probe);
      lines.push(row.join(','));
    }
  }
  return `${lines.join('\n')}\n`;
}

describe('the fast row check', () => {
  // The tiny dataset has no §9 files; a row of each stands in for them so their formats are probed too.
  const tiny: Record<string, string> = {
    'departments.csv':
      'institutionId,departmentId,name,coefficient,capMultiple,headStaffId\nC01,C01-IM,内科,1.20,3,C01-001\n',
    'secondments.csv':
      'staffId,hostInstitutionId,kind,from,to,monthlyAllowance,leaderRole\nC01-001,T01,dispatch,2026-01,2026-06,800.00,yes\n',
    // deductions.csv (issue 16), optional like them.
    'deductions.csv': 'period,staffId,kind,amount\n2026-01,C01-001,个税,123.45\n',
    ...tinyFiles(),
  };

  it('gives zod’s value for every row of the tiny dataset and of a generated county', () => {
    const county = generateCounty({ staff: 600, counties: 1, seed: 2026 });
    for (const files of [tiny, county as Record<string, string>]) {
      for (const key of CSV_KEYS) {
        const text = files[CSV_FORMATS[key].file];
        if (text === undefined) continue;
        const { accepted, refused } = expectAgreement(key, bothPaths(key, text));
        expect(refused, key).toBe(0);
        expect(accepted, key).toBeGreaterThan(0);
      }
    }
  });

  it('agrees with zod on edge cases in every column, accepting and refusing the same rows', () => {
    for (const key of CSV_KEYS) {
      const { accepted, refused } = expectAgreement(
        key,
        bothPaths(key, probed(tiny[CSV_FORMATS[key].file]!)),
      );
      // Both outcomes occur in every format, so each comparison above has something to catch.
      expect(accepted, key).toBeGreaterThan(CSV_FORMATS[key].columns.all.length);
      expect(refused, key).toBeGreaterThan(CSV_FORMATS[key].columns.all.length);
    }
  });

  it('leaves optional columns out of the value when the header lacks them, as zod does', () => {
    for (const key of CSV_KEYS) {
      const format = CSV_FORMATS[key];
      const text = tiny[format.file]!.replaceAll('\r\n', '\n').trimEnd();
      const lines = text.split('\n').map((line) => line.split(','));
      const keep = lines[0]!.map((column) => !format.columns.optional.has(column));
      const narrowed = lines.map((cells) => cells.filter((_, i) => keep[i]).join(',')).join('\n');
      expectAgreement(key, bothPaths(key, narrowed));
    }
  });

  it('runs the row rules: a row that breaks one is left to zod, which reports it', () => {
    const workload =
      'period,staffId,workPoints,quality,attendedDays,scheduledDays\n2026-01,C01-001,10,90,23,22\n';
    const adjustments = 'period,staffId,amount,reason,refPeriod\n2026-03,C01-001,1.00,x,2026-03\n';
    for (const [key, text] of [
      ['workload', workload],
      ['adjustments', adjustments],
    ] as const) {
      const [only] = bothPaths(key, text);
      expect(only!.zod).toBeUndefined();
      expect(only!.fast).toBeUndefined();
    }
  });

  it('agrees with zod on every combination of method, direction, target, floor and params', () => {
    const header =
      'id,nameZh,nameEn,dimension,appliesTo,cadence,direction,aggregation,method,weight,target,floor,params';
    const lines = [header];
    const numbers = ['', '0', '-1', '5', '0.65', '007.50'];
    const params = ['', '0', '2', ' 1.50 ', 'x', '0:0;60:0.5;90:1', '90:1;0:0', '0:0;60:1.5'];
    for (const method of [
      'yes_no',
      'ge_target',
      'le_target',
      'linear',
      'bands',
      'deduct',
      'bonus',
      'actual',
    ]) {
      for (const direction of ['higher', 'lower']) {
        for (const target of numbers) {
          for (const floor of numbers) {
            for (const param of params) {
              lines.push(
                `i${lines.length},名,,d,*,monthly,${direction},sum,${method},1,${target},${floor},${csvCell(param)}`,
              );
            }
          }
        }
      }
    }
    const { accepted, refused } = expectAgreement(
      'indicators',
      bothPaths('indicators', `${lines.join('\n')}\n`),
    );
    expect(accepted).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });
});

describe('the dataset contract', () => {
  it('holds for every row of the tiny dataset and of a generated county, keys in the schema’s order', () => {
    const county = generateCounty({ staff: 600, counties: 1, seed: 11 }) as Record<string, string>;
    for (const files of [tinyFiles(), county]) {
      const result = parseDatasetFiles(files);
      if (!result.ok) throw new Error(JSON.stringify(result.issues.slice(0, 3)));
      expect(result.dataset.workload.length).toBeGreaterThan(0);
      expect(JSON.stringify(Dataset.parse(result.dataset))).toBe(JSON.stringify(result.dataset));
    }
  });

  it('holds for every monthly and staff row accepted among the edge cases', () => {
    const tiny = tinyFiles();
    const monthly = [
      ['staff', Staff],
      ['workload', WorkloadRow],
      ['indicatorValues', IndicatorValue],
      ['finance', FinanceRow],
    ] as const;
    for (const [key, schema] of monthly) {
      const accepted = bothPaths(key, probed(tiny[CSV_FORMATS[key].file]!)).filter(({ fast }) => fast);
      expect(accepted.length, key).toBeGreaterThan(10);
      for (const { row, fast } of accepted) {
        expect(JSON.stringify(schema.parse(fast)), `${key} row ${row}`).toBe(JSON.stringify(fast));
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The decimal lexer: the regular-expression version it replaced, kept here as the reference.

const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?$/;

function referenceLex(text: string) {
  const match = DECIMAL_TEXT.exec(text.trim());
  if (!match) return undefined;
  const [, sign, int = '', frac = ''] = match;
  if (int === '' && frac === '') return undefined;
  return { negative: sign === '-', int: int.replace(/^0+/, '') || '0', frac };
}

function referenceCanonical(text: string): string | undefined {
  const parts = referenceLex(text);
  if (!parts) return undefined;
  const zero = /^0*$/.test(parts.int + parts.frac);
  return `${parts.negative && !zero ? '-' : ''}${parts.int}${parts.frac ? `.${parts.frac}` : ''}`;
}

function referenceCompare(a: string, b: string): number {
  const x = referenceLex(a)!;
  const y = referenceLex(b)!;
  const sign = (p: typeof x) => (/[1-9]/.test(p.int + p.frac) ? (p.negative ? -1 : 1) : 0);
  if (sign(x) !== sign(y)) return sign(x) < sign(y) ? -1 : 1;
  if (x.int.length !== y.int.length) return sign(x) * (x.int.length < y.int.length ? -1 : 1);
  const width = Math.max(x.frac.length, y.frac.length);
  const u = x.int + x.frac.padEnd(width, '0');
  const v = y.int + y.frac.padEnd(width, '0');
  return sign(x) * (u === v ? 0 : u < v ? -1 : 1);
}

function referenceYuan(text: string, signed: boolean): number | string {
  const parts = referenceLex(text);
  if (!parts) return 'amount.format';
  if (/[^0]/.test(parts.frac.slice(2))) return 'amount.decimals';
  const fen = BigInt(parts.int + parts.frac.slice(0, 2).padEnd(2, '0'));
  if (parts.negative && fen !== 0n && !signed) return 'amount.negative';
  if (fen > BigInt(Number.MAX_SAFE_INTEGER)) return 'amount.range';
  return parts.negative && fen !== 0n ? -Number(fen) : Number(fen);
}

/** Short strings of the characters that matter to a decimal, spaces and a few that do not belong. */
const decimalish = fc
  .array(fc.constantFrom('0', '0', '1', '5', '9', '.', '-', '+', ' ', 'e', ',', '\u3000'), { maxLength: 9 })
  .map((chars) => chars.join(''));
const longDigits = fc.stringMatching(/^-?0{0,3}[0-9]{1,19}(\.[0-9]{0,4})?$/);
const decimalInput = fc.oneof(decimalish, longDigits);

describe('decimal lexing', () => {
  it('canonicalises exactly as the regular expressions did', () => {
    fc.assert(
      fc.property(decimalInput, (text) => {
        expect(canonicalDecimal(text)).toBe(referenceCanonical(text));
      }),
      { numRuns: 5000 },
    );
  });

  it('compares and checks bounds exactly as before', () => {
    const valid = decimalInput.filter((text) => referenceCanonical(text) !== undefined);
    fc.assert(
      fc.property(valid, valid, (a, b) => {
        expect(compareDecimal(a, b)).toBe(referenceCompare(a, b));
        const value = parseDecimal(a, { min: '0', minExclusive: true, max: b.trim().replace(/^\+/, '') });
        const canonical = referenceCanonical(a)!;
        const inRange = referenceCompare(canonical, '0') > 0 && referenceCompare(canonical, b) <= 0;
        expect(isProblem(value) ? (value as Problem).rule : value).toBe(
          inRange ? canonical : 'decimal.range',
        );
      }),
      { numRuns: 5000 },
    );
  });

  it('turns yuan into fen exactly as the BigInt version did, on both sides of 15 digits', () => {
    fc.assert(
      fc.property(decimalInput, fc.boolean(), (text, signed) => {
        const result = parseYuan(text, { signed });
        const expected = referenceYuan(text, signed);
        if (typeof expected === 'string') expect(isProblem(result) && result.rule).toBe(expected);
        else expect(Object.is(result, expected), `${text} → ${String(result)}`).toBe(true);
      }),
      { numRuns: 5000 },
    );
    expect(parseYuan('90071992547409.91', { signed: false })).toBe(9007199254740991);
    expect(isProblem(parseYuan('90071992547409.92', { signed: false }))).toBe(true);
    expect(parseYuan('9999999999999.99', { signed: true })).toBe(999999999999999);
    expect(parseYuan('-9999999999999.99', { signed: true })).toBe(-999999999999999);
    expect(isProblem(parseYuan('-99999999999999.99', { signed: true }))).toBe(true);
  });

  it('refuses a malformed bound at once rather than on the first cell', () => {
    expect(() => parseDecimal('1', { min: 'x' })).toThrow(/not decimals/);
  });
});
