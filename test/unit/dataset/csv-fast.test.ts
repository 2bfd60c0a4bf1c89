/**
 * The CSV reader's fast path (`fastRecords` in shared/dataset/csv.ts) against csv-parse, which it stands
 * in for: on any text it either gives exactly csv-parse's records and line numbers, or declines (and
 * csv-parse reads the file, owning every error message). It must never accept a text csv-parse refuses.
 */
import { CsvError, parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastRecords } from '../../../shared/dataset/csv.js';
import { generateCounty } from '../../../shared/demo/index.js';
import { tinyFiles } from './helpers.js';

interface Read {
  fields: string[];
  row: number;
}

/** What csv-parse reads, numbered the way readCsv numbers records; undefined when it refuses the text. */
function csvParse(text: string): Read[] | undefined {
  let records: string[][];
  try {
    records = parse(text, { relax_column_count: true });
  } catch (error) {
    if (error instanceof CsvError) return undefined;
    throw error;
  }
  let line = 1;
  return records.map((fields) => {
    const read = { fields, row: line };
    line += 1 + fields.reduce((n, f) => n + (f.match(/\r\n|\r|\n/g)?.length ?? 0), 0);
    return read;
  });
}

function fast(text: string): Read[] | undefined {
  const records: Read[] = [];
  return fastRecords(text, (fields, row) => records.push({ fields, row })) ? records : undefined;
}

/** Fast agrees with csv-parse or declines; returns whether it took the text. */
function expectSameOrDeclined(text: string): boolean {
  const mine = fast(text);
  if (mine === undefined) return false;
  expect(mine, JSON.stringify(text)).toEqual(csvParse(text));
  return true;
}

const PIECES = [
  'a',
  'bc',
  '中文',
  ' ',
  ',',
  ',',
  '"',
  '""',
  '\n',
  '\n',
  '\r\n',
  '\r',
  '"x,y"',
  '"p\nq"',
  '1.5',
  '',
];

describe('the fast CSV reader', () => {
  it('reads what csv-parse reads, or declines, on random texts', () => {
    let taken = 0;
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 30 }), (pieces) => {
        if (expectSameOrDeclined(pieces.join(''))) taken++;
      }),
      { numRuns: 20_000 },
    );
    // Most random texts are fine CSV: the comparison above did run on many of them.
    expect(taken).toBeGreaterThan(5_000);
  });

  it('takes the usual files — LF or CRLF, quoted cells with commas, quotes and line breaks — as csv-parse does', () => {
    const files = {
      ...tinyFiles(),
      ...(generateCounty({ staff: 300, counties: 1, seed: 7 }) as Record<string, string>),
    };
    for (const [name, text] of Object.entries(files)) {
      if (!name.endsWith('.csv')) continue;
      const lf = text.replaceAll('\r\n', '\n');
      const quoted = lf
        .split('\n')
        .map((line, i) =>
          i % 3 === 1
            ? line
                .split(',')
                .map((cell) => `"${cell}"`)
                .join(',')
            : line,
        )
        .join('\n');
      const tricky = `${lf.trimEnd()}\n"a,b","say ""hi""","two\nlines",,\n\n,,\n`;
      for (const variant of [
        text,
        lf,
        lf.replaceAll('\n', '\r\n'),
        lf.replaceAll('\n', '\r'),
        quoted,
        tricky,
      ]) {
        expect(expectSameOrDeclined(variant), name).toBe(true);
      }
    }
  });

  it('declines what csv-parse refuses or reads differently', () => {
    for (const text of [
      'a,b\n"open\n', // never closed
      'a,b\nx"y,z\n', // a quote inside a cell
      'a,b\n"x"y,z\n', // text after a closing quote
      'a,b\r\nc,d\ne,f\r\n', // a bare LF in a CRLF file is part of a cell for csv-parse
      'a,b\nc\rd,e\n', // a bare CR in an LF file
      'a,b\nc,\ud800\n', // a lone surrogate, which csv-parse's Buffer turns into U+FFFD
    ]) {
      expect(fast(text), JSON.stringify(text)).toBeUndefined();
    }
  });

  it('numbers records by the line they start on, counting line breaks inside quoted cells', () => {
    expect(fast('h1,h2\n"a\nb","c\r\nd"\n\ne,f')).toEqual([
      { fields: ['h1', 'h2'], row: 1 },
      { fields: ['a\nb', 'c\r\nd'], row: 2 },
      { fields: [''], row: 5 },
      { fields: ['e', 'f'], row: 6 },
    ]);
    expect(fast('')).toEqual([]);
    expect(fast('a,')).toEqual([{ fields: ['a', ''], row: 1 }]);
    expect(fast('""')).toEqual([{ fields: [''], row: 1 }]);
  });
});
