import { describe, expect, it } from 'vitest';
import { ExportError } from '../../../shared/export/errors.js';
import { fenToYuanNumber, fenToYuanString, sumFen } from '../../../shared/export/money-format.js';

describe('fenToYuanString', () => {
  it.each([
    [0, '0.00'],
    [5, '0.05'],
    [50, '0.50'],
    [123456, '1234.56'],
    [-12050, '-120.50'],
    [-1, '-0.01'],
    [-0, '0.00'],
    [Number.MAX_SAFE_INTEGER, '90071992547409.91'],
    [Number.MIN_SAFE_INTEGER, '-90071992547409.91'],
  ])('writes %d fen as %s', (fen, text) => {
    expect(fenToYuanString(fen)).toBe(text);
  });

  it('refuses fractional fen, because a float reaching a file means money was computed wrongly upstream', () => {
    expect(() => fenToYuanString(0.1 + 0.2)).toThrow(ExportError);
    expect(() => fenToYuanString(Number.NaN)).toThrow(/whole number of fen/);
    expect(() => fenToYuanString(2 ** 53)).toThrow(ExportError);
  });

  it('names a refused amount by a function only when it refuses it (the writers name every amount)', () => {
    let asked = 0;
    const name = () => {
      asked++;
      return 'reward of staff C01-001';
    };
    expect(fenToYuanString(12345, name)).toBe('123.45');
    expect(asked).toBe(0);
    expect(() => fenToYuanString(1.5, name)).toThrow(
      /^reward of staff C01-001 must be a whole number of fen/,
    );
    expect(asked).toBe(1);
  });
});

describe('fenToYuanNumber', () => {
  it('gives the same double a spreadsheet would parse from the two-decimal text', () => {
    for (const fen of [1, 10, 99, 101, 123456, -12050, 1234567891]) {
      expect(fenToYuanNumber(fen)).toBe(Number(fenToYuanString(fen)));
    }
  });
});

describe('sumFen', () => {
  it('sums exactly and refuses to overflow the safe-integer range', () => {
    expect(sumFen([10, 20, -5])).toBe(25);
    expect(() => sumFen([Number.MAX_SAFE_INTEGER, 1])).toThrow(ExportError);
  });
});
